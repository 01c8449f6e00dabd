"""The web shell: landing redirect, dashboard, own tasks, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from zgovern.core import health
from zgovern.readiness import overview
from zgovern.tenancy import roles
from zgovern.tenancy.middleware import requires
from zgovern.tenancy.scoping import memberships_of


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in user to their first organisation, or to create one."""
    memberships = memberships_of(request.user)
    if not memberships:
        return redirect("accounts:new_organization")
    return redirect("core:dashboard", org_slug=memberships[0].organization.slug)


@require_safe
@requires(read=roles.OWN_TASKS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Readiness of every adopted framework: score, categories, controls by status, the
    worst gaps, overdue tasks and the burn-up chart with the projected audit-ready date.
    Employees, who may not read compliance data, are sent to their own tasks."""
    if not request.membership.can(roles.READ):
        return redirect("core:my_tasks", org_slug=request.organization.slug)
    context = {"active": "dashboard", "overview": overview.build(request.organization)}
    return render(request, "core/dashboard.html", context)


@require_safe
@requires(read=roles.OWN_TASKS)
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own tasks (the employee portal's list)."""
    from zgovern.portal.views import tasks_context

    return render(request, "core/my_tasks.html", {"active": "tasks", **tasks_context(request)})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    body = health.report()
    return JsonResponse(body, status=200 if body["database"] == "ok" else 503)
