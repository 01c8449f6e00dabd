"""Everything the readiness surfaces show (dashboard, report, CLI, API), read in a fixed
number of queries: one assessment, one query for the snapshot history of every framework,
and one for the remediation tasks, whatever the number of controls, results or evidence.

Today's point of each history is the live score, not today's stored snapshot (which can be
up to an hour old), so the headline figure, the chart's last point and the projection
agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.utils import timezone

from zgovern.controls.models import ControlStatus, RemediationTask, TaskStatus
from zgovern.readiness import chart, projection
from zgovern.readiness.engine import Assessment, FrameworkReadiness, assess_organization
from zgovern.readiness.models import ReadinessSnapshot

HISTORY_DAYS = 180
TOP_GAPS = 8
OPEN_TASK = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Gap:
    """A control that is not yet implemented and evidenced, as the pages list it."""

    rank: int
    control: object
    status: str
    label: str
    tone: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FrameworkView:
    readiness: FrameworkReadiness
    snapshots: list[ReadinessSnapshot]  # stored history before today, oldest first
    points: list[tuple[date, float]]  # the same plus today's live score
    projection: projection.Projection
    chart: chart.BurnUp

    @property
    def framework(self):
        return self.readiness.framework

    @property
    def statuses(self) -> list[StatusCount]:
        """Controls by status in the order of the scale, missing first; zeros included."""
        counts = self.readiness.controls_by_status
        return [StatusCount(s.value, s.label, counts.get(s.value, 0)) for s in ControlStatus]

    @cached_property
    def gaps(self) -> list[Gap]:
        """Every gap, worst first (the engine's order)."""
        return [
            Gap(rank, state.control, state.verdict.status, status_label(state.verdict.status),
                status_tone(state.verdict.status), state.verdict.reasons)
            for rank, state in enumerate(self.readiness.gaps, start=1)
        ]  # fmt: skip

    @property
    def top_gaps(self) -> list[Gap]:
        return self.gaps[:TOP_GAPS]


@dataclass(frozen=True)
class Overview:
    organization: object
    assessment: Assessment
    frameworks: list[FrameworkView]
    today: date
    overdue_tasks: int
    tasks: list[RemediationTask] = field(default_factory=list)  # with ``with_plan`` only

    def is_overdue(self, task: RemediationTask) -> bool:
        return is_overdue(task, self.today)


def is_overdue(task: RemediationTask, today: date) -> bool:
    return task.status in OPEN_TASK and task.target_date is not None and task.target_date < today


def build(org, *, today: date | None = None, with_plan: bool = False) -> Overview:
    """The organisation's readiness with history, projection and chart for each adopted
    framework. ``with_plan`` also loads every remediation task (the report's plan)."""
    today = today or timezone.localdate()
    assessment = assess_organization(org)
    history = _history(org, today)
    views = [
        _framework_view(r, history.get(r.framework.id, []), today) for r in assessment.frameworks
    ]
    if with_plan:
        tasks = list(
            RemediationTask.objects.filter(organization=org).select_related("control", "owner")
        )
        overdue = sum(is_overdue(t, today) for t in tasks)
    else:
        tasks = []
        overdue = RemediationTask.objects.filter(
            organization=org, status__in=OPEN_TASK, target_date__lt=today
        ).count()
    return Overview(org, assessment, views, today, overdue, tasks)


def _history(org, today: date) -> dict[int, list[ReadinessSnapshot]]:
    rows = ReadinessSnapshot.objects.filter(
        organization=org, day__gte=today - timedelta(days=HISTORY_DAYS), day__lt=today
    ).order_by("framework_id", "day")
    history: dict[int, list[ReadinessSnapshot]] = defaultdict(list)
    for row in rows:
        history[row.framework_id].append(row)
    return history


def _framework_view(readiness: FrameworkReadiness, snapshots, today: date) -> FrameworkView:
    points = [(s.day, s.score) for s in snapshots] + [(today, round(readiness.score, 6))]
    result = projection.project(points)
    fitted = projection.trend(points)
    drawing = chart.burn_up(readiness.framework.name, points, result, fitted, today)
    return FrameworkView(readiness, snapshots, points, result, drawing)


TONES = {
    ControlStatus.MISSING: "bad",
    ControlStatus.PARTIAL: "warn",
    ControlStatus.IMPLEMENTED: "warn",
    ControlStatus.EVIDENCED: "ok",
    ControlStatus.NOT_APPLICABLE: "",
}


def status_label(status: str) -> str:
    try:
        return ControlStatus(status).label
    except ValueError:
        return status


def status_tone(status: str) -> str:
    """The badge class of a status: bad, warn, ok or none."""
    return TONES.get(status, "")
