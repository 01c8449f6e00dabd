"""The audit bundle's section of requests and exceptions: every request with its answer
and the ids of the evidence that answers it, and every exception with management's
response (CSV and XLSX each)."""

from __future__ import annotations

from zgovern.audits.builder import BundleContext
from zgovern.pbc import exports, queries
from zgovern.pbc.models import AuditRequest, RequestEvidence

REQUEST_HEADER = ["reference", "title", "criteria", "due date", "assignee", "status",
                  "created at", "target", "answered at", "late", "answer", "evidence ids",
                  "auditor's note"]  # fmt: skip


def write(ctx: BundleContext) -> None:
    org, audit = ctx.org, ctx.audit
    evidence: dict[int, list[int]] = {}
    links = RequestEvidence.objects.filter(organization=org, request__audit=audit)
    for request_id, evidence_id in links.values_list("request_id", "evidence_id"):
        evidence.setdefault(request_id, []).append(evidence_id)
    rows = [_request_row(req, evidence.get(req.pk, [])) for req in queries.requests(org, audit)]
    ctx.add_table("requests/requests", REQUEST_HEADER, rows, "Requests with answers", "requests")
    ctx.add_table("requests/exceptions", exports.HEADER, exports.rows(org, audit),
                  "Exceptions and responses", "requests")  # fmt: skip


def _request_row(req: AuditRequest, evidence_ids: list[int]) -> list:
    return [
        req.reference, req.title, "; ".join(req.criteria_refs), req.due_date,
        req.assignee.email if req.assignee else "", req.get_status_display(), req.created_at,
        req.target_at, req.answered_at, "yes" if req.is_late() else "no", req.answer,
        " ".join(str(pk) for pk in sorted(evidence_ids)), req.decision_note,
    ]  # fmt: skip
