"""Risk register pages: the register (filtered, sorted, paginated on the server), a risk's
page, the forms that add, edit and accept a risk, the heat maps, the scales, the yearly
assessment and the CSV/XLSX exports.

Access, refusals and bad input follow ``zgovern.core.pages``.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.core import exports, pages
from zgovern.core.actor import Actor
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

PAGE_SIZE = 50
PAGES = pages.Pages(active="risks", readable="the register")


def _risk(request: HttpRequest, risk_id: int) -> Risk:
    return pages.found(queries.risk(request.organization, risk_id), "risk")


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
    return PAGES.render(request, "risks/index.html", context, 400 if form.errors else 200)


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
    return PAGES.render(request, "risks/detail.html", context)


@require_http_methods(pages.FORM_METHODS)
def add(request: HttpRequest) -> HttpResponse:
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    org = request.organization
    form = RiskForm(request.POST, org=org) if request.method == "POST" else RiskForm(org=org)

    def save(form: RiskForm) -> HttpResponse:
        risk = services.create_risk(org, Actor.from_request(request), **form.fields_for_service())
        return _done(request, risk, f"Risk “{risk.title}” added.")

    return pages.form_flow(request, form, _shown(request, "add"), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def edit(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk = _risk(request, risk_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    org, accepted = request.organization, risk.treatment == Treatment.ACCEPT
    if request.method == "POST":
        form = RiskForm(request.POST, org=org, accepted=accepted)
    else:
        form = RiskForm(initial=risk_initial(risk), org=org, accepted=accepted)

    def save(form: RiskForm) -> HttpResponse:
        services.update_risk(org, Actor.from_request(request), risk.pk, **form.fields_for_service())
        return _done(request, risk, "Changes saved.")

    return pages.form_flow(request, form, _shown(request, "edit", risk), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def accept(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk = _risk(request, risk_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = AcceptanceForm(request.POST) if request.method == "POST" else AcceptanceForm()

    def save(form: AcceptanceForm) -> HttpResponse:
        services.accept_risk(
            request.organization, Actor.from_request(request), risk.pk, **form.cleaned_data
        )
        return _done(request, risk, "Acceptance recorded.")

    return pages.form_flow(request, form, _shown(request, "accept", risk), save, add_domain_error)


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
    return PAGES.render(request, "risks/heat_map.html", context)


@require_safe
def scale_table(request: HttpRequest) -> HttpResponse:
    org = request.organization
    context = {"axes": [(axis, scales.axis_levels(org, axis)) for axis in scales.AXES]}
    return PAGES.render(request, "risks/scales.html", context)


@require_http_methods(pages.FORM_METHODS)
def assess(request: HttpRequest) -> HttpResponse:
    """Record the yearly risk assessment: the register snapshotted as evidence."""
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = AssessmentForm(request.POST if request.method == "POST" else None)

    def save(form: AssessmentForm) -> HttpResponse:
        item = services.record_assessment(
            request.organization, Actor.from_request(request), **form.cleaned_data
        )
        return pages.done(request, "evidence:detail", f"Recorded as evidence: {item.title}.",
                          evidence_id=item.pk)  # fmt: skip

    return pages.form_flow(request, form, _shown(request, "assess"), save, add_domain_error)


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


def _shown(request: HttpRequest, mode: str, risk: Risk | None = None) -> pages.Show:
    """How form_flow shows the form of ``mode`` (about ``risk``, if any) with a status."""

    def show(form, status: int) -> HttpResponse:
        context = {"form": form, "mode": mode, "risk": risk}
        return PAGES.render(request, "risks/form.html", context, status)

    return show


def _done(request: HttpRequest, risk: Risk, note: str) -> HttpResponse:
    return pages.done(request, "risks:detail", note, risk_id=risk.pk)
