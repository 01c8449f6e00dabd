"""Reads of the request list and the exceptions, always through the organisation."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from zgovern.pbc.models import AuditException, AuditRequest

LATE = "late"  # unanswered past the target, or answered after it
OVERDUE = "overdue"  # unanswered past the target: what the point of contact chases
ON_TIME = "on_time"
TIMELINESS = (LATE, OVERDUE, ON_TIME)


def overdue_q(now=None) -> Q:
    return Q(answered_at__isnull=True, target_at__lt=now or timezone.now())


def late_q(now=None) -> Q:
    return overdue_q(now) | Q(answered_at__gt=F("target_at"))


def requests(
    org, audit, *, status: str = "", timeliness: str = "", assignee_id: int | None = None,
    q: str = "",
) -> QuerySet[AuditRequest]:  # fmt: skip
    """The audit's requests by reference, filtered."""
    rows = AuditRequest.objects.filter(organization=org, audit=audit).select_related(
        "assignee", "created_by"
    )
    if status:
        rows = rows.filter(status=status)
    if timeliness == LATE:
        rows = rows.filter(late_q())
    elif timeliness == OVERDUE:
        rows = rows.filter(overdue_q())
    elif timeliness == ON_TIME:
        rows = rows.exclude(late_q())
    if assignee_id:
        rows = rows.filter(assignee_id=assignee_id)
    if q:
        rows = rows.filter(Q(reference__icontains=q) | Q(title__icontains=q))
    return rows.order_by("reference", "id")


def counts(org, audit) -> dict[str, int]:
    rows = AuditRequest.objects.filter(organization=org, audit=audit)
    return {
        "total": rows.count(),
        "overdue": rows.filter(overdue_q()).count(),
        "answered": rows.filter(answered_at__isnull=False).count(),
    }


def exceptions(org, audit) -> QuerySet[AuditException]:
    return (
        AuditException.objects.filter(organization=org, audit=audit)
        .select_related("control", "recorded_by", "responded_by")
        .prefetch_related("links")
        .order_by("created_at", "id")
    )


def evidence_ids(exc: AuditException) -> list[int]:
    return sorted(link.evidence_id for link in exc.links.all())
