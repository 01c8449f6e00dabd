"""Training admin pages: the adopted courses and the library, one course with who is due
or overdue, everyone's standing (with CSV/XLSX export), and the completion import.

Access, refusals and bad input follow ``zgovern.core.pages``; a bad import file shows every
problem with status 400.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core import exports, pages
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.people.forms import add_domain_error
from zgovern.training import catalog, importer, queries, services
from zgovern.training.forms import (
    AdoptForm,
    CourseForm,
    ImportForm,
    StatusFilterForm,
    course_initial,
)
from zgovern.training.models import Course
from zgovern.training.schedule import DUE, OVERDUE

ROWS_SHOWN = 500
PAGES = pages.Pages(active="training", readable="training")


def _course(request: HttpRequest, course_id: int) -> Course:
    return pages.found(queries.course(request.organization, course_id), "course")


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The adopted courses with how many people are done, due and overdue, and the
    library's courses not adopted yet."""
    org, today = request.organization, timezone.localdate()
    adopted = queries.courses(org)
    rows = queries.statuses(org, today)
    summary = [(c, queries.counts(r for r in rows if r.course.pk == c.pk)) for c in adopted]
    keys = {c.key for c in adopted}
    context = {
        "summary": summary,
        "library": [t for t in catalog.library() if t.key not in keys],
        "totals": queries.counts(rows),
    }
    return PAGES.render(request, "training/index.html", context)


@require_POST
def adopt(request: HttpRequest) -> HttpResponse:
    """Adopt one library course (``key``) or, with ``key=all``, every one not adopted."""
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = AdoptForm(request.POST)
    org, actor = request.organization, Actor.from_request(request)
    if not form.is_valid():
        messages.error(request, "Choose a course of the library to adopt.")
        return redirect("training:index", org_slug=org.slug)
    try:
        if form.cleaned_data["key"] == "all":
            added = services.adopt_library(org, actor)
            messages.success(request, f"{len(added)} course(s) adopted.")
        else:
            course = services.adopt_course(org, actor, form.cleaned_data["key"])
            messages.success(request, f"{course.title} adopted.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("training:index", org_slug=org.slug)


@require_safe
def detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id)
    rows = queries.statuses(request.organization, timezone.localdate(), course=course)
    open_rows = [r for r in rows if r.status in (DUE, OVERDUE)]
    open_rows.sort(key=lambda r: (r.status != OVERDUE, r.standing.due_on, r.person.full_name))
    context = {
        "course": course,
        "counts": queries.counts(rows),
        "rows": open_rows[:ROWS_SHOWN],
        "more": max(0, len(open_rows) - ROWS_SHOWN),
    }
    return PAGES.render(request, "training/detail.html", context)


@require_http_methods(pages.FORM_METHODS)
def edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    posted = request.method == "POST"
    form = CourseForm(request.POST) if posted else CourseForm(initial=course_initial(course))

    def save(form: CourseForm) -> HttpResponse:
        services.update_course(
            request.organization, Actor.from_request(request), course.pk, **form.cleaned_data
        )
        return pages.done(request, "training:detail", "Changes saved.", course_id=course.pk)

    def show(form: CourseForm, status: int) -> HttpResponse:
        return PAGES.render(request, "training/form.html", {"form": form, "course": course}, status)

    return pages.form_flow(request, form, show, save, add_domain_error)


def _filtered(request: HttpRequest) -> tuple[StatusFilterForm, list[queries.StatusRow]]:
    form = StatusFilterForm(request.GET or None)
    wanted, course = "", None
    if form.is_bound and form.is_valid():
        wanted = form.cleaned_data["status"]
        if form.cleaned_data["course"]:
            course = queries.course(request.organization, form.cleaned_data["course"])
    rows = queries.statuses(
        request.organization, timezone.localdate(), course=course,
        status=wanted if wanted not in ("", "all") else "",
    )  # fmt: skip
    if wanted == "":
        rows = [r for r in rows if r.status in (DUE, OVERDUE)]
    return form, rows


@require_safe
def status(request: HttpRequest) -> HttpResponse:
    """Everyone's standing per course: by default only who is due or overdue."""
    form, rows = _filtered(request)
    context = {
        "form": form,
        "rows": rows[:ROWS_SHOWN],
        "more": max(0, len(rows) - ROWS_SHOWN),
        "courses": queries.courses(request.organization),
        "query": request.GET.urlencode(),
    }
    return PAGES.render(request, "training/status.html", context, 400 if form.errors else 200)


@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The status page's rows as CSV (default) or XLSX (``?format=xlsx``)."""
    _, rows = _filtered(request)
    data = list(queries.export_rows(rows))
    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        content = exports.xlsx_bytes({"Training": (queries.EXPORT_HEADER, data)})
        return exports.download(content, f"training-{stamp}.xlsx", exports.XLSX_TYPE)
    content = exports.csv_bytes(queries.EXPORT_HEADER, data)
    return exports.download(content, f"training-{stamp}.csv", "text/csv; charset=utf-8")


@require_http_methods(pages.FORM_METHODS)
def import_completions(request: HttpRequest) -> HttpResponse:
    """The upload page documents the columns; a bad file answers 400 with every problem."""
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    context = {
        "columns": importer.COLUMNS,
        "problems": None,
        "report": None,
        "max_bytes": settings.ROSTER_MAX_BYTES,
        "courses": queries.courses(request.organization),
    }
    posted = request.method == "POST"
    form = ImportForm(request.POST, request.FILES) if posted else ImportForm()

    def run(form: ImportForm) -> object:
        upload = form.cleaned_data["file"]
        upload.seek(0)
        return services.import_completions(
            request.organization,
            Actor.from_request(request),
            upload.read(settings.ROSTER_MAX_BYTES + 1),
        )

    return PAGES.upload(
        request, "training/import.html", context, form, run, importer.ImportProblems,
        add_domain_error,
    )  # fmt: skip
