"""The remediation plan's pages: every task (overdue first), filters, the button that
creates a task for each gap, a task's page and form, and the CSV and XLSX exports.

Same rules as the controls pages: capabilities are enforced by the tenancy middleware, a
POST calls one service and redirects, and a refusal is shown with its 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.controls import forms, queries, services
from zgovern.controls.lookups import to_pk
from zgovern.controls.models import RemediationTask, TaskStatus
from zgovern.controls.views import _actor, _page, _read_only
from zgovern.core import exports
from zgovern.core.errors import DomainError
from zgovern.frameworks.models import Framework

PAGE_SIZE = 100


def _plan_url(request: HttpRequest) -> str:
    return reverse("controls:plan", kwargs={"org_slug": request.organization.slug})


def _task_url(request: HttpRequest, task: RemediationTask) -> str:
    return reverse(
        "controls:task", kwargs={"org_slug": request.organization.slug, "task_id": task.pk}
    )


def _filter_form(request: HttpRequest) -> forms.TaskFilterForm:
    members = queries.owners(request.organization)
    return forms.TaskFilterForm(request.GET or None, members=members)


def _plan_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return _page(request, "controls/plan.html", {**context, "active": "plan"}, status)


@require_safe
def plan(request: HttpRequest) -> HttpResponse:
    """Every task, overdue ones first (and marked), then by priority and target date."""
    return _plan(request)


def _plan(request: HttpRequest, generate_form=None, status: int = 200) -> HttpResponse:
    org = request.organization
    form = _filter_form(request)
    filters = form.filters()
    page = Paginator(queries.tasks(org, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    frameworks = list(Framework.objects.filter(organization=org))
    context = {
        "form": form,
        "page": page,
        "filtered": filters != queries.TaskFilters(),
        "overdue_count": queries.tasks(org, queries.TaskFilters(overdue=True)).count(),
        "generate_form": generate_form or forms.GenerateForm(frameworks=frameworks),
        "statuses": TaskStatus.choices,
        "query": request.GET.urlencode(),
        "today": timezone.localdate(),
    }
    if form.is_bound and not form.is_valid():
        status = 400
    return _plan_page(request, context, status)


@require_safe
def plan_csv(request: HttpRequest) -> HttpResponse:
    rows = queries.plan_rows(request.organization, _filter_form(request).filters())
    content = exports.csv_bytes(queries.PLAN_HEADER, rows)
    return exports.download(content, _filename(request, "csv"), "text/csv; charset=utf-8")


@require_safe
def plan_xlsx(request: HttpRequest) -> HttpResponse:
    rows = queries.plan_rows(request.organization, _filter_form(request).filters())
    content = exports.xlsx_bytes({"Remediation plan": (queries.PLAN_HEADER, rows)})
    return exports.download(content, _filename(request, "xlsx"), exports.XLSX_TYPE)


def _filename(request: HttpRequest, extension: str) -> str:
    day = timezone.localdate()
    return f"{request.organization.slug}-remediation-plan-{day:%Y-%m-%d}.{extension}"


@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    """Create a task for each gap that has no open task (of one framework, or all)."""
    org = request.organization
    frameworks = list(Framework.objects.filter(organization=org))
    form = forms.GenerateForm(request.POST, frameworks=frameworks)
    if not form.is_valid():
        return _plan(request, form, 400)
    try:
        created = services.generate_tasks_for_gaps(
            org, _actor(request), form.cleaned_data["framework"]
        )
    except DomainError as exc:
        status = forms.add_domain_error(form, exc, {"framework_id": "framework"})
        return _plan(request, form, status)
    if created:
        messages.success(request, f"Created {len(created)} task(s), one for each open gap.")
    else:
        messages.info(request, "Every gap already has an open task; nothing was added.")
    return redirect(_plan_url(request))


def _task_form(request: HttpRequest, data=None, *, initial=None, with_status=False):
    org = request.organization
    return forms.TaskForm(
        data,
        initial=initial,
        owners=queries.owners(org),
        controls=queries.control_choices(org),
        with_status=with_status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    org = request.organization
    if (refused := _read_only(request, _plan_url(request))) is not None:
        return refused
    if request.method != "POST":
        control = to_pk(request.GET.get("control")) or None
        return _task_page(request, _task_form(request, initial={"control": control}), None)
    form = _task_form(request, request.POST)
    if not form.is_valid():
        return _task_page(request, form, None, 400)
    try:
        task = services.create_task(org, _actor(request), **form.cleaned_data)
    except DomainError as exc:
        return _task_page(request, form, None, forms.add_domain_error(form, exc))
    messages.success(request, "Task added to the plan.")
    return redirect(_task_url(request, task))


@require_http_methods(["GET", "HEAD", "POST"])
def task(request: HttpRequest, task_id: int) -> HttpResponse:
    """A task: its details for readers, its form for writers."""
    org = request.organization
    current = queries.task(org, task_id)
    if current is None:
        raise Http404("No such task")
    if request.method != "POST":
        initial = {
            "title": current.title, "description": current.description,
            "control": current.control_id, "owner": current.owner_id,
            "priority": current.priority, "target_date": current.target_date,
            "status": current.status,
        }  # fmt: skip
        return _task_page(request, _task_form(request, initial=initial, with_status=True), current)
    form = _task_form(request, request.POST, with_status=True)
    if not form.is_valid():
        return _task_page(request, form, current, 400)
    try:
        services.update_task(org, _actor(request), current.pk, **form.cleaned_data)
    except DomainError as exc:
        return _task_page(request, form, current, forms.add_domain_error(form, exc))
    messages.success(request, "Task saved.")
    return redirect(_task_url(request, current))


def _task_page(request, form, task: RemediationTask | None, status: int = 200) -> HttpResponse:
    context = {"form": form, "task": task, "active": "plan"}
    return _page(request, "controls/task.html", context, status)


@require_POST
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    """Change a task's status from the plan (done, won't do, reopen)."""
    org = request.organization
    current = queries.task(org, task_id)
    if current is None:
        raise Http404("No such task")
    form = forms.TaskStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed statuses.")
        return _plan(request, status=400)
    try:
        services.set_task_status(org, _actor(request), current.pk, form.cleaned_data["status"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return _plan(request, status=exc.status)
    label = TaskStatus(form.cleaned_data["status"]).label.lower()
    messages.success(request, f"“{current.title}” is now {label}.")
    # Back to where the button was: the task's page or the plan (never a given address).
    back = _task_url(request, current) if request.POST.get("back") == "task" else None
    return redirect(back or _plan_url(request))
