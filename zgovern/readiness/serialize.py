"""The readiness overview as plain data: the body of ``GET /readiness`` and of
``zgovern readiness ORG --format json``, so both say the same thing."""

from __future__ import annotations

from typing import Any

from zgovern.controls.models import ControlStatus
from zgovern.readiness.overview import FrameworkView, Overview


def overview_data(overview: Overview) -> dict[str, Any]:
    return {
        "organization": overview.organization.slug,
        "computed_at": overview.assessment.computed_at,
        "today": overview.today,
        "overdue_tasks": overview.overdue_tasks,
        "frameworks": [framework_data(fw) for fw in overview.frameworks],
    }


def framework_data(fw: FrameworkView) -> dict[str, Any]:
    r, p = fw.readiness, fw.projection
    counts = r.controls_by_status
    return {
        "id": r.framework.id,
        "key": r.framework.key,
        "name": r.framework.name,
        "version": r.framework.version,
        "score": round(r.score, 4),
        "criteria_in_scope": r.criteria_in_scope,
        "criteria_ready": r.criteria_ready,
        "criteria_uncovered": [c.ref for c in r.criteria_uncovered],
        "categories": [
            {
                "key": c.category.key,
                "name": c.category.name,
                "criteria_in_scope": c.criteria_in_scope,
                "criteria_ready": c.criteria_ready,
                "score": round(c.score, 4),
            }
            for c in r.categories
        ],
        "controls_by_status": {s.value: counts.get(s.value, 0) for s in ControlStatus},
        "gaps": [
            {
                "id": g.control.id,
                "key": g.control.key,
                "name": g.control.name,
                "severity": g.control.severity,
                "status": g.status,
                "reasons": list(g.reasons),
            }
            for g in fw.gaps
        ],
        "projection": {
            "status": p.status,
            "message": p.message,
            "date": p.date,
            "earliest": p.earliest,
            "latest": p.latest,
            "slope_per_week": None if p.slope_per_week is None else round(p.slope_per_week, 6),
        },
    }
