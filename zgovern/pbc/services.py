"""The request list's and the exceptions' domain operations: the only code of the app that
writes. Each validates everything first, then writes in one transaction with its
activity-log row(s), so a refused call leaves nothing behind.

The response clock: it starts when a request is created, restarts when the assignee
changes or the auditor reopens it, and stops at the answer; ``target_at`` is its start
plus the audit's target hours (48 unless the audit sets another).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zgovern.audits.models import Audit
from zgovern.controls.lookups import to_pk
from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.evidence import services as evidence_services
from zgovern.evidence.models import EvidenceItem
from zgovern.pbc import importer
from zgovern.pbc import validation as v
from zgovern.pbc.models import (
    DEFAULT_TARGET_HOURS,
    AuditException,
    AuditRequest,
    ExceptionEvidence,
    Origin,
    PbcSettings,
    RequestEvidence,
    RequestStatus,
    ResponseKind,
    Severity,
)
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

MAX_TARGET_HOURS = 24 * 90
UPLOAD_KIND = "audit-request-answer"
WAITING = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS, RequestStatus.REOPENED)


# -- lookups --------------------------------------------------------------------------


def get_audit(org: Organization, audit_id: Any) -> Audit:
    audit = Audit.objects.filter(organization=org, pk=to_pk(audit_id)).first()
    if audit is None:
        raise NotFound("No such audit.")
    return audit


def get_request(org: Organization, request_id: Any, *, lock: bool = False) -> AuditRequest:
    rows = AuditRequest.objects.filter(organization=org, pk=to_pk(request_id))
    found = (rows.select_for_update() if lock else rows).select_related("audit").first()
    if found is None:
        raise NotFound("No such request.")
    return found


def get_exception(org: Organization, exception_id: Any, *, lock: bool = False) -> AuditException:
    rows = AuditException.objects.filter(organization=org, pk=to_pk(exception_id))
    found = (rows.select_for_update() if lock else rows).select_related("audit", "control").first()
    if found is None:
        raise NotFound("No such exception.")
    return found


def target_hours(audit: Audit) -> int:
    row = PbcSettings.objects.filter(organization=audit.organization_id, audit=audit).first()
    return row.target_hours if row else DEFAULT_TARGET_HOURS


def _evidence(org: Organization, evidence_id: Any, field: str = "evidence_id") -> EvidenceItem:
    item = EvidenceItem.objects.filter(organization=org, pk=to_pk(evidence_id)).first()
    if item is None:
        raise NotFound(
            f"No evidence item {str(evidence_id)[:20]} in this organisation.", field=field
        )
    return item


# -- requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestData:
    """A request's validated fields (``assignee`` resolved to a user)."""

    reference: str
    title: str
    description: str
    criteria_refs: list[str]
    due_date: Any
    assignee: Any
    origin: str


def clean_request(
    org: Organization, audit: Audit, data: dict[str, Any], current: AuditRequest | None = None
) -> RequestData:
    """Validate a whole request (``current`` supplies what ``data`` leaves out)."""

    def pick(name: str, default: Any = None) -> Any:
        if name in data:
            return data[name]
        return getattr(current, name, default) if current is not None else default

    reference = v.text(pick("reference"), "reference", required=True)
    title = v.text(pick("title"), "title", required=True)
    description = v.text(pick("description", ""), "description")
    refs = v.split_refs(data["criteria"] if "criteria" in data else pick("criteria_refs", []))
    v.check_refs(org, audit.framework_id, refs)
    due = v.a_date(pick("due_date"), "due_date")
    created = timezone.localdate(current.created_at) if current else timezone.localdate()
    if due is not None and due < created and (current is None or "due_date" in data):
        raise DomainError(f"The due date {due} is before the request was made ({created}).",
                          field="due_date")  # fmt: skip
    if "assignee_email" in data:
        user = v.assignee(org, data["assignee_email"])
    else:
        user = current.assignee if current else None
    origin = pick("origin", Origin.STAFF) or Origin.STAFF
    if origin not in Origin.values:
        raise DomainError("origin must be auditor or staff.", field="origin")
    return RequestData(reference, title, description, refs, due, user, origin)


def _restart_clock(req: AuditRequest, hours: int, now: datetime) -> None:
    req.clock_started_at = now
    req.target_at = now + timedelta(hours=hours)


def create_request(
    org: Organization, actor: Actor, audit_id: Any, data: dict[str, Any]
) -> AuditRequest:
    """Add a request to the audit's list; a reference already used there is a 409."""
    audit = get_audit(org, audit_id)
    clean = clean_request(org, audit, data)
    with transaction.atomic():
        if AuditRequest.objects.filter(audit=audit, reference=clean.reference).exists():
            raise Conflict(f"The audit already has a request {clean.reference}.",
                           field="reference")  # fmt: skip
        req = _new_request(org, actor, audit, clean, target_hours(audit), timezone.now())
        req.save()
        record(org, actor, "pbc.request_created", req, _summary(req))
    return req


def _new_request(org, actor, audit, clean: RequestData, hours: int, now) -> AuditRequest:
    req = AuditRequest(
        organization=org, audit=audit, reference=clean.reference, title=clean.title,
        description=clean.description, criteria_refs=clean.criteria_refs,
        due_date=clean.due_date, assignee=clean.assignee, origin=clean.origin,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
        created_at=now,
    )  # fmt: skip
    _restart_clock(req, hours, now)
    return req


def _summary(req: AuditRequest) -> dict[str, Any]:
    return {
        "audit": req.audit_id,
        "reference": req.reference,
        "criteria": req.criteria_refs,
        "due_date": req.due_date,
        "assignee": req.assignee.email if req.assignee else None,
    }


def _apply(req: AuditRequest, clean: RequestData, hours: int) -> dict[str, list]:
    """Set the changed fields on ``req``; returns {field: [old, new]}."""
    changes: dict[str, list] = {}
    for name in ("reference", "title", "description", "criteria_refs", "due_date", "origin"):
        old, new = getattr(req, name), getattr(clean, name)
        if old != new:
            changes[name] = [old, new]
            setattr(req, name, new)
    if req.assignee_id != (clean.assignee.pk if clean.assignee else None):
        changes["assignee"] = [req.assignee.email if req.assignee else None,
                               clean.assignee.email if clean.assignee else None]  # fmt: skip
        req.assignee = clean.assignee
        if req.answered_at is None:
            _restart_clock(req, hours, timezone.now())
    return changes


def update_request(
    org: Organization, actor: Actor, request_id: Any, data: dict[str, Any]
) -> AuditRequest:
    """Change the fields given; a new assignee restarts the response clock."""
    with transaction.atomic():
        req = get_request(org, request_id, lock=True)
        clean = clean_request(org, req.audit, data, req)
        if (
            clean.reference != req.reference
            and AuditRequest.objects.filter(audit=req.audit, reference=clean.reference).exists()
        ):
            raise Conflict(f"The audit already has a request {clean.reference}.",
                           field="reference")  # fmt: skip
        changes = _apply(req, clean, target_hours(req.audit))
        if changes:
            req.save()
            record(org, actor, "pbc.request_updated", req, changes)
    return req


def start_work(org: Organization, actor: Actor, request_id: Any) -> AuditRequest:
    """Mark an open or reopened request in progress."""
    with transaction.atomic():
        req = get_request(org, request_id, lock=True)
        if req.status not in (RequestStatus.OPEN, RequestStatus.REOPENED):
            raise Conflict(f"The request is {req.get_status_display().lower()}.", field="status")
        req.status = RequestStatus.IN_PROGRESS
        req.save(update_fields=["status"])
        record(org, actor, "pbc.request_started", req)
    return req


def answer_request(
    org: Organization, actor: Actor, request_id: Any, answer: Any, evidence_ids: list[Any] = ()
) -> AuditRequest:
    """Answer with text and/or evidence (linked here, besides what is linked already);
    stops the clock. An accepted request cannot be answered again."""
    get_request(org, request_id)  # another organisation's id is a 404 before any 400
    text = v.text(answer, "answer")
    with transaction.atomic():
        req = get_request(org, request_id, lock=True)
        if req.status == RequestStatus.ACCEPTED:
            raise Conflict("The auditor has accepted this request already.", field="status")
        items = [_evidence(org, pk, "evidence_ids") for pk in dict.fromkeys(evidence_ids)]
        if not text and not items and not req.links.exists():
            raise DomainError("An answer needs text or evidence.", field="answer")
        for item in items:
            _link(org, actor, req, item, "library", strict=False)
        req.answer, req.status = text, RequestStatus.ANSWERED
        req.answered_at = timezone.now()
        req.save()
        record(org, actor, "pbc.request_answered", req,
               {"answer": text[:500], "evidence": [i.pk for i in items]})  # fmt: skip
    return req


def decide_request(
    org: Organization, actor: Actor, request_id: Any, accept: bool, note: Any = ""
) -> AuditRequest:
    """The auditor's verdict on an answer: accepted, or rejected (reopened, with a new
    clock). Only an answered request can be decided."""
    get_request(org, request_id)  # another organisation's id is a 404 before any 400
    note = v.text(note, "decision_note")
    if not accept and not note:
        raise DomainError("Say why the answer is rejected.", field="decision_note")
    with transaction.atomic():
        req = get_request(org, request_id, lock=True)
        if req.status != RequestStatus.ANSWERED:
            raise Conflict("Only an answered request can be accepted or rejected.",
                           field="status")  # fmt: skip
        now = timezone.now()
        req.decided_at, req.decision_note = now, note
        if accept:
            req.status = RequestStatus.ACCEPTED
        else:
            req.status, req.answered_at = RequestStatus.REOPENED, None
            _restart_clock(req, target_hours(req.audit), now)
        req.save()
        record(org, actor, "pbc.request_accepted" if accept else "pbc.request_rejected", req,
               {"note": note})  # fmt: skip
    return req


def _link(org, actor, req: AuditRequest, item: EvidenceItem, via: str, strict: bool = True):
    if RequestEvidence.objects.filter(request=req, evidence=item).exists():
        if strict:
            raise Conflict("This evidence already answers the request.", field="evidence_id")
        return None
    link = RequestEvidence.objects.create(
        organization=org, request=req, evidence=item, via=via,
        linked_by=actor.user if actor.user is not None and actor.user.pk else None,
    )  # fmt: skip
    record(org, actor, "pbc.evidence_linked", req,
           {"evidence": item.pk, "title": item.title, "via": via})  # fmt: skip
    return link


def link_evidence(
    org: Organization, actor: Actor, request_id: Any, evidence_id: Any, via: str = "library"
) -> RequestEvidence:
    """Link a library item to the request (409 when linked already); ``via`` is
    ``suggestion`` when the assignee confirms a proposed answer."""
    with transaction.atomic():
        req = get_request(org, request_id, lock=True)
        if req.status == RequestStatus.ACCEPTED:
            raise Conflict("The auditor has accepted this request already.", field="status")
        return _link(org, actor, req, _evidence(org, evidence_id), via)


def unlink_evidence(org: Organization, actor: Actor, request_id: Any, evidence_id: Any) -> None:
    with transaction.atomic():
        req = get_request(org, request_id, lock=True)
        if req.status == RequestStatus.ACCEPTED:
            raise Conflict("The auditor has accepted this request already.", field="status")
        deleted, _ = RequestEvidence.objects.filter(
            organization=org, request=req, evidence_id=to_pk(evidence_id)
        ).delete()
        if not deleted:
            raise NotFound("This evidence does not answer the request.", field="evidence_id")
        record(org, actor, "pbc.evidence_unlinked", req, {"evidence": to_pk(evidence_id)})


def upload_evidence(
    org: Organization, actor: Actor, request_id: Any, uploaded_file: Any, title: Any = ""
) -> RequestEvidence:
    """Store a file as a new evidence item of the library and link it to the request."""
    req = get_request(org, request_id)
    if req.status == RequestStatus.ACCEPTED:
        raise Conflict("The auditor has accepted this request already.", field="status")
    name = v.text(title if isinstance(title, str) else "", "evidence_title")
    with transaction.atomic():
        item = evidence_services.add_file(
            org, actor, kind=UPLOAD_KIND, uploaded_file=uploaded_file,
            title=name or f"{req.reference}: {req.title}"[:200],
            description=f"Uploaded to answer audit request {req.reference}.",
            tags=[f"pbc:{req.reference}"[:60]],
        )  # fmt: skip
        req = get_request(org, req.pk, lock=True)
        return _link(org, actor, req, item, "upload")


def set_target_hours(org: Organization, actor: Actor, audit_id: Any, hours: Any) -> int:
    """Change the audit's response target; unanswered requests get their target moved
    (from their clock's start). Returns the target in hours."""
    audit = get_audit(org, audit_id)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_TARGET_HOURS:
        raise DomainError(f"target_hours must be a whole number from 1 to {MAX_TARGET_HOURS}.",
                          field="target_hours")  # fmt: skip
    with transaction.atomic():
        row, _ = PbcSettings.objects.select_for_update().get_or_create(
            organization=org, audit=audit
        )
        if row.target_hours == hours:
            return hours
        old, row.target_hours = row.target_hours, hours
        row.save()
        waiting = list(AuditRequest.objects.filter(audit=audit, answered_at__isnull=True))
        for req in waiting:
            req.target_at = req.clock_started_at + timedelta(hours=hours)
        AuditRequest.objects.bulk_update(waiting, ["target_at"], batch_size=500)
        record(org, actor, "pbc.target_changed", audit, {"target_hours": [old, hours]})
    return hours


# -- import ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_requests(
    org: Organization, actor: Actor, audit_id: Any, name: str, data: bytes | None
) -> ImportReport:
    """Import the auditor's request list (see :data:`importer.COLUMNS`), matched by
    reference. The file is checked whole first, against the framework's criteria and the
    members too: any problem raises :class:`importer.ImportError_` and nothing is written."""
    audit = get_audit(org, audit_id)
    if data is None:
        raise DomainError("Choose a CSV or XLSX file to import.", field="file")
    if len(data) > settings.ROSTER_MAX_BYTES:
        raise importer.too_large(settings.ROSTER_MAX_BYTES)
    rows = importer.read(name, data, max_rows=settings.ROSTER_MAX_ROWS)
    with transaction.atomic():
        existing = {r.reference: r for r in AuditRequest.objects.filter(audit=audit)}
        importer.check_against(org, audit, rows, existing, v.assignable_users(org))
        return _upsert(org, actor, audit, rows, existing)


def _upsert(org, actor, audit: Audit, rows, existing: dict[str, AuditRequest]) -> ImportReport:
    """New requests are inserted together and logged as one ``pbc.requests_imported`` row
    naming them (one row each took most of a 2,000-row import); changed ones are saved and
    logged one by one with their old and new values."""
    report, hours, now = ImportReport(), target_hours(audit), timezone.now()
    users = v.assignable_users(org)
    created: list[AuditRequest] = []
    for row in rows:
        clean = RequestData(row.reference, row.title, row.description, row.criteria, row.due_date,
                            users.get(row.assignee_email), Origin.AUDITOR)  # fmt: skip
        req = existing.get(row.reference)
        if req is None:
            created.append(_new_request(org, actor, audit, clean, hours, now))
        elif changes := _apply(req, replace(clean, origin=req.origin), hours):
            req.save()
            record(org, actor, "pbc.request_updated", req, {**changes, "source": "import"})
            report.updated += 1
        else:
            report.unchanged += 1
    if created:
        AuditRequest.objects.bulk_create(created, batch_size=500)
        record(org, actor, "pbc.requests_imported", audit,
               {"created": [req.reference for req in created]})  # fmt: skip
    report.created = len(created)
    return report


# -- exceptions -----------------------------------------------------------------------


def _clean_exception(org, audit: Audit, data: dict[str, Any], current=None) -> dict[str, Any]:
    def pick(name: str) -> Any:
        return data[name] if name in data else getattr(current, name, None)

    key = data.get("control") if "control" in data else (current.control.key if current else None)
    control = Control.objects.filter(organization=org, key=str(key or "")).first()
    if control is None:
        raise DomainError(f"No control {str(key or '')[:80]!r} in this organisation.",
                          field="control")  # fmt: skip
    description = v.text(pick("description"), "description", required=True)
    start = v.a_date(pick("period_from"), "period_from", required=True)
    end = v.a_date(pick("period_to"), "period_to", required=True)
    if end < start:
        raise DomainError(f"period_to {end} is before period_from {start}.", field="period_to")
    severity = pick("severity")
    if severity not in Severity.values:
        raise DomainError(f"severity must be one of {', '.join(Severity.values)}.",
                          field="severity")  # fmt: skip
    return {"control": control, "description": description, "period_from": start,
            "period_to": end, "severity": severity}  # fmt: skip


def record_exception(
    org: Organization, actor: Actor, audit_id: Any, data: dict[str, Any]
) -> AuditException:
    """The auditor's exception on a control over a period."""
    audit = get_audit(org, audit_id)
    clean = _clean_exception(org, audit, data)
    with transaction.atomic():
        exc = AuditException.objects.create(
            organization=org, audit=audit, **clean,
            recorded_by=actor.user if actor.user is not None and actor.user.pk else None,
        )  # fmt: skip
        record(org, actor, "pbc.exception_recorded", exc,
               {"audit": audit.pk, "control": clean["control"].key,
                "severity": clean["severity"]})  # fmt: skip
    return exc


def update_exception(
    org: Organization, actor: Actor, exception_id: Any, data: dict[str, Any]
) -> AuditException:
    with transaction.atomic():
        exc = get_exception(org, exception_id, lock=True)
        clean = _clean_exception(org, exc.audit, data, exc)
        changes = {}
        for name, new in clean.items():
            old = getattr(exc, name)
            if old != new:
                changes[name] = [str(old), str(new)]
                setattr(exc, name, new)
        if changes:
            exc.save()
            record(org, actor, "pbc.exception_updated", exc, changes)
    return exc


def respond(
    org: Organization, actor: Actor, exception_id: Any, data: dict[str, Any]
) -> AuditException:
    """Management's response: ``kind`` (accepted, compensating, remediated), the text, the
    date written (default today) and, for a remediation, the date it was remediated; plus
    evidence ids, which replace the response's evidence."""
    get_exception(org, exception_id)  # another organisation's id is a 404 before any 400
    kind = data.get("kind")
    if kind not in ResponseKind.values:
        raise DomainError(f"kind must be one of {', '.join(ResponseKind.values)}.", field="kind")
    text = v.text(data.get("text"), "response_text", required=True)
    responded = v.a_date(data.get("responded_on"), "responded_on") or timezone.localdate()
    remediated = v.a_date(data.get("remediated_on"), "remediated_on")
    if kind == ResponseKind.REMEDIATED and remediated is None:
        raise DomainError("Give the date it was remediated.", field="remediated_on")
    if remediated and remediated > timezone.localdate():
        raise DomainError("remediated_on cannot be in the future.", field="remediated_on")
    ids = list(dict.fromkeys(data.get("evidence_ids") or []))
    with transaction.atomic():
        exc = get_exception(org, exception_id, lock=True)
        items = [_evidence(org, pk, "evidence_ids") for pk in ids]
        if remediated and remediated < exc.period_from:
            raise DomainError("remediated_on is before the exception's period.",
                              field="remediated_on")  # fmt: skip
        exc.response_kind, exc.response_text = kind, text
        exc.responded_on, exc.remediated_on = responded, remediated
        exc.responded_by = actor.user if actor.user is not None and actor.user.pk else None
        exc.save()
        ExceptionEvidence.objects.filter(organization=org, exception=exc).delete()
        ExceptionEvidence.objects.bulk_create(
            [ExceptionEvidence(organization=org, exception=exc, evidence=i) for i in items]
        )
        record(org, actor, "pbc.exception_response", exc,
               {"kind": kind, "text": text[:500], "responded_on": responded,
                "remediated_on": remediated, "evidence": [i.pk for i in items]})  # fmt: skip
    return exc
