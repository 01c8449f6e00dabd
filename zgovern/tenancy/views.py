"""Organisation settings, members, invitations, API tokens and the activity log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "tenancy/settings.html", {"active": "settings"})
