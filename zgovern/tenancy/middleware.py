"""Resolve the organisation of every request and enforce it.

The organisation comes from the URL (``/o/<slug>/…``) for the web, or from the bearer
token for the API (``/api/v1/…``). Either way the rest of the request runs inside that
organisation's scope, where tenant queries are filtered to it and any other organisation's
object is simply not found. Outside both, tenant queries raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from zgovern.core.tokens import digest
from zgovern.tenancy import roles
from zgovern.tenancy.scoping import organization_for_member, organization_scope, token_by_hash
from zgovern.tenancy.services import touch_api_token

ORG_PATH = re.compile(r"^/o/(?P<slug>[-a-zA-Z0-9_]+)/")
API_PATH = "/api/v1/"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def requires(*, read: str = roles.READ, write: str = roles.WRITE):
    """Declare the capability an organisation view needs for reads and for writes.

    Undecorated views need ``read`` for GET/HEAD and ``write`` for anything else.
    """

    def decorate(view: Callable) -> Callable:
        view.zg_read, view.zg_write = read, write
        return view

    return decorate


class TenancyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None
        request.membership = None
        request.api_token = None
        match = ORG_PATH.match(request.path_info)
        if match:
            return self._web(request, match["slug"])
        if request.path_info.startswith(API_PATH) and "HTTP_AUTHORIZATION" in request.META:
            return self._api(request)
        return self.get_response(request)

    def _web(self, request: HttpRequest, slug: str) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        org, membership = organization_for_member(slug, request.user)
        if org.require_mfa and not request.user.has_mfa:
            return redirect(f"{reverse('accounts:mfa_setup')}?required={org.slug}")
        request.organization, request.membership = org, membership
        with organization_scope(org):
            return self.get_response(request)

    def _api(self, request: HttpRequest) -> HttpResponse:
        scheme, _, raw = request.META["HTTP_AUTHORIZATION"].partition(" ")
        token = token_by_hash(digest(raw.strip())) if scheme.lower() == "bearer" else None
        if token is None or not token.is_usable():
            return _api_error(401, "The API token is missing, unknown, revoked or expired.")
        org = token.organization
        with organization_scope(org):
            membership = token.user.memberships.filter(organization=org).first()
            if membership is None or not token.user.is_active:
                return _api_error(401, "The API token's owner is no longer a member.")
            touch_api_token(token)
            request.organization, request.membership, request.api_token = org, membership, token
            return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs):
        if request.membership is None or request.api_token is not None:
            return None
        view_kwargs.pop("org_slug", None)
        needed = (
            getattr(view_func, "zg_read", roles.READ)
            if request.method in SAFE_METHODS
            else getattr(view_func, "zg_write", roles.WRITE)
        )
        if not request.membership.can(needed):
            raise PermissionDenied(f"Your role ({request.membership.role}) cannot do this.")
        return None


def _api_error(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="zgovern"'
    return response
