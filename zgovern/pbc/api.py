"""REST endpoints of the request (PBC) list and the exceptions of an audit.

The bearer token decides the organisation; audits, requests, exceptions and evidence are
all looked up through it, so another organisation's id answers 404. Writes go through
:mod:`zgovern.pbc.services`, which log each one in the activity log.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from zgovern.core.actor import Actor
from zgovern.pbc import exports, queries, services, suggest
from zgovern.pbc.importer import ImportError_
from zgovern.pbc.models import AuditException, AuditRequest
from zgovern.pbc.schemas import (
    MAX_ID,
    ErrorOut,
    PbcAnswerIn,
    PbcDecisionIn,
    PbcExceptionIn,
    PbcExceptionOut,
    PbcExceptionPatch,
    PbcExportQuery,
    PbcImportErrorOut,
    PbcImportReportOut,
    PbcLinkIn,
    PbcRequestIn,
    PbcRequestOut,
    PbcRequestPage,
    PbcRequestPatch,
    PbcRequestQuery,
    PbcResponseIn,
    PbcSettingsIn,
    PbcSettingsOut,
    PbcSuggestionOut,
)

router = Router(tags=["audit requests"])
READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
AuditId = Path(..., ge=1, le=MAX_ID, description="An audit's id.")
RequestId = Path(..., ge=1, le=MAX_ID, description="A request's id.")
ExceptionId = Path(..., ge=1, le=MAX_ID, description="An exception's id.")
EvidenceId = Path(..., ge=1, le=MAX_ID, description="An evidence item's id.")
OptionalFile = File(None, description="The file (required).")


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _request(request: HttpRequest, request_id: int) -> AuditRequest:
    found = services.get_request(request.organization, request_id)
    return (
        AuditRequest.objects.filter(organization=request.organization, pk=found.pk)
        .select_related("assignee", "created_by")
        .prefetch_related("links")
        .get()
    )


def _exception(request: HttpRequest, exception_id: int) -> AuditException:
    found = services.get_exception(request.organization, exception_id)
    return queries.exceptions(request.organization, found.audit).get(pk=found.pk)


# -- requests -------------------------------------------------------------------------


@router.get(
    "/audits/{int:audit_id}/requests",
    response={200: PbcRequestPage, **READ_ERRORS},
    summary="List an audit's requests",
)
def list_requests(request: HttpRequest, filters: Query[PbcRequestQuery], audit_id: int = AuditId):
    """The audit's requests by reference, `limit` from `offset`, filtered by status,
    timeliness (`late`, `overdue`, `on_time`), assignee and text (`q`)."""
    audit = services.get_audit(request.organization, audit_id)
    rows = queries.requests(
        request.organization, audit,
        status=filters.status.value if filters.status else "",
        timeliness=filters.timeliness.value if filters.timeliness else "",
        assignee_id=filters.assignee_id, q=filters.q.strip(),
    ).prefetch_related("links")  # fmt: skip
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.post(
    "/audits/{int:audit_id}/requests",
    response={201: PbcRequestOut, **WRITE_ERRORS},
    summary="Add a request",
)
def create_request(request: HttpRequest, payload: PbcRequestIn, audit_id: int = AuditId):
    """Add a request. Criteria must be criteria of the audit's framework, the assignee a
    member who is not an auditor, the due date not before today; a reference already
    used in the audit is a 409. Logged as `pbc.request_created`."""
    data = payload.model_dump(mode="json", exclude_none=True)
    req = services.create_request(request.organization, _actor(request), audit_id, data)
    return Status(201, _request(request, req.pk))


@router.post(
    "/audits/{int:audit_id}/requests/import",
    response={**WRITE_ERRORS, 200: PbcImportReportOut, 400: PbcImportErrorOut},
    summary="Import the auditor's request list",
)
def import_requests(request: HttpRequest, audit_id: int = AuditId,
                    file: UploadedFile | None = OptionalFile):  # fmt: skip
    """A multipart upload of a CSV (UTF-8) or XLSX in the `file` part with the columns
    `reference`, `title` (required), `description`, `criteria`, `due_date`,
    `assignee_email`. The file is checked whole first: any problem answers 400 listing
    every one by line and column, and nothing is imported. Requests are matched by
    reference, so importing the same file again changes nothing."""
    data = None
    if file is not None:
        file.seek(0)
        data = file.read(settings.ROSTER_MAX_BYTES + 1)
    try:
        report = services.import_requests(request.organization, _actor(request), audit_id,
                                          file.name if file else "", data)  # fmt: skip
    except ImportError_ as exc:
        return Status(400, {
            "detail": exc.message,
            "errors": [{"field": "file", "message": str(p)} for p in exc.problems],
            "total": exc.total,
            "problems": exc.problems,
        })  # fmt: skip
    return report


@router.get(
    "/audits/{int:audit_id}/request-settings",
    response={200: PbcSettingsOut, **READ_ERRORS},
    summary="Get an audit's response target",
)
def get_settings(request: HttpRequest, audit_id: int = AuditId):
    """The hours within which each request should be answered (48 unless changed)."""
    audit = services.get_audit(request.organization, audit_id)
    return {"audit_id": audit.pk, "target_hours": services.target_hours(audit)}


@router.put(
    "/audits/{int:audit_id}/request-settings",
    response={200: PbcSettingsOut, **WRITE_ERRORS},
    summary="Set an audit's response target",
)
def put_settings(request: HttpRequest, payload: PbcSettingsIn, audit_id: int = AuditId):
    """Change the response target; unanswered requests' targets move with it. Logged as
    `pbc.target_changed`."""
    hours = services.set_target_hours(request.organization, _actor(request), audit_id,
                                      payload.target_hours)  # fmt: skip
    return {"audit_id": audit_id, "target_hours": hours}


@router.get(
    "/audit-requests/{int:request_id}",
    response={200: PbcRequestOut, **READ_ERRORS},
    summary="Get a request",
)
def get_request(request: HttpRequest, request_id: int = RequestId):
    """One request with its answer, evidence ids and timeliness."""
    return _request(request, request_id)


@router.patch(
    "/audit-requests/{int:request_id}",
    response={200: PbcRequestOut, **WRITE_ERRORS},
    summary="Change a request",
)
def update_request(request: HttpRequest, payload: PbcRequestPatch, request_id: int = RequestId):
    """Change the fields given; a new assignee restarts the response clock. Logged as
    `pbc.request_updated` with the old and new values."""
    data = payload.model_dump(mode="json", exclude_unset=True)
    services.update_request(request.organization, _actor(request), request_id, data)
    return _request(request, request_id)


@router.post(
    "/audit-requests/{int:request_id}/start",
    response={200: PbcRequestOut, **WRITE_ERRORS},
    summary="Start work on a request",
)
def start_request(request: HttpRequest, request_id: int = RequestId):
    """Mark an open or reopened request in progress (409 otherwise)."""
    services.start_work(request.organization, _actor(request), request_id)
    return _request(request, request_id)


@router.post(
    "/audit-requests/{int:request_id}/answer",
    response={200: PbcRequestOut, **WRITE_ERRORS},
    summary="Answer a request",
)
def answer_request(request: HttpRequest, payload: PbcAnswerIn, request_id: int = RequestId):
    """Answer with text and/or library evidence (ids linked besides those linked
    already); stops the response clock. Logged as `pbc.request_answered`."""
    services.answer_request(request.organization, _actor(request), request_id,
                            payload.answer, payload.evidence_ids)  # fmt: skip
    return _request(request, request_id)


@router.post(
    "/audit-requests/{int:request_id}/decision",
    response={200: PbcRequestOut, **WRITE_ERRORS},
    summary="Accept or reject an answer",
)
def decide_request(request: HttpRequest, payload: PbcDecisionIn, request_id: int = RequestId):
    """The auditor's verdict on an answered request: accepted, or rejected with a note
    (reopened with a new response clock)."""
    services.decide_request(request.organization, _actor(request), request_id,
                            payload.accept, payload.note)  # fmt: skip
    return _request(request, request_id)


@router.post(
    "/audit-requests/{int:request_id}/evidence",
    response={200: PbcRequestOut, **WRITE_ERRORS},
    summary="Link evidence to a request",
)
def link_evidence(request: HttpRequest, payload: PbcLinkIn, request_id: int = RequestId):
    """Link an existing evidence item of the library (409 when linked already)."""
    services.link_evidence(request.organization, _actor(request), request_id, payload.evidence_id)
    return _request(request, request_id)


@router.post(
    "/audit-requests/{int:request_id}/evidence/upload",
    response={200: PbcRequestOut, **WRITE_ERRORS},
    summary="Upload evidence for a request",
)
def upload_evidence(request: HttpRequest, request_id: int = RequestId,
                    title: Form[str] = "", file: UploadedFile | None = OptionalFile):  # fmt: skip
    """A multipart upload (`file`, optional `title`) stored as a new evidence item of the
    library and linked to the request."""
    services.upload_evidence(request.organization, _actor(request), request_id, file, title)
    return _request(request, request_id)


@router.delete(
    "/audit-requests/{int:request_id}/evidence/{int:evidence_id}",
    response={200: PbcRequestOut, **WRITE_ERRORS},
    summary="Unlink evidence from a request",
)
def unlink_evidence(request: HttpRequest, request_id: int = RequestId,
                    evidence_id: int = EvidenceId):  # fmt: skip
    """Remove the link; the evidence item stays in the library."""
    services.unlink_evidence(request.organization, _actor(request), request_id, evidence_id)
    return _request(request, request_id)


@router.get(
    "/audit-requests/{int:request_id}/suggestions",
    response={200: list[PbcSuggestionOut], **READ_ERRORS},
    summary="Proposed answers",
)
def suggestions(request: HttpRequest, request_id: int = RequestId):
    """Existing evidence the request's criteria and wording point to, best first, each
    with the reasons it is proposed. Confirm one to link it."""
    req = services.get_request(request.organization, request_id)
    return [
        {"evidence_id": s.evidence.pk, "title": s.evidence.title, "kind": s.evidence.kind,
         "collected_at": s.evidence.collected_at, "score": s.score, "reasons": s.reasons}
        for s in suggest.suggest(request.organization, req)
    ]  # fmt: skip


@router.post(
    "/audit-requests/{int:request_id}/suggestions/confirm",
    response={200: PbcRequestOut, **WRITE_ERRORS},
    summary="Confirm a proposed answer",
)
def confirm_suggestion(request: HttpRequest, payload: PbcLinkIn, request_id: int = RequestId):
    """Link a proposed evidence item to the request (recorded as chosen from the
    suggestions)."""
    services.link_evidence(request.organization, _actor(request), request_id,
                           payload.evidence_id, via="suggestion")  # fmt: skip
    return _request(request, request_id)


# -- exceptions -----------------------------------------------------------------------


@router.get(
    "/audits/{int:audit_id}/exceptions",
    response={200: list[PbcExceptionOut], **READ_ERRORS},
    summary="List an audit's exceptions",
)
def list_exceptions(request: HttpRequest, audit_id: int = AuditId):
    """Every exception of the audit with management's response, oldest first."""
    audit = services.get_audit(request.organization, audit_id)
    return list(queries.exceptions(request.organization, audit))


@router.get(
    "/audits/{int:audit_id}/exceptions/export",
    response={200: None, **READ_ERRORS},
    summary="Export exceptions with responses",
)
def export_exceptions(request: HttpRequest, filters: Query[PbcExportQuery],
                      audit_id: int = AuditId):  # fmt: skip
    """All exceptions with management's responses as one file for the draft report:
    `format` csv (default), xlsx or pdf."""
    audit = services.get_audit(request.organization, audit_id)
    return exports.render(request.organization, audit, filters.format.value)


@router.post(
    "/audits/{int:audit_id}/exceptions",
    response={201: PbcExceptionOut, **WRITE_ERRORS},
    summary="Record an exception",
)
def record_exception(request: HttpRequest, payload: PbcExceptionIn, audit_id: int = AuditId):
    """The auditor's exception: a control (by key), what was found, the period it covers
    and its severity. Logged as `pbc.exception_recorded`."""
    exc = services.record_exception(request.organization, _actor(request), audit_id,
                                    payload.model_dump(mode="json"))  # fmt: skip
    return Status(201, _exception(request, exc.pk))


@router.get(
    "/audit-exceptions/{int:exception_id}",
    response={200: PbcExceptionOut, **READ_ERRORS},
    summary="Get an exception",
)
def get_exception(request: HttpRequest, exception_id: int = ExceptionId):
    """One exception with management's response."""
    return _exception(request, exception_id)


@router.patch(
    "/audit-exceptions/{int:exception_id}",
    response={200: PbcExceptionOut, **WRITE_ERRORS},
    summary="Change an exception",
)
def update_exception(request: HttpRequest, payload: PbcExceptionPatch,
                     exception_id: int = ExceptionId):  # fmt: skip
    """Change the fields given. Logged as `pbc.exception_updated`."""
    data = payload.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    services.update_exception(request.organization, _actor(request), exception_id, data)
    return _exception(request, exception_id)


@router.put(
    "/audit-exceptions/{int:exception_id}/response",
    response={200: PbcExceptionOut, **WRITE_ERRORS},
    summary="Write management's response",
)
def respond(request: HttpRequest, payload: PbcResponseIn, exception_id: int = ExceptionId):
    """Management's response: accepted, compensating control or already remediated (with
    the date), its text, the date written and the evidence (which replaces any given
    before). Logged as `pbc.exception_response`."""
    data = payload.model_dump(mode="json")
    data["kind"] = payload.kind.value
    services.respond(request.organization, _actor(request), exception_id, data)
    return _exception(request, exception_id)
