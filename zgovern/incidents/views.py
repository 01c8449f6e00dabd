"""Incident pages: the log (filtered, sorted, paginated on the server, incidents open past
their target flagged), an incident's page with its timeline, the forms that log, change
and add to an incident, the response figures, the severity table and the CSV/XLSX
exports.

Access, refusals and bad input follow ``zgovern.core.pages``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core import exports, pages
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.incidents import figures, queries, services
from zgovern.incidents.forms import (
    FiguresForm,
    FilterForm,
    IncidentForm,
    TimelineForm,
    add_domain_error,
    incident_initial,
)
from zgovern.incidents.models import Incident, IncidentStatus

PAGE_SIZE = 50
PAGES = pages.Pages(active="incidents", readable="incidents")


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    return pages.found(queries.incident(request.organization, incident_id), "incident")


def _severity_names(request: HttpRequest) -> list[str]:
    return [s.name for s in queries.severity_table(request.organization)]


def _filtered(request: HttpRequest):
    form = FilterForm(request.GET or None, severities=_severity_names(request))
    return form, queries.incidents(request.organization, **form.filters())


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The log, 50 a page, filtered and sorted in the database."""
    form, rows = _filtered(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(request.GET.dict().keys() - {"page"}),
        "past_target": queries.past_target_count(request.organization),
        "now": timezone.now(),
    }
    return PAGES.render(request, "incidents/index.html", context, 400 if form.errors else 200)


@require_safe
def detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident(request, incident_id)
    context = {
        "incident": incident,
        "timeline": list(incident.timeline.all()),
        "risks": list(incident.risks.order_by("title")),
        "controls": list(incident.controls.order_by("key")),
        "timeline_form": TimelineForm(),
        "closed": incident.status == IncidentStatus.CLOSED,
        "hours": {name: figures.hours(getattr(incident, name)) for name, _, _ in figures.METRICS},
    }
    return PAGES.render(request, "incidents/detail.html", context)


@require_http_methods(pages.FORM_METHODS)
def add(request: HttpRequest) -> HttpResponse:
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    kwargs = {"org": request.organization, "severities": _severity_names(request)}
    if request.method == "POST":
        form = IncidentForm(request.POST, **kwargs)
    else:
        initial = {"detected_at": timezone.now().replace(second=0, microsecond=0)}
        form = IncidentForm(initial=initial, **kwargs)

    def save(form: IncidentForm) -> HttpResponse:
        incident = services.create_incident(
            request.organization, Actor.from_request(request), **form.fields_for_service()
        )
        return _done(request, incident, f"Incident “{incident.title}” logged.")

    return pages.form_flow(request, form, _shown(request, "add"), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def edit(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident(request, incident_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    kwargs = {"org": request.organization, "severities": _severity_names(request)}
    if request.method == "POST":
        form = IncidentForm(request.POST, **kwargs)
    else:
        form = IncidentForm(initial=incident_initial(incident), **kwargs)

    def save(form: IncidentForm) -> HttpResponse:
        services.update_incident(
            request.organization, Actor.from_request(request), incident.pk,
            **form.fields_for_service(),
        )  # fmt: skip
        return _done(request, incident, "Changes saved.")

    return pages.form_flow(request, form, _shown(request, "edit", incident), save, add_domain_error)


@require_POST
def add_timeline(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Append a response action from the incident's page."""
    incident = _incident(request, incident_id)
    form = TimelineForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.add_timeline_entry(
                request.organization, Actor.from_request(request), incident.pk,
                **form.cleaned_data,
            )  # fmt: skip
            return _done(request, incident, "Timeline entry added.")
        except DomainError as exc:
            status = add_domain_error(form, exc)
    context = {"form": form, "mode": "timeline", "incident": incident}
    return PAGES.render(request, "incidents/form.html", context, status)


@require_safe
def response_figures(request: HttpRequest) -> HttpResponse:
    """Time to detect, report, contain and resolve per severity over a period."""
    form = FiguresForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        zone = timezone.get_current_timezone()
        first, last = form.cleaned_data["detected_from"], form.cleaned_data["detected_to"]
        start = datetime.combine(first, time(), zone) if first else None
        end = datetime.combine(last + timedelta(days=1), time(), zone) if last else None
    rows = figures.response_figures(request.organization, start, end)
    context = {"form": form, "rows": rows, "metrics": [m for m, _, _ in figures.METRICS]}
    return PAGES.render(request, "incidents/figures.html", context, 400 if form.errors else 200)


@require_safe
def severity_table(request: HttpRequest) -> HttpResponse:
    return PAGES.render(request, "incidents/severities.html",
                 {"severities": queries.severity_table(request.organization)})  # fmt: skip


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    _, rows = _filtered(request)
    content = exports.csv_bytes(queries.EXPORT_HEADER, queries.export_rows(rows))
    return exports.download(content, _filename("csv"), "text/csv; charset=utf-8")


@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _, rows = _filtered(request)
    sheets = {"Incidents": (queries.EXPORT_HEADER, queries.export_rows(rows))}
    return exports.download(exports.xlsx_bytes(sheets), _filename("xlsx"), exports.XLSX_TYPE)


def _filename(extension: str) -> str:
    return f"incidents-{timezone.localdate().isoformat()}.{extension}"


def _shown(request: HttpRequest, mode: str, incident: Incident | None = None) -> pages.Show:
    """How form_flow shows the form of ``mode`` (about ``incident``, if any) with a status."""

    def show(form, status: int) -> HttpResponse:
        context = {"form": form, "mode": mode, "incident": incident}
        return PAGES.render(request, "incidents/form.html", context, status)

    return show


def _done(request: HttpRequest, incident: Incident, note: str) -> HttpResponse:
    return pages.done(request, "incidents:detail", note, incident_id=incident.pk)
