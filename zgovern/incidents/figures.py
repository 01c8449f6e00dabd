"""Response figures of incidents, and the record a closed incident leaves as evidence.

Definitions (each in hours, per incident):

- **time to detect** = detected - started. Only incidents whose start is known count:
  without a start there is nothing to measure detection against, and substituting another
  interval would mix two quantities in one figure;
- **time to report** = reported - detected (how long until it reached the incident
  process), when a report time is recorded;
- **time to contain** = contained - detected;
- **time to resolve** = resolved - detected.

Per severity over a period (incidents *detected* in it), each figure gives the number of
incidents it could be measured for (``n``), the median, the mean and the 90th percentile
(nearest rank: the smallest value with at least 90 % of values at or below it).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from zgovern.incidents.models import Incident, Severity
from zgovern.tenancy.models import Organization

COLUMNS = ("started_at", "detected_at", "reported_at", "contained_at", "resolved_at")
METRICS = (
    ("time_to_detect", "started_at", "detected_at"),
    ("time_to_report", "detected_at", "reported_at"),
    ("time_to_contain", "detected_at", "contained_at"),
    ("time_to_resolve", "detected_at", "resolved_at"),
)


@dataclass(frozen=True)
class Summary:
    n: int
    median: float | None
    mean: float | None
    p90: float | None


@dataclass(frozen=True)
class SeverityFigures:
    severity: str
    incidents: int
    figures: dict[str, Summary]


def hours(delta: timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 2)


def summarise(values: list[float]) -> Summary:
    if not values:
        return Summary(0, None, None, None)
    ordered = sorted(values)
    rank = max(1, math.ceil(0.9 * len(ordered)))
    return Summary(
        n=len(ordered),
        median=round(statistics.median(ordered), 2),
        mean=round(statistics.fmean(ordered), 2),
        p90=round(ordered[rank - 1], 2),
    )


def response_figures(
    org: Organization, start: datetime | None = None, end: datetime | None = None
) -> list[SeverityFigures]:
    """Figures per severity (most severe first) for incidents detected in [start, end);
    one query for the times, one for the severities."""
    rows = Incident.objects.filter(organization=org)
    if start is not None:
        rows = rows.filter(detected_at__gte=start)
    if end is not None:
        rows = rows.filter(detected_at__lt=end)
    per_severity: dict[int, list[tuple]] = {}
    for values in rows.order_by().values_list("severity_id", *COLUMNS).iterator(chunk_size=5000):
        per_severity.setdefault(values[0], []).append(values[1:])
    result = []
    for severity in Severity.objects.filter(organization=org).order_by("rank", "name"):
        incidents = per_severity.get(severity.pk, [])
        result.append(SeverityFigures(severity.name, len(incidents), _figures(incidents)))
    return result


def _figures(incidents: list[tuple]) -> dict[str, Summary]:
    result = {}
    for name, start, end in METRICS:
        first, last = COLUMNS.index(start), COLUMNS.index(end)
        seconds = [
            (row[last] - row[first]).total_seconds()
            for row in incidents
            if row[first] is not None and row[last] is not None
        ]
        result[name] = summarise([s / 3600 for s in seconds])
    return result


def incident_record(incident: Incident) -> dict[str, Any]:
    """What a closed incident's evidence item holds: the incident, its figures and its
    whole timeline."""

    def iso(value):
        return value.isoformat() if value is not None else None

    return {
        "format": "zgovern.incident/1",
        "incident": {
            "id": incident.pk, "title": incident.title, "description": incident.description,
            "severity": incident.severity.name,
            "severity_definition": incident.severity.description,
            "response_target_hours": incident.severity.response_target_hours,
            "status": incident.status, "owner": incident.owner_email,
            "started_at": iso(incident.started_at), "detected_at": iso(incident.detected_at),
            "reported_at": iso(incident.reported_at), "contained_at": iso(incident.contained_at),
            "resolved_at": iso(incident.resolved_at), "closed_at": iso(incident.closed_at),
            "affected_systems": incident.affected_systems,
            "affected_data": incident.affected_data,
            "customers_notified": incident.customers_notified,
            "customers_notified_at": iso(incident.customers_notified_at),
            "root_cause": incident.root_cause, "lessons_learned": incident.lessons_learned,
            "risks": [{"id": r.pk, "title": r.title} for r in incident.risks.order_by("pk")],
            "controls": sorted(incident.controls.values_list("key", flat=True)),
        },
        "figures_hours": {name: hours(getattr(incident, name)) for name, _, _ in METRICS},
        "timeline": [
            {"at": iso(e.at), "by": e.by_label, "action": e.action,
             "recorded_by": e.recorded_by, "recorded_at": iso(e.recorded_at)}
            for e in incident.timeline.order_by("at", "pk")
        ],
    }  # fmt: skip
