"""REST endpoints of the organisation's evidence: list, read, download, add a file or a
link, record a correction.

The bearer token decides the organisation (see the tenancy middleware), and every item is
looked up through it, so another organisation's id answers 404. Writes go through
:mod:`zgovern.evidence.services`, which record each one in the activity log.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Path, Query, Router, Status, UploadedFile
from ninja.errors import ValidationError

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.evidence import queries, services
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.evidence.schemas import (
    MAX_ID,
    CorrectionIn,
    ErrorOut,
    EvidenceOut,
    EvidencePage,
    EvidenceQuery,
    FileIn,
    LinkIn,
)
from zgovern.evidence.views import blob_response

router = Router(tags=["evidence"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
EvidenceId = Path(..., ge=1, le=MAX_ID, description="An evidence item's id.")
# Optional in the signature so that a missing file is the service's 400 naming `file`.
OptionalFile = File(None, description="The file (required).")
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def _item(request: HttpRequest, evidence_id: int) -> EvidenceItem:
    item = queries.item(request.organization, evidence_id)
    if item is None:
        raise NotFound("No such evidence item.")
    return item


@router.get(
    "/evidence",
    response={200: EvidencePage, **READ_ERRORS},
    summary="List evidence",
)
def list_evidence(request: HttpRequest, filters: Query[EvidenceQuery]):
    """Items newest first (by collection time), `limit` from `offset`, optionally of one
    kind, one source, or collected within a range of UTC days (both ends included).
    Superseded items are listed too: `corrected_by` names their correction."""
    rows = queries.items(
        request.organization,
        kind=filters.kind.lower(),
        source=filters.source.value if filters.source else "",
        collected_from=filters.collected_from,
        collected_to=filters.collected_to,
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": queries.with_corrections(request.organization, page)}


@router.get(
    "/evidence/{int:evidence_id}",
    response={200: EvidenceOut, **READ_ERRORS},
    summary="Get an evidence item",
)
def get_evidence(request: HttpRequest, evidence_id: int = EvidenceId):
    """One item with its description and, for a record or snapshot, its content."""
    return _item(request, evidence_id)


@router.get(
    "/evidence/{int:evidence_id}/download",
    response={**READ_ERRORS},
    summary="Download an evidence item's file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file as an attachment (a record: its canonical JSON, "
                "whose SHA-256 is the item's `sha256`).",
                "content": {"application/octet-stream": _BINARY},
            }
        }
    },
)
def download_evidence(request: HttpRequest, evidence_id: int = EvidenceId) -> HttpResponse:
    """The exact bytes behind `sha256`. A link has no file (404)."""
    item = _item(request, evidence_id)
    if item.source == EvidenceSource.LINK:
        raise NotFound("This item is a link; it has no file to download.")
    return blob_response(item)


@router.post(
    "/evidence/files",
    response={201: EvidenceOut, **WRITE_ERRORS},
    summary="Upload a file as evidence",
)
def upload_evidence(
    request: HttpRequest,
    payload: Form[FileIn],
    file: UploadedFile | None = OptionalFile,
):
    """A multipart upload: the `file` part and the form fields. Accepted types: pdf, png,
    jpg, gif, csv, txt, json, xlsx, docx, zip, md, log, yaml; the size limit is set by
    `ZG_EVIDENCE_MAX_BYTES`. With `corrects` the file is recorded as a correction of that
    uploaded item (`reason` required). Logged as `evidence.added` or `evidence.corrected`."""
    _refuse_unknown_fields(request, FileIn)
    org, actor = request.organization, Actor.from_request(request)
    described = payload.model_dump(exclude={"tags", "corrects", "reason"})
    tags = [tag.strip() for tag in payload.tags.split(",") if tag.strip()]
    if payload.corrects is not None:
        item = services.correct(
            org, actor, payload.corrects, reason=payload.reason, uploaded_file=file,
            tags=tags, **described,
        )  # fmt: skip
    else:
        item = services.add_file(org, actor, uploaded_file=file, tags=tags, **described)
    return Status(201, _item(request, item.pk))


@router.post(
    "/evidence/links",
    response={201: EvidenceOut, **WRITE_ERRORS},
    summary="Add a link as evidence",
)
def add_link(request: HttpRequest, payload: LinkIn):
    """A web address as evidence (e.g. a ticket or a dashboard). Its `sha256` is that of
    the address: the page itself may change. Logged as `evidence.added`."""
    item = services.add_link(
        request.organization, Actor.from_request(request), **payload.model_dump()
    )
    return Status(201, _item(request, item.pk))


@router.post(
    "/evidence/{int:evidence_id}/corrections",
    response={201: EvidenceOut, **WRITE_ERRORS},
    summary="Correct an evidence item",
)
def correct_evidence(request: HttpRequest, payload: CorrectionIn, evidence_id: int = EvidenceId):
    """Evidence is never edited: this records a new item that supersedes the given one.
    Fields left out are carried over; a link may get a new `url`, a record a new `record`
    (a file is corrected by uploading with `corrects`). Only the newest version can be
    corrected (409), and a correction must change something (400). Logged as
    `evidence.corrected`."""
    fields = payload.model_dump(exclude_unset=True)
    item = services.correct(
        request.organization, Actor.from_request(request), evidence_id, **fields
    )
    return Status(201, _item(request, item.pk))


def _refuse_unknown_fields(request: HttpRequest, schema: type[FileIn]) -> None:
    """Form fields are picked by name, so extras would pass silently; refuse them as a
    JSON body's extras are refused."""
    unknown = sorted(set(request.POST) - set(schema.model_fields))
    if unknown:
        raise ValidationError(
            [{"loc": ("form", name), "msg": "Unknown field.", "type": "extra"} for name in unknown]
        )
