"""REST endpoints of operating effectiveness: one control's timeline, the summaries of
every in-scope control, and Type 2 readiness. Read-only; every object is looked up through
the token's organisation, so another organisation's id answers 404."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router

from zgovern.effectiveness import queries, type2
from zgovern.effectiveness.schemas import (
    MAX_ID,
    AuditQuery,
    ErrorOut,
    PeriodQuery,
    SummaryPage,
    TimelineOut,
    Type2Out,
)
from zgovern.effectiveness.timeline import SUMMARY_LABELS, Timeline

router = Router(tags=["effectiveness"])

READ_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 422)}
ControlId = Path(..., ge=1, le=MAX_ID, description="A control's id.")


def _summary(control, line: Timeline) -> dict:
    return {
        "control_id": control.pk,
        "control_key": control.key,
        "control_name": control.name,
        "summary": line.summary,
        "summary_label": SUMMARY_LABELS[line.summary],
        "reason": line.reason,
        "exceptions": line.exceptions,
    }


@router.get(
    "/effectiveness/controls/{control_id}/timeline",
    response={200: TimelineOut, **READ_ERRORS},
    summary="A control's operating timeline",
)
def control_timeline(request: HttpRequest, control_id: int = ControlId,
                     period: Query[PeriodQuery] = None):  # fmt: skip
    """Day by day whether the control operated over the period (default: the audit's, else
    the six months up to today), as segments of one status, its evidence windows, its
    population share and its exceptions with their dates."""
    org = request.organization
    found = queries.control(org, control_id)
    start, end = queries.period(org, queries.audit(org, period.audit_id), period.start, period.end)
    line = queries.one_timeline(org, found, start, end)
    segments = [{"status": s, "first": a, "last": b} for s, a, b in line.segments()]
    return {
        **_summary(found, line),
        "start": start,
        "end": end,
        "today": line.today,
        "counts": line.counts(),
        "segments": segments,
        "windows": line.windows,
        "population_total": len(line.population),
        "population_share": line.population_share,
        "unconnected_checks": line.unconnected,
    }


@router.get(
    "/effectiveness/summaries",
    response={200: SummaryPage, **READ_ERRORS},
    summary="Summaries of the in-scope controls",
)
def summaries(request: HttpRequest, period: Query[PeriodQuery]):
    """Operated throughout / exceptions / not operating for every in-scope control over the
    period, with each exception's dates."""
    org = request.organization
    chosen = queries.audit(org, period.audit_id)
    start, end = queries.period(org, chosen, period.start, period.end)
    rows = queries.summaries(org, chosen, start, end)
    return {"start": start, "end": end, "items": [_summary(c, line) for c, line in rows]}


@router.get(
    "/effectiveness/type2",
    response={200: Type2Out, **READ_ERRORS},
    summary="Type 2 readiness",
)
def type2_readiness(request: HttpRequest, params: Query[AuditQuery]):
    """How much of the intended period is covered with clean evidence, and the earliest day
    a clean six-month period could end at the current state."""
    org = request.organization
    result = type2.assess(org, queries.audit(org, params.audit_id))
    return type2_payload(result)


def type2_payload(result: type2.Type2Readiness) -> dict:
    controls = [
        {
            "control_id": row.control.pk,
            "control_key": row.control.key,
            "summary": row.timeline.summary,
            "clean_days": row.clean_days,
            "earliest_start": row.earliest_start,
            "blocking": row.blocking,
        }
        for row in result.controls
    ]
    return {
        "audit_id": result.audit.pk if result.audit else None,
        "start": result.start,
        "end": result.end,
        "today": result.today,
        "total_days": result.total_days,
        "elapsed_days": result.elapsed_days,
        "all_clean_days": result.all_clean_days,
        "coverage": result.coverage,
        "earliest_start": result.earliest_start,
        "earliest_end": result.earliest_end,
        "ready_now": result.ready_now,
        "counts": result.counts(),
        "controls": controls,
    }
