"""The admins' Trust Center pages: the overview (status, requests and downloads), the
settings form, the report upload, and approving or declining a request.

Reading needs READ; every change needs MANAGE_SETTINGS (owners and admins), enforced by
the tenancy middleware. A reader who opens a form is sent back with a note. Bad input
shows the form again with the reason and the matching 4xx status; nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy import roles
from zgovern.tenancy.middleware import requires
from zgovern.trust import forms, nda, queries, services

PAGE_SIZE = 50


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {
        "active": "trust",
        "can_manage": request.membership.can(roles.MANAGE_SETTINGS),
        **context,
    }
    return render(request, template, context, status=status)


def _refuse_readers(request: HttpRequest) -> HttpResponse | None:
    if request.membership.can(roles.MANAGE_SETTINGS):
        return None
    messages.info(request, f"Your role ({request.membership.role}) cannot change the Trust Center.")
    return redirect("trust_center:index", org_slug=request.organization.slug)


def _home(request: HttpRequest) -> HttpResponse:
    return redirect("trust_center:index", org_slug=request.organization.slug)


@require_safe
@requires(write=roles.MANAGE_SETTINGS)
def index(request: HttpRequest) -> HttpResponse:
    """Whether the page is on, what it shows, the report, the requests and downloads."""
    org = request.organization
    center = queries.center_or_default(org)
    status = request.GET.get("status", "")
    status = status if status in ("pending", "approved", "declined") else ""
    context = {
        "center": center,
        "period": queries.report_period(org, center),
        "public_url": request.build_absolute_uri(f"/trust/{org.slug}/"),
        "requests": Paginator(queries.requests(org, status), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "status": status,
        "downloads": list(queries.downloads(org)[:PAGE_SIZE]),
        "counts": {
            "controls": len(center.controls),
            "policies": len(center.policies),
            "frameworks": len(center.framework_ids),
        },
    }
    return _page(request, "trust/index.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@requires(write=roles.MANAGE_SETTINGS)
def edit(request: HttpRequest) -> HttpResponse:
    """The settings: on/off, texts, and what the public page shows."""
    if (refused := _refuse_readers(request)) is not None:
        return refused
    org = request.organization
    center = queries.center_or_default(org)
    if request.method != "POST":
        return _settings_form(request, center)
    try:
        values = forms.settings_from_post(org, request.POST)
        services.update_settings(org, Actor.from_request(request), **values)
    except DomainError as exc:
        return _settings_form(request, center, exc, request.POST, exc.status)
    messages.success(request, "Trust Center settings saved.")
    return _home(request)


def _settings_form(request, center, error=None, posted=None, status: int = 200) -> HttpResponse:
    org = request.organization
    values = forms.posted_values(org, posted) if posted is not None else forms.form_values(center)
    context = {
        "values": values,
        "error": error,
        "options": forms.options(org, values),
        "default_nda": nda.default_text(),
    }
    return _page(request, "trust/settings.html", context, status)


@require_http_methods(["GET", "HEAD", "POST"])
@requires(write=roles.MANAGE_SETTINGS)
def upload(request: HttpRequest) -> HttpResponse:
    """Upload the audit report (PDF) that approved prospects download."""
    if (refused := _refuse_readers(request)) is not None:
        return refused
    if request.method != "POST":
        return _page(request, "trust/upload.html", {"error": None})
    try:
        services.upload_report(
            request.organization, Actor.from_request(request),
            uploaded_file=request.FILES.get("file"), title=request.POST.get("title", ""),
        )  # fmt: skip
    except DomainError as exc:
        return _page(request, "trust/upload.html", {"error": exc}, exc.status)
    messages.success(request, "Report uploaded; approved prospects now download this file.")
    return _home(request)


@require_POST
@requires(write=roles.MANAGE_SETTINGS)
def approve(request: HttpRequest, trust_request_id: int) -> HttpResponse:
    row = queries.report_request(request.organization, trust_request_id)
    if row is None:
        raise Http404("No such request")
    try:
        row, url = services.approve_request(
            request.organization, Actor.from_request(request), row.pk
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _home(request)
    messages.success(request, f"Approved. The link was emailed to {row.email}: {url}")
    return _home(request)


@require_POST
@requires(write=roles.MANAGE_SETTINGS)
def decline(request: HttpRequest, trust_request_id: int) -> HttpResponse:
    row = queries.report_request(request.organization, trust_request_id)
    if row is None:
        raise Http404("No such request")
    try:
        services.decline_request(request.organization, Actor.from_request(request), row.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _home(request)
    messages.success(request, f"Declined the request of {row.name} ({row.company}).")
    return _home(request)
