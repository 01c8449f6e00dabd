"""The readiness report a manager can send: a printable page, a PDF and a workbook, all
built from the same overview (see :mod:`zgovern.readiness.overview`). Read-only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from zgovern.core.exports import XLSX_TYPE, download
from zgovern.readiness import export, overview, pdf


def _overview(request: HttpRequest) -> overview.Overview:
    return overview.build(request.organization, with_plan=True)


def _filename(result: overview.Overview, extension: str) -> str:
    return f"readiness-{result.organization.slug}-{result.today:%Y-%m-%d}.{extension}"


@require_safe
def report(request: HttpRequest) -> HttpResponse:
    context = {"active": "dashboard", "overview": _overview(request)}
    return render(request, "readiness/report.html", context)


@require_safe
def report_pdf(request: HttpRequest) -> HttpResponse:
    result = _overview(request)
    return download(pdf.render(result), _filename(result, "pdf"), "application/pdf")


@require_safe
def report_xlsx(request: HttpRequest) -> HttpResponse:
    result = _overview(request)
    return download(export.workbook(result), _filename(result, "xlsx"), XLSX_TYPE)
