"""Effectiveness pages: the Type 2 readiness page, and two fragments loaded by htmx (the
timeline bar on a control's page, the dashboard widget). All read-only (READ, the tenancy
middleware's default for GET); a bad period answers 400 with the reason."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from zgovern.core.errors import DomainError, NotFound
from zgovern.effectiveness import queries, type2
from zgovern.effectiveness.timeline import SUMMARY_LABELS, Timeline


def _date(request: HttpRequest, name: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{name} is not a date (YYYY-MM-DD).", field=name) from None


def _audit_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("audit_id", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise DomainError("audit_id is not an id.", field="audit_id")
    return int(raw)


def bar(line: Timeline) -> list[dict]:
    """The timeline's segments as SVG rectangles in a viewBox one unit per day."""
    return [
        {
            "status": status,
            "x": (first - line.start).days,
            "width": (last - first).days + 1,
            "title": f"{first} to {last}: {status.replace('_', ' ')}",
        }
        for status, first, last in line.segments()
    ]


def _bad(request: HttpRequest, error: DomainError) -> HttpResponse:
    if isinstance(error, NotFound):
        raise Http404(str(error))
    context = {"message": str(error)}
    return render(request, "effectiveness/_error.html", context, status=error.status)


@require_safe
def timeline(request: HttpRequest, control_id: int) -> HttpResponse:
    """The control's timeline bar and exceptions (a fragment for the control's page)."""
    org = request.organization
    try:
        found = queries.control(org, control_id)
        start, end = queries.period(org, None, _date(request, "start"), _date(request, "end"))
    except DomainError as error:
        return _bad(request, error)
    line = queries.one_timeline(org, found, start, end)
    context = {"control": found, "line": line, "bar": bar(line), "days": len(line.days)}
    return render(request, "effectiveness/_timeline.html", context)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The Type 2 readiness page: coverage, earliest end, and every control's summary."""
    org = request.organization
    try:
        result = type2.assess(org, queries.audit(org, _audit_id(request)))
    except DomainError as error:
        return _bad(request, error)
    rows = [(row, bar(row.timeline)) for row in result.controls]
    context = {
        "active": "dashboard",
        "result": result,
        "rows": rows,
        "labels": SUMMARY_LABELS,
        "counts": result.counts(),
    }
    return render(request, "effectiveness/index.html", context)


@require_safe
def widget(request: HttpRequest) -> HttpResponse:
    """The compact Type 2 card of the dashboard (a fragment)."""
    result = type2.assess(request.organization)
    return render(
        request, "effectiveness/_widget.html", {"result": result, "counts": result.counts()}
    )
