"""Findings pages: the filtered list with the latest scan and a form to run one, one
finding, the exports (CSV, XLSX, PDF) and the dashboard include.

Reads need READ and running a scan WRITE (enforced by the tenancy middleware). A scan
runs in the background: the page queues it and shows its status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.core.exports import download
from zgovern.findings import export, queries, services
from zgovern.findings.forms import FilterForm, ScanForm, SettingsForm
from zgovern.findings.scan.base import windows_for
from zgovern.tenancy import roles

PAGE_SIZE = 50


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"active": "findings", "can_write": request.membership.can(roles.WRITE), **context}
    return render(request, template, context, status=status)


def _rows(request: HttpRequest):
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {"status": "open"}
    return form, filters, queries.findings(request.organization, **filters)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Findings, 50 a page, summaries first within each category, filtered."""
    form, filters, rows = _rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "scan_form": ScanForm(),
        "scan": queries.latest_scan(request.organization),
        "summary": queries.summary(request.organization),
        "systems": queries.systems(request.organization),
        "filtered": any(v for k, v in filters.items() if k != "status"),
        "query": request.GET.urlencode(),
    }
    return _page(request, "findings/index.html", context, 400 if form.errors else 200)


@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """Queue a scan for the period given (or the last 6 months)."""
    form = ScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the period as two dates (YYYY-MM-DD).")
        return redirect("findings:index", org_slug=request.organization.slug)
    try:
        services.request_scan(
            request.organization,
            Actor.from_request(request),
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"],
            audit_id=form.cleaned_data["audit_id"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("findings:index", org_slug=request.organization.slug)
    messages.success(request, "Scan queued: the findings below update when it finishes.")
    return redirect("findings:index", org_slug=request.organization.slug)


@require_safe
def summary(request: HttpRequest) -> HttpResponse:
    """The dashboard's findings panel (a fragment), from stored results."""
    context = {"summary": queries.summary(request.organization)}
    return render(request, "findings/_summary.html", context)


@require_safe
def detail(request: HttpRequest, finding_id: int) -> HttpResponse:
    row = queries.finding(request.organization, finding_id)
    if row is None:
        raise Http404("No such finding")
    return _page(request, "findings/detail.html", {"finding": row})


def _filename(request: HttpRequest, extension: str) -> str:
    return f"findings-{request.organization.slug}-{timezone.localdate()}.{extension}"


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    _, _, rows = _rows(request)
    return download(export.as_csv(rows.iterator(2000)), _filename(request, "csv"), "text/csv")


@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _, _, rows = _rows(request)
    content = export.as_xlsx(rows.iterator(2000))
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return download(content, _filename(request, "xlsx"), kind)


@require_safe
def export_pdf(request: HttpRequest) -> HttpResponse:
    _, _, rows = _rows(request)
    scan = queries.latest_scan(request.organization, done=True)
    heading = (
        f"Period {scan.period_start} to {scan.period_end}, scanned "
        f"{scan.finished_at:%Y-%m-%d %H:%M}"
        if scan
        else "No scan has run yet."
    )
    content = export.as_pdf(
        request.organization.name, heading, list(rows[: export.MAX_PDF_ROWS + 1])
    )
    return download(content, _filename(request, "pdf"), "application/pdf")


@require_http_methods(["GET", "HEAD", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    """The windows the scan tests; the revocation and onboarding windows are the identity
    settings'. Readers see them; writers change them."""
    windows = windows_for(request.organization)
    form = SettingsForm(request.POST or None, initial=vars(windows))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_settings(
                    request.organization, Actor.from_request(request), **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Windows saved; the next scan uses them.")
                return redirect("findings:settings", org_slug=request.organization.slug)
        status = 400
    return _page(request, "findings/settings.html", {"form": form, "windows": windows}, status)
