"""REST endpoints: change records: merged pull requests and their approvals.

Records are written by syncs (and the demo), never through the API, so every operation
reads. The bearer token decides the organisation (see the tenancy middleware), and every
record is looked up through it, so another organisation's id answers 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from zgovern.changes import exports, queries
from zgovern.changes.models import ChangeRecord
from zgovern.changes.schemas import (
    MAX_ID,
    ChangeOut,
    ChangePage,
    ChangesPageQuery,
    ErrorOut,
    ExportQuery,
)
from zgovern.core.errors import NotFound

router = Router(tags=["changes"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
ChangeId = Path(..., ge=1, le=MAX_ID, description="A change record's id.")
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def _change(request: HttpRequest, change_id: int) -> ChangeRecord:
    record = queries.change(request.organization, change_id)
    if record is None:
        raise NotFound("No such change record.")
    return record


@router.get(
    "/changes",
    response={200: ChangePage, **READ_ERRORS},
    summary="List change records",
)
def list_changes(request: HttpRequest, filters: Query[ChangesPageQuery]):
    """Merged pull requests, newest merge first unless `sort` says otherwise, `limit` from
    `offset`; filtered by repository, approval, author and a period of UTC days (both
    ends included). An unapproved record carries its `flagged_reason`."""
    rows = queries.changes(request.organization, **filters.filters())
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.get(
    "/changes/export",
    response={**READ_ERRORS},
    summary="Export change records",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Every record matching the filters, as a CSV or XLSX attachment.",
                "content": {"text/csv": _BINARY, exports.XLSX_TYPE: _BINARY},
            }
        }
    },
)
def export_changes(request: HttpRequest, filters: Query[ExportQuery]) -> HttpResponse:
    """The same filters and sort as the list, every matching record (not one page), as
    `csv` (UTF-8 with a BOM) or `xlsx`. Text a spreadsheet would run as a formula is
    neutralised."""
    rows = queries.changes(request.organization, **filters.filters())
    return exports.download(rows, request.organization.slug, filters.format.value)


@router.get(
    "/changes/{int:change_id}",
    response={200: ChangeOut, **READ_ERRORS},
    summary="Get a change record",
)
def get_change(request: HttpRequest, change_id: int = ChangeId):
    """One change record with its approvers, checks and flag."""
    return _change(request, change_id)
