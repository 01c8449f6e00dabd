"""REST endpoints of the Trust Center's admin side: the settings, the prospects' report
requests with approve and decline, and the log of downloads.

Reads need READ; every change needs MANAGE_SETTINGS (owners and admins), as on the web.
Requests are looked up through the token's organisation, so another organisation's id
answers 404. The public page and the prospect's link are web pages only.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Path, Query, Router

from zgovern.api import require
from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.tenancy import roles
from zgovern.trust import queries, services
from zgovern.trust.models import RequestStatus
from zgovern.trust.schemas import (
    MAX_ID,
    ApprovalOut,
    DownloadPage,
    ErrorOut,
    ListQuery,
    RequestOut,
    RequestPage,
    SettingsOut,
    SettingsPatch,
)

router = Router(tags=["trust center"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
RequestId = Path(..., ge=1, le=MAX_ID, description="A report request's id.")


def _settings_out(org) -> dict:
    center = queries.center_or_default(org)
    fields = (
        "enabled", "headline", "description", "contact_email", "framework_ids", "controls",
        "policies", "show_subprocessors", "report_period_start", "report_period_end",
        "nda_text", "link_days", "download_limit",
    )  # fmt: skip
    out = {name: getattr(center, name) for name in fields}
    out["public_url"] = settings.BASE_URL + reverse("trust:page", args=[org.slug])
    out["report_evidence_id"] = center.report_id
    out["updated_at"] = center.updated_at if center.pk else None
    return out


def _request(request: HttpRequest, trust_request_id: int):
    row = queries.report_request(request.organization, trust_request_id)
    if row is None:
        raise NotFound("No such report request.")
    return row


@router.get(
    "/trust-center",
    response={200: SettingsOut, **READ_ERRORS},
    summary="Get the Trust Center settings",
)
def get_settings(request: HttpRequest):
    """Whether the public page is on and what it shows. An organisation that never saved
    settings gets the defaults: off, nothing chosen."""
    return _settings_out(request.organization)


@router.patch(
    "/trust-center",
    response={200: SettingsOut, **WRITE_ERRORS},
    summary="Change the Trust Center settings",
)
def update_settings(request: HttpRequest, payload: SettingsPatch):
    """Change the settings given; the rest keep their value. Chosen frameworks, controls
    and policies must be the organisation's (400 naming the field). Needs an owner or
    admin. Logged as `trust.settings_updated` when something changed."""
    require(request, roles.MANAGE_SETTINGS)
    fields = payload.model_dump(exclude_unset=True)
    for name in ("enabled", "show_subprocessors", "link_days", "download_limit"):
        if name in fields and fields[name] is None:
            fields.pop(name)
    for name in ("headline", "description", "contact_email", "nda_text"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    for name in ("framework_ids", "controls", "policies"):
        if name in fields and fields[name] is None:
            fields[name] = []
    services.update_settings(request.organization, Actor.from_request(request), **fields)
    return _settings_out(request.organization)


@router.get(
    "/trust-center/requests",
    response={200: RequestPage, **READ_ERRORS},
    summary="List report requests",
)
def list_requests(
    request: HttpRequest, filters: Query[ListQuery], status: RequestStatus | None = None
):
    """Prospects' requests for the report, newest first, optionally by `status`, with the
    NDA acceptance and downloads of each."""
    rows = queries.requests(request.organization, status.value if status else "")
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.get(
    "/trust-center/requests/{int:trust_request_id}",
    response={200: RequestOut, **READ_ERRORS},
    summary="Get a report request",
)
def get_request(request: HttpRequest, trust_request_id: int = RequestId):
    """One request with its decision, link expiry, NDA acceptance and download count."""
    return _request(request, trust_request_id)


@router.post(
    "/trust-center/requests/{int:trust_request_id}/approve",
    response={200: ApprovalOut, **WRITE_ERRORS},
    summary="Approve a report request",
)
def approve_request(request: HttpRequest, trust_request_id: int = RequestId):
    """Approve a pending request: its one-time link (stored hashed, valid for the
    configured days and downloads) is emailed to the prospect and returned once. A
    request already decided is a 409, as is approving before a report is uploaded.
    Logged as `trust.request_approved`."""
    require(request, roles.MANAGE_SETTINGS)
    _request(request, trust_request_id)
    row, link = services.approve_request(
        request.organization, Actor.from_request(request), trust_request_id
    )
    return {"request": row, "link": link}


@router.post(
    "/trust-center/requests/{int:trust_request_id}/decline",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="Decline a report request",
)
def decline_request(request: HttpRequest, trust_request_id: int = RequestId):
    """Decline a pending request, or withdraw an approved one (its link then answers
    410). An already declined request is a 409. Logged as `trust.request_declined`."""
    require(request, roles.MANAGE_SETTINGS)
    _request(request, trust_request_id)
    return services.decline_request(
        request.organization, Actor.from_request(request), trust_request_id
    )


@router.get(
    "/trust-center/downloads",
    response={200: DownloadPage, **READ_ERRORS},
    summary="List report downloads",
)
def list_downloads(request: HttpRequest, filters: Query[ListQuery]):
    """Every watermarked download of the report, newest first: who, when, from where,
    and the watermark stamped on the copy."""
    rows = queries.downloads(request.organization)
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {"count": rows.count(), "items": page}
