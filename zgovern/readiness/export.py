"""The readiness report as a workbook: Summary, Categories, Controls, Gaps, Plan, History.

Every cell goes through :func:`zgovern.core.exports.xlsx_bytes`, which neutralises text a
spreadsheet would evaluate (a control named "=HYPERLINK(…)" stays text).
"""

from __future__ import annotations

from zgovern.core.exports import xlsx_bytes
from zgovern.readiness.overview import FrameworkView, Overview, is_overdue, status_label


def _pct(score: float) -> float:
    return round(score * 100, 1)


def workbook(overview: Overview) -> bytes:
    return xlsx_bytes(
        {
            "Summary": (SUMMARY, [_summary(fw) for fw in overview.frameworks]),
            "Categories": (CATEGORIES, _categories(overview)),
            "Controls": (CONTROLS, _controls(overview)),
            "Gaps": (GAPS, _gaps(overview)),
            "Plan": (PLAN, _plan(overview)),
            "History": (HISTORY, _history(overview)),
        }
    )


SUMMARY = [
    "Framework", "Version", "Readiness %", "Criteria in scope", "Criteria ready",
    "Criteria without a control", "Projection", "Projected date", "Earliest", "Latest",
    "Pace (points a week)", "Statement",
]  # fmt: skip


def _summary(fw: FrameworkView) -> list:
    r, p = fw.readiness, fw.projection
    pace = round(p.slope_per_week * 100, 2) if p.slope_per_week is not None else None
    return [
        r.framework.name, r.framework.version, _pct(r.score), r.criteria_in_scope,
        r.criteria_ready, len(r.criteria_uncovered), p.status.replace("_", " "), p.date,
        p.earliest, p.latest, pace, p.message,
    ]  # fmt: skip


CATEGORIES = ["Framework", "Category", "Criteria in scope", "Criteria ready", "Readiness %"]


def _categories(overview: Overview):
    for fw in overview.frameworks:
        for cat in fw.readiness.categories:
            yield [
                fw.framework.name, cat.category.name, cat.criteria_in_scope,
                cat.criteria_ready, _pct(cat.score),
            ]  # fmt: skip


CONTROLS = ["Key", "Control", "Domain", "Severity", "Owner", "Status", "Reasons"]


def _controls(overview: Overview):
    states = sorted(overview.assessment.controls.values(), key=lambda s: s.control.name)
    for state in states:
        control = state.control
        yield [
            control.key, control.name, control.domain, control.get_severity_display(),
            control.owner.email if control.owner else "", status_label(state.verdict.status),
            "\n".join(state.verdict.reasons),
        ]  # fmt: skip


GAPS = ["Framework", "Rank", "Key", "Control", "Severity", "Status", "Reasons"]


def _gaps(overview: Overview):
    for fw in overview.frameworks:
        for gap in fw.gaps:
            yield [
                fw.framework.name, gap.rank, gap.control.key, gap.control.name,
                gap.control.get_severity_display(), gap.label, "\n".join(gap.reasons),
            ]  # fmt: skip


PLAN = ["Task", "Control key", "Control", "Owner", "Priority", "Target date", "Status", "Overdue"]


def _plan(overview: Overview):
    for task in overview.tasks:
        control = task.control
        yield [
            task.title, control.key if control else "", control.name if control else "",
            task.owner.email if task.owner else "", task.get_priority_display(), task.target_date,
            task.get_status_display(), "yes" if is_overdue(task, overview.today) else "no",
        ]  # fmt: skip


HISTORY = ["Framework", "Day", "Readiness %", "Criteria ready", "Criteria in scope", "Source"]


def _history(overview: Overview):
    for fw in overview.frameworks:
        for snap in fw.snapshots:
            yield [
                fw.framework.name, snap.day, _pct(snap.score), snap.criteria_ready,
                snap.criteria_in_scope, "daily snapshot",
            ]  # fmt: skip
        r = fw.readiness
        yield [
            fw.framework.name, overview.today, _pct(r.score), r.criteria_ready,
            r.criteria_in_scope, "live",
        ]  # fmt: skip
