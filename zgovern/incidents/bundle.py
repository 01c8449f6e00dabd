"""The audit bundle's incidents: every incident open at any time during the period (detected
before it ended and not resolved or closed before it began), with its derived times, each
incident's timeline, and the response figures per severity for incidents detected in the
period."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q, QuerySet

from zgovern.audits.builder import BundleContext
from zgovern.incidents import figures, queries
from zgovern.incidents.models import Incident, TimelineEntry

SECTION = "incidents"
TIMELINE_HEADER = ["incident", "at", "by", "action", "recorded by", "recorded at"]
FIGURE_HEADER = ["severity", "incidents detected", "figure", "n", "median hours",
                 "mean hours", "p90 hours"]  # fmt: skip


def incidents_in_period(ctx: BundleContext) -> QuerySet[Incident]:
    start, end = ctx.bounds()
    still_open = Q(resolved_at__isnull=True, closed_at__isnull=True)
    ended_inside = Q(resolved_at__gte=start) | Q(resolved_at__isnull=True, closed_at__gte=start)
    return (
        queries.incidents(ctx.org, detected_to=end)
        .filter(still_open | ended_inside)
        .order_by("detected_at", "pk")
    )


def write(ctx: BundleContext) -> None:
    start, end = ctx.bounds()
    rows = incidents_in_period(ctx)
    header = [*queries.EXPORT_HEADER, "hours_to_report"]
    ctx.add_csv("incidents/incidents.csv", header, _incident_rows(rows),
                "Incidents in the period", SECTION)  # fmt: skip
    timeline = (
        TimelineEntry.objects.filter(organization=ctx.org, incident__in=rows.values("pk"))
        .order_by("incident__detected_at", "incident_id", "at", "pk")
        .values_list("incident_id", "at", "by_label", "action", "recorded_by", "recorded_at")
    )
    ctx.add_csv("incidents/timelines.csv", TIMELINE_HEADER, timeline.iterator(chunk_size=5000),
                "Incident timelines", SECTION)  # fmt: skip
    table = [
        [entry.severity, entry.incidents, name, s.n, s.median, s.mean, s.p90]
        for entry in figures.response_figures(ctx.org, start, end)
        for name, s in entry.figures.items()
    ]
    ctx.add_table("incidents/response-figures", FIGURE_HEADER, table,
                  "Incident response figures", SECTION)  # fmt: skip


def _incident_rows(rows: QuerySet[Incident]) -> Iterator[tuple]:
    """The incident log's export rows, each followed by its time to report (the export
    leaves it out; one narrow query reads it for all incidents of the period)."""
    reported = dict(
        (pk, figures.hours(r - d) if r and d else None)
        for pk, d, r in rows.values_list("pk", "detected_at", "reported_at").iterator()
    )
    for row in queries.export_rows(rows):
        yield (*row, reported.get(row[0]))
