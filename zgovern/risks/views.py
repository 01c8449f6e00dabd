"""Risk register pages: the register (filtered, sorted, paginated on the server), a risk's
page, the forms that add, edit and accept a risk, the heat maps, the scales, the yearly
assessment and the CSV/XLSX exports.

Reads need READ and writes WRITE (the tenancy middleware enforces it); a reader who opens
a form is sent back with a note. Bad input shows the form again with the reason and the
matching 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.core import exports
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.risks import queries, scales, services
from zgovern.risks.forms import (
    AcceptanceForm,
    AssessmentForm,
    FilterForm,
    RiskForm,
    add_domain_error,
    risk_initial,
)
from zgovern.risks.models import Risk, Treatment
from zgovern.tenancy import roles

PAGE_SIZE = 50
FORM_METHODS = ["GET", "HEAD", "POST"]


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"active": "risks", "can_write": request.membership.can(roles.WRITE), **context}
    return render(request, template, context, status=status)


def _read_only(request: HttpRequest) -> HttpResponse | None:
    if request.membership.can(roles.WRITE):
        return None
    messages.info(request, f"Your role ({request.membership.role}) can read the register only.")
    return redirect("risks:index", org_slug=request.organization.slug)


def _risk(request: HttpRequest, risk_id: int) -> Risk:
    risk = queries.risk(request.organization, risk_id)
    if risk is None:
        raise Http404("No such risk")
    return risk


def _filtered(request: HttpRequest):
    form = FilterForm(request.GET or None)
    return form, queries.risks(request.organization, **form.filters())


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The register, 50 a page, filtered and sorted in the database."""
    form, rows = _filtered(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(request.GET.dict().keys() - {"page"}),
        "flags": queries.flag_counts(request.organization),
        "today": timezone.localdate(),
    }
    return _page(request, "risks/index.html", context, 400 if form.errors else 200)


@require_safe
def detail(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk = _risk(request, risk_id)
    table = scales.levels(request.organization)
    context = {
        "risk": risk,
        "controls": list(risk.controls.order_by("key")),
        "incidents": list(risk.incidents.order_by("-detected_at")[:50]),
        "likelihood": table[("likelihood", risk.likelihood)],
        "impact": table[("impact", risk.impact)],
    }
    return _page(request, "risks/detail.html", context)


@require_http_methods(FORM_METHODS)
def add(request: HttpRequest) -> HttpResponse:
    if (refused := _read_only(request)) is not None:
        return refused
    org = request.organization
    if request.method != "POST":
        return _form(request, RiskForm(org=org), "add")
    form = RiskForm(request.POST, org=org)
    if not form.is_valid():
        return _form(request, form, "add", status=400)
    try:
        risk = services.create_risk(org, Actor.from_request(request), **form.fields_for_service())
    except DomainError as exc:
        return _form(request, form, "add", status=add_domain_error(form, exc))
    return _done(request, risk, f"Risk “{risk.title}” added.")


@require_http_methods(FORM_METHODS)
def edit(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk = _risk(request, risk_id)
    if (refused := _read_only(request)) is not None:
        return refused
    org, accepted = request.organization, risk.treatment == Treatment.ACCEPT
    if request.method != "POST":
        form = RiskForm(initial=risk_initial(risk), org=org, accepted=accepted)
        return _form(request, form, "edit", risk)
    form = RiskForm(request.POST, org=org, accepted=accepted)
    if not form.is_valid():
        return _form(request, form, "edit", risk, 400)
    try:
        services.update_risk(org, Actor.from_request(request), risk.pk, **form.fields_for_service())
    except DomainError as exc:
        return _form(request, form, "edit", risk, add_domain_error(form, exc))
    return _done(request, risk, "Changes saved.")


@require_http_methods(FORM_METHODS)
def accept(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk = _risk(request, risk_id)
    if (refused := _read_only(request)) is not None:
        return refused
    if request.method != "POST":
        return _form(request, AcceptanceForm(), "accept", risk)
    form = AcceptanceForm(request.POST)
    if not form.is_valid():
        return _form(request, form, "accept", risk, 400)
    try:
        services.accept_risk(
            request.organization, Actor.from_request(request), risk.pk, **form.cleaned_data
        )
    except DomainError as exc:
        return _form(request, form, "accept", risk, add_domain_error(form, exc))
    return _done(request, risk, "Acceptance recorded.")


@require_safe
def heat_map(request: HttpRequest) -> HttpResponse:
    """Inherent and residual heat maps as plain HTML tables."""
    include_closed = request.GET.get("closed") == "1"
    maps = queries.heat_maps(request.organization, include_closed=include_closed)
    table = scales.levels(request.organization)
    context = {
        "maps": [("Inherent risk", maps["inherent"]), ("Residual risk", maps["residual"])],
        "impacts": [table[("impact", n)] for n in range(5, 0, -1)],
        "likelihoods": [table[("likelihood", n)] for n in range(1, 6)],
        "include_closed": include_closed,
    }
    return _page(request, "risks/heat_map.html", context)


@require_safe
def scale_table(request: HttpRequest) -> HttpResponse:
    org = request.organization
    context = {"axes": [(axis, scales.axis_levels(org, axis)) for axis in scales.AXES]}
    return _page(request, "risks/scales.html", context)


@require_http_methods(FORM_METHODS)
def assess(request: HttpRequest) -> HttpResponse:
    """Record the yearly risk assessment: the register snapshotted as evidence."""
    if (refused := _read_only(request)) is not None:
        return refused
    form = AssessmentForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return _form(request, form, "assess")
    if not form.is_valid():
        return _form(request, form, "assess", status=400)
    try:
        item = services.record_assessment(
            request.organization, Actor.from_request(request), **form.cleaned_data
        )
    except DomainError as exc:
        return _form(request, form, "assess", status=add_domain_error(form, exc))
    messages.success(request, f"Recorded as evidence: {item.title}.")
    return redirect("evidence:detail", org_slug=request.organization.slug, evidence_id=item.pk)


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    _, rows = _filtered(request)
    content = exports.csv_bytes(queries.EXPORT_HEADER, queries.export_rows(rows))
    return exports.download(content, _filename("csv"), "text/csv; charset=utf-8")


@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _, rows = _filtered(request)
    content = exports.xlsx_bytes({"Risks": (queries.EXPORT_HEADER, queries.export_rows(rows))})
    return exports.download(content, _filename("xlsx"), exports.XLSX_TYPE)


def _filename(extension: str) -> str:
    return f"risk-register-{timezone.localdate().isoformat()}.{extension}"


def _form(
    request: HttpRequest, form, mode: str, risk: Risk | None = None, status: int = 200
) -> HttpResponse:
    return _page(request, "risks/form.html", {"form": form, "mode": mode, "risk": risk}, status)


def _done(request: HttpRequest, risk: Risk, note: str) -> HttpResponse:
    messages.success(request, note)
    return redirect("risks:detail", org_slug=request.organization.slug, risk_id=risk.pk)
