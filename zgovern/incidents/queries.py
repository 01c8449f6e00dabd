"""Reads of the incident log for the pages, the API and the exports: the filtered and
sorted list and one incident. Filters and sorts run in the database on indexed columns;
"past its target" compares the stored ``due_at`` with now."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from zgovern.incidents.models import ACTIVE_STATUSES, Incident, Severity
from zgovern.tenancy.models import Organization

SORTS = {
    "detected": ("detected_at", "id"),
    "-detected": ("-detected_at", "-id"),
    "severity": ("severity__rank", "-detected_at", "-id"),
    "-severity": ("-severity__rank", "-detected_at", "-id"),
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "status": ("status", "-detected_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "-detected"


def incidents(
    org: Organization,
    *,
    q: str = "",
    severity: str = "",
    status: str = "",
    owner: str = "",
    past_target: bool = False,
    detected_from: datetime | None = None,
    detected_to: datetime | None = None,
    sort: str = "",
    now: datetime | None = None,
) -> QuerySet[Incident]:
    """The log filtered and sorted (``SORTS``; default newest detection first)."""
    rows = Incident.objects.filter(organization=org).select_related(
        "severity", "owner_user", "owner_person"
    )
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if severity:
        rows = rows.filter(severity__name__iexact=severity)
    if status:
        rows = rows.filter(status=status)
    if owner:
        rows = rows.filter(
            Q(owner_user__email__iexact=owner) | Q(owner_person__work_email__iexact=owner)
        )
    if past_target:
        rows = rows.filter(past_target_filter(now))
    if detected_from is not None:
        rows = rows.filter(detected_at__gte=detected_from)
    if detected_to is not None:
        rows = rows.filter(detected_at__lt=detected_to)
    return rows.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))


def attach_links(page: list[Incident]) -> list[Incident]:
    """Set ``linked_risk_ids`` and ``linked_control_ids`` on a page of incidents with two
    queries over the link tables (a prefetch builds a queryset per row, which costs more
    than the page itself)."""
    ids = [incident.pk for incident in page]
    risks = _links(Incident.risks.through, ids, "risk_id")
    controls = _links(Incident.controls.through, ids, "control_id")
    for incident in page:
        incident.linked_risk_ids = risks.get(incident.pk, [])
        incident.linked_control_ids = controls.get(incident.pk, [])
    return page


def _links(through, ids: list[int], target: str) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    rows = through.objects.filter(incident_id__in=ids).values_list("incident_id", target)
    for incident_id, other in rows.order_by(target):
        result.setdefault(incident_id, []).append(other)
    return result


def past_target_filter(now: datetime | None = None) -> Q:
    return Q(status__in=ACTIVE_STATUSES, due_at__lt=now or timezone.now())


def past_target_count(org: Organization) -> int:
    return Incident.objects.filter(organization=org).filter(past_target_filter()).count()


def incident(org: Organization, incident_id: int) -> Incident | None:
    rows = Incident.objects.filter(organization=org, pk=incident_id)
    return rows.select_related("severity", "owner_user", "owner_person", "evidence").first()


def severity_table(org: Organization) -> list[Severity]:
    """The organisation's severities, or the defaults (unsaved) before it has its own."""
    from zgovern.incidents import severities

    rows = list(Severity.objects.filter(organization=org).order_by("rank", "name"))
    if rows:
        return rows
    return [
        Severity(name=d.name, rank=d.rank, description=d.description,
                 response_target_hours=d.response_target_hours)
        for d in severities.defaults()
    ]  # fmt: skip


EXPORT_HEADER = (
    "id", "title", "severity", "status", "owner", "started_at", "detected_at", "reported_at",
    "contained_at", "resolved_at", "closed_at", "due_at", "past_target", "hours_to_detect",
    "hours_to_contain", "hours_to_resolve", "affected_systems", "affected_data",
    "customers_notified", "customers_notified_at", "root_cause", "lessons_learned",
    "evidence_id",
)  # fmt: skip


def export_rows(rows: QuerySet[Incident]):
    from zgovern.incidents.figures import hours

    now = timezone.now()
    for i in rows.iterator(chunk_size=2000):
        yield (
            i.pk, i.title, i.severity.name, i.status, i.owner_email, i.started_at,
            i.detected_at, i.reported_at, i.contained_at, i.resolved_at, i.closed_at, i.due_at,
            i.past_target(now), hours(i.time_to_detect), hours(i.time_to_contain),
            hours(i.time_to_resolve), i.affected_systems, i.affected_data,
            i.customers_notified, i.customers_notified_at, i.root_cause, i.lessons_learned,
            i.evidence_id,
        )  # fmt: skip
