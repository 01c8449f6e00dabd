"""Monitoring pages, under ``/o/<slug>/monitoring/``: the checks and their current counts,
one check (current failures, failing since, history chart), resources and a resource's
timeline per check, runs, and the upload of a scanner's OCSF findings.

Everything here reads, except the upload (WRITE, enforced by the tenancy middleware).
"""

from __future__ import annotations

import re
from datetime import UTC

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.controls.models import SEVERITY_RANK
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.integrations.models import Integration
from zgovern.monitoring import charts, queries, registry, services
from zgovern.monitoring.checkspec import CHECK_ID
from zgovern.monitoring.forms import ImportForm, ResourceFilterForm
from zgovern.monitoring.models import CheckInterval, CheckRun, CheckStatus, Resource
from zgovern.monitoring.ocsf import NotOcsf
from zgovern.monitoring.schemas import CHECK_ID_PATTERN
from zgovern.tenancy import roles

PAGE_SIZE = 50
HISTORY_DAYS = 90
FAILURES_SHOWN = 200

RECORDABLE_CHECK_ID = re.compile(CHECK_ID_PATTERN)


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"active": "monitoring", "can_write": request.membership.can(roles.WRITE), **context}
    return render(request, template, context, status=status)


# -- checks ---------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every check with its current pass/fail/error counts, failing ones first."""
    org = request.organization
    counts = queries.current_counts(org)
    specs = registry.all_checks()
    rows = [
        {
            "id": check_id,
            "spec": specs.get(check_id),
            "counts": counts.get(check_id, queries.CheckCounts()),
        }
        for check_id in sorted(set(specs) | set(counts))
    ]
    rows.sort(key=lambda r: (-r["counts"].failing, -r["counts"].errors, -_rank(r["spec"]), r["id"]))
    context = {
        "tab": "checks",
        "rows": rows,
        "integrations": Integration.objects.filter(organization=org).count(),
        "failing": sum(1 for r in rows if r["counts"].failing),
    }
    return _page(request, "monitoring/index.html", context)


def _rank(spec) -> int:
    return SEVERITY_RANK.get(spec.severity, 0) if spec else 0


@require_safe
def check(request: HttpRequest, check_id: str) -> HttpResponse:
    org = request.organization
    if not RECORDABLE_CHECK_ID.fullmatch(check_id):
        # Not an id any check or import could record (PostgreSQL would also refuse a NUL).
        raise Http404("No such check")
    spec = registry.get(check_id) if CHECK_ID.fullmatch(check_id) else None
    counts = queries.current_counts(org).get(check_id)
    recorded = CheckInterval.objects.filter(organization=org, check_id=check_id)
    if spec is None and counts is None and not recorded.exists():
        raise Http404("No such check")
    failures = list(queries.current_failures(org, check_id)[:FAILURES_SHOWN])
    context = {
        "tab": "checks",
        "check_id": check_id,
        "spec": spec,
        "counts": counts or queries.CheckCounts(),
        "failures": failures,
        "failing_since": queries.first_failing_since(org, check_id),
        "chart": charts.daily_bars(queries.daily_fail_counts(org, check_id, HISTORY_DAYS)),
    }
    return _page(request, "monitoring/check.html", context)


# -- resources ------------------------------------------------------------------------


@require_safe
def resources(request: HttpRequest) -> HttpResponse:
    form = ResourceFilterForm(request.GET or None)
    rows = Resource.objects.filter(organization=request.organization)
    if form.is_valid():
        if term := form.cleaned_data["q"]:
            rows = rows.filter(Q(name__icontains=term) | Q(external_id__icontains=term))
        if kind := form.cleaned_data["resource_type"]:
            rows = rows.filter(resource_type=kind)
    open_ = Q(intervals__ended_at__isnull=True)
    rows = rows.annotate(
        failing=Count("intervals", filter=open_ & Q(intervals__status=CheckStatus.FAIL)),
        passing=Count("intervals", filter=open_ & Q(intervals__status=CheckStatus.PASS)),
    ).order_by("-failing", "resource_type", "name", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return _page(
        request,
        "monitoring/resources.html",
        {"tab": "resources", "form": form, "page": page},
        status,
    )


class _AtForm(forms.Form):
    at = forms.DateTimeField(
        required=False,
        label="Status at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


@require_safe
def resource(request: HttpRequest, resource_id: int) -> HttpResponse:
    """The resource's timeline per check over the last 90 days, and its status at a moment."""
    org = request.organization
    item = get_object_or_404(Resource, pk=resource_id, organization=org)
    history = queries.resource_history(org, item)
    now = timezone.now()
    start = charts.window(item.first_seen_at, now, HISTORY_DAYS)
    at_form = _AtForm(request.GET or None)
    at = None
    if at_form.is_valid() and at_form.cleaned_data["at"]:
        at = at_form.cleaned_data["at"].astimezone(UTC)
    context = {
        "tab": "resources",
        "resource": item,
        "timelines": charts.timelines(history, start, now),
        "history": history,
        "specs": registry.all_checks(),
        "start": start,
        "now": now,
        "at_form": at_form,
        "at": at,
        "at_statuses": queries.statuses_at(org, item.pk, at) if at else [],
    }
    return _page(request, "monitoring/resource.html", context, 400 if at_form.errors else 200)


# -- runs -----------------------------------------------------------------------------


@require_safe
def runs(request: HttpRequest) -> HttpResponse:
    rows = queries.runs(request.organization)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, "monitoring/runs.html", {"tab": "runs", "page": page})


@require_safe
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    item = get_object_or_404(CheckRun, pk=run_id, organization=request.organization)
    return _page(request, "monitoring/run.html", {"tab": "runs", "run": item})


# -- import ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def import_findings(request: HttpRequest) -> HttpResponse:
    org = request.organization
    if not request.membership.can(roles.WRITE):
        messages.info(request, f"Your role ({request.membership.role}) cannot import findings.")
        return redirect("monitoring:runs", org_slug=org.slug)
    choices = Integration.objects.filter(organization=org).order_by("name")
    if request.method != "POST":
        return _import(request, ImportForm(integrations=choices))
    form = ImportForm(request.POST, request.FILES, integrations=choices)
    if not form.is_valid():
        return _import(request, form, 400)
    try:
        result = services.import_ocsf(
            org, Actor.from_request(request), form.cleaned_data["file"].read(),
            integration_id=form.cleaned_data["integration"] or None,
        )  # fmt: skip
    except NotOcsf as exc:
        for problem in exc.problems:
            form.add_error("file", problem)
        return _import(request, form, 400)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _import(request, form, exc.status)
    messages.success(request, f"Imported {sum(result.counts().values())} findings.")
    return redirect("monitoring:run", org_slug=org.slug, run_id=result.pk)


def _import(request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
    return _page(request, "monitoring/import.html", {"tab": "runs", "form": form}, status)
