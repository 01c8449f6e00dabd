"""Change records pages: the list (filtered, sorted, 50 a page) with its CSV and XLSX
exports, and one record. Records come from syncs, so the pages only read (READ)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from zgovern.changes import exports, queries
from zgovern.changes.forms import FilterForm

PAGE_SIZE = 50


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {"active": "changes", **context}, status=status)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Newest merge first unless sorted otherwise; a bad filter answers 400 naming it."""
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    rows = queries.changes(request.organization, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": any(v for k, v in filters.items() if k != "sort"),
        "repositories": queries.repositories(request.organization),
        "query": request.GET.urlencode(),
    }
    return _page(request, "changes/index.html", context, 400 if form.errors else 200)


@require_safe
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list, whole, as CSV or XLSX; a bad filter answers 400."""
    if fmt not in exports.FORMATS:
        raise Http404("No such export format")
    form = FilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _page(request, "changes/index.html", {"form": form, "page": None}, 400)
    filters = form.filters() if form.is_bound else {}
    rows = queries.changes(request.organization, **filters)
    return exports.download(rows, request.organization.slug, fmt)


@require_safe
def detail(request: HttpRequest, change_id: int) -> HttpResponse:
    record = queries.change(request.organization, change_id)
    if record is None:
        raise Http404("No such change record")
    return _page(request, "changes/detail.html", {"change": record})
