"""6. Incident response: no approved plan (the ``incident-response`` policy), no test of
the plan (an ``exercise_report`` evidence item) in the last year, an incident of the
period without its detection or resolution time, or an incident open past its
severity's response target."""

from __future__ import annotations

from django.db.models import Q

from zgovern.evidence.models import EvidenceItem
from zgovern.findings.scan.base import (
    Exceptions,
    Item,
    Period,
    Windows,
    add_months,
    day_start,
    days_text,
    plural,
    ref,
)
from zgovern.incidents.models import ACTIVE_STATUSES, Incident, IncidentStatus
from zgovern.policies.models import Policy, VersionStatus

CATEGORY = "incidents"
CONTROLS = ("incident-response-plan", "incident-tracking")
CRITERIA = ("soc2:CC7.3", "soc2:CC7.4", "soc2:CC7.5")
SEVERITY = "high"
PLAN_KEY = "incident-response"
EXERCISE_KIND = "exercise_report"
DONE = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    items = _plan(org, period) + _exercise(org, period, windows)
    rows = (
        Incident.objects.filter(organization=org, detected_at__lt=period.end_at)
        .filter(
            Q(detected_at__gte=period.start_at)
            | Q(status__in=ACTIVE_STATUSES)
            | Q(resolved_at__gte=period.start_at)
        )
        .order_by("detected_at", "id")
    )
    incidents = list(rows)
    for incident in incidents:
        items += _incident(incident, period)
    flagged = len({i.subject_id for i in items if i.subject_type == "incident"})
    summary = (
        f"{flagged} of {plural(len(incidents), 'incident')} in the period lacked a detection "
        f"or resolution time or stayed open past its target"
        + ("; no approved incident response plan" if _has(items, "incidents:plan") else "")
        + ("; the plan was not tested in the year" if _has(items, "incidents:exercise") else "")
    )
    return Exceptions(items, population=len(incidents), summary=summary)


def _has(items: list[Item], prefix: str) -> bool:
    return any(i.key.startswith(prefix) for i in items)


def _plan(org, period: Period) -> list[Item]:
    plan = (
        Policy.objects.filter(organization=org)
        .filter(Q(key=PLAN_KEY) | Q(template_key=PLAN_KEY))
        .first()
    )
    approved = (
        plan is not None
        and plan.versions.filter(
            status__in=(VersionStatus.APPROVED, VersionStatus.PUBLISHED),
            approved_at__lt=period.end_at,
        ).exists()
    )
    if approved:
        return []
    return [
        Item(
            key=f"incidents:plan:{org.pk}",
            severity="critical",
            system="policies",
            subject_type="policy",
            subject_id=str(plan.pk if plan else ""),
            subject_label=plan.title if plan else "Incident response plan",
            wording="No approved incident response plan was in place in the period",
            controls=("incident-response-plan",),
            evidence=[ref("policy", plan.pk, plan.title)] if plan else [],
        )
    ]


def _exercise(org, period: Period, windows: Windows) -> list[Item]:
    since = day_start(add_months(period.as_of, -windows.plan_test_months))
    test = (
        EvidenceItem.objects.filter(
            organization=org,
            kind=EXERCISE_KIND,
            collected_at__gte=since,
            collected_at__lt=period.end_at,
        )
        .order_by("-collected_at")
        .first()
    )
    if test is not None:
        return []
    return [
        Item(
            key=f"incidents:exercise:{org.pk}",
            severity=SEVERITY,
            system="evidence",
            subject_type="control",
            subject_label="incident-response-tested",
            wording=f"No test of the incident response plan is on record in the "
            f"{windows.plan_test_months} months to {period.as_of}",
            controls=("incident-response-tested",),
        )
    ]


def _incident(incident: Incident, period: Period) -> list[Item]:
    base = {
        "system": "incidents",
        "subject_type": "incident",
        "subject_id": str(incident.pk),
        "subject_label": incident.title,
        "controls": ("incident-tracking",),
        "evidence": [ref("incident", incident.pk, incident.title)],
    }
    found = []
    if incident.status in DONE and incident.resolved_at is None:
        found.append(
            Item(
                key=f"incidents:times:{incident.pk}",
                severity="medium",
                wording=f"Incident '{incident.title}' ({incident.status}) has no "
                f"resolution time recorded",
                **base,
            )
        )
    end = incident.resolved_at or (None if incident.status in DONE else period.end_at)
    if end is not None and end > incident.due_at and incident.due_at < period.end_at:
        late = (min(end, period.end_at) - incident.due_at).total_seconds()
        still = incident.resolved_at is None
        found.append(
            Item(
                key=f"incidents:overdue:{incident.pk}",
                severity=SEVERITY,
                period_from=incident.due_at,
                period_until=min(end, period.end_at),
                duration_seconds=late,
                wording=f"Incident '{incident.title}', detected {incident.detected_at:%Y-%m-%d}, "
                f"{'was still open' if still else 'stayed open'} {days_text(late)} past its "
                f"response target ({incident.due_at:%Y-%m-%d %H:%M})",
                **base,
            )
        )
    return found
