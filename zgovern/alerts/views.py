"""Alerts pages: the recent alerts, a user's choices per kind, and the organisation's
webhook and rate limit.

Reads need READ; changing one's own choices needs WRITE (a read-only auditor keeps the
defaults), the organisation's settings MANAGE_SETTINGS. The webhook URL is never rendered
back: the page shows its host only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.alerts import queries, services
from zgovern.alerts.forms import PreferencesForm, SettingsForm, add_domain_error
from zgovern.alerts.models import AlertStatus, Kind
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy import roles
from zgovern.tenancy.middleware import requires

PAGE_SIZE = 50


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    membership = request.membership
    context = {
        "active": "settings",
        "can_write": membership.can(roles.WRITE),
        "can_manage": membership.can(roles.MANAGE_SETTINGS),
        **context,
    }
    return render(request, template, context, status=status)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Recent alerts, newest first, 50 a page, filtered by kind and status."""
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    kind = kind if kind in Kind.values else ""
    status = status if status in AlertStatus.values else ""
    rows = queries.alerts_for(request.organization, request.membership, kind=kind, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kinds": Kind.choices,
        "statuses": AlertStatus.choices,
        "kind": kind,
        "status": status,
    }
    return _page(request, "alerts/index.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in user's choice per kind: immediately, in the daily digest, or off."""
    org = request.organization
    modes = services.modes_for(org, request.user)
    if request.method != "POST":
        form = PreferencesForm(initial=modes, initial_modes=modes)
        return _page(request, "alerts/preferences.html", {"form": form})
    form = PreferencesForm(request.POST, initial_modes=modes)
    if not form.is_valid():
        return _page(request, "alerts/preferences.html", {"form": form}, 400)
    try:
        services.set_modes(org, Actor.from_request(request), form.cleaned_data)
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _page(request, "alerts/preferences.html", {"form": form}, status)
    messages.success(request, "Your notification settings are saved.")
    return redirect("alerts:preferences", org_slug=org.slug)


@never_cache
@requires(write=roles.MANAGE_SETTINGS)
@require_http_methods(["GET", "HEAD", "POST"])
def org_settings(request: HttpRequest) -> HttpResponse:
    """The organisation's webhook (shown by host only), rate limit and weekly summary."""
    org = request.organization
    current = services.settings_for(org)
    if request.method != "POST":
        form = SettingsForm(
            initial={
                "rate_limit_minutes": current.rate_limit_minutes,
                "weekly_summary": current.weekly_summary,
            }
        )
        return _page(request, "alerts/settings.html", {"form": form, "current": current})
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _page(request, "alerts/settings.html", {"form": form, "current": current}, 400)
    data = form.cleaned_data
    try:
        services.update_settings(
            org,
            Actor.from_request(request),
            webhook_url=data["webhook_url"].strip() or None,
            clear_webhook=data["clear_webhook"],
            rate_limit_minutes=data["rate_limit_minutes"],
            weekly_summary=data["weekly_summary"],
        )
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _page(request, "alerts/settings.html", {"form": form, "current": current}, status)
    messages.success(request, "Alert settings saved.")
    return redirect("alerts:settings", org_slug=org.slug)
