"""Organisation settings, members, invitations, API tokens and the activity log (web).

Pages are plain forms. A POST calls one service and redirects; when the input is bad or
the service refuses, the page is shown again with the reason and the matching 4xx status.
Capabilities are declared with ``@requires`` and enforced by the tenancy middleware.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy import queries, roles, services
from zgovern.tenancy.forms import (
    ActivityFilterForm,
    InviteForm,
    RoleForm,
    SettingsForm,
    TokenForm,
    add_domain_error,
)
from zgovern.tenancy.middleware import requires
from zgovern.tenancy.models import ApiToken, Invitation, Membership
from zgovern.tenancy.roles import Role

ACTIVITY_PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {"active": "settings", **context}, status=status)


# -- settings index -------------------------------------------------------------------


@requires(write=roles.MANAGE_SETTINGS)
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Name and required MFA: every reader sees them, owners and admins change them."""
    org = request.organization
    if request.method != "POST":
        return _settings(
            request, SettingsForm(initial={"name": org.name, "require_mfa": org.require_mfa})
        )
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _settings(request, form, 400)
    try:
        services.update_settings(org, _actor(request), **form.cleaned_data)
    except DomainError as exc:
        return _settings(request, form, add_domain_error(form, exc))
    messages.success(request, "Settings saved.")
    if org.require_mfa and not request.user.has_mfa:
        messages.warning(request, "MFA is now required: set up your authenticator to go on.")
    return redirect("tenancy:settings", org_slug=org.slug)


def _settings(request: HttpRequest, form: Form, status: int = 200) -> HttpResponse:
    can_edit = request.membership.can(roles.MANAGE_SETTINGS)
    context = {"tab": "general", "form": form, "can_edit": can_edit}
    return _page(request, "tenancy/settings.html", context, status)


# -- members and invitations ----------------------------------------------------------


@require_safe
def members_page(request: HttpRequest) -> HttpResponse:
    return _members(request)


def _members(
    request: HttpRequest,
    *,
    invite_form: Form | None = None,
    new_link: str = "",
    status: int = 200,
) -> HttpResponse:
    org, me = request.organization, request.membership
    can_manage, can_owners = me.can(roles.MANAGE_MEMBERS), me.can(roles.MANAGE_OWNERS)
    members = list(queries.members(org))
    for member in members:
        # Admins manage everyone but owners; owners manage everyone.
        member.editable = can_manage and (member.role != Role.OWNER or can_owners)
    context = {
        "tab": "members",
        "members": members,
        "invitations": queries.open_invitations(org),
        "invite_form": invite_form or InviteForm(),
        "grantable_roles": [
            (v, label) for v, label in Role.choices if v != Role.OWNER or can_owners
        ],
        "can_manage": can_manage,
        "new_link": new_link,
    }
    return _page(request, "tenancy/members.html", context, status)


def _members_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    messages.error(request, exc.message)
    return _members(request, status=exc.status)


def _back_after_change(request: HttpRequest, target: Membership) -> HttpResponse:
    # Demoting or removing oneself can take away the right to see the members page.
    if target.user_id == request.user.pk:
        return redirect("site:home")
    return redirect("tenancy:members", org_slug=request.organization.slug)


@requires(write=roles.MANAGE_MEMBERS)
@require_POST
def change_role(request: HttpRequest, member_id: int) -> HttpResponse:
    org = request.organization
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, organization=org
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _members_refused(
            request, DomainError("Choose one of the listed roles.", field="role")
        )
    role = form.cleaned_data["role"]
    try:
        services.change_role(org, request.membership, _actor(request), target.pk, role)
    except DomainError as exc:
        return _members_refused(request, exc)
    messages.success(request, f"{target.user.email} is now {Role(role).label.lower()}.")
    return _back_after_change(request, target)


@requires(write=roles.MANAGE_MEMBERS)
@require_POST
def remove_member(request: HttpRequest, member_id: int) -> HttpResponse:
    org = request.organization
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, organization=org
    )
    try:
        services.remove_member(org, request.membership, _actor(request), target.pk)
    except DomainError as exc:
        return _members_refused(request, exc)
    messages.success(request, f"{target.user.email} was removed from {org.name}.")
    return _back_after_change(request, target)


@requires(write=roles.MANAGE_MEMBERS)
@never_cache
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    """Invite by email; the link is also shown once on the page (mail may be down)."""
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members(request, invite_form=form, status=400)
    try:
        invitation, raw = services.invite(
            request.organization,
            request.membership,
            _actor(request),
            form.cleaned_data["email"],
            form.cleaned_data["role"],
        )
    except DomainError as exc:
        return _members(request, invite_form=form, status=add_domain_error(form, exc))
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return _members(request, new_link=services.invitation_url(raw))


@requires(write=roles.MANAGE_MEMBERS)
@require_POST
def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    org = request.organization
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=org)
    try:
        services.revoke_invitation(org, _actor(request), invitation.pk)
    except DomainError as exc:
        return _members_refused(request, exc)
    messages.success(request, f"The invitation of {invitation.email} was revoked.")
    return redirect("tenancy:members", org_slug=org.slug)


# -- API tokens -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    """List tokens; a POST creates one and shows its secret on this response only."""
    if request.method != "POST":
        return _tokens(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens(request, form, status=400)
    try:
        token, secret = services.create_api_token(
            request.organization,
            request.membership,
            _actor(request),
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            expires_at=form.expires_at(),
        )
    except DomainError as exc:
        status = add_domain_error(form, exc, {"expires_at": "expires_on"})
        return _tokens(request, form, status=status)
    messages.success(request, f"Token “{token.name}” created. Copy it now: it is shown only once.")
    return _tokens(request, TokenForm(), new_token=token, secret=secret)


def _tokens(
    request: HttpRequest,
    form: Form,
    *,
    new_token: ApiToken | None = None,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    me, now = request.membership, timezone.now()
    can_write, sees_all = me.can(roles.WRITE), me.can(roles.MANAGE_MEMBERS)
    tokens = list(queries.visible_tokens(request.organization, me))
    for token in tokens:
        token.status = queries.token_status(token, now)
        token.revocable = (
            can_write
            and token.status != queries.REVOKED
            and (sees_all or token.user_id == me.user_id)
        )
    context = {
        "tab": "tokens",
        "tokens": tokens,
        "form": form,
        "new_token": new_token,
        "secret": secret,
        "can_write": can_write,
        "sees_all": sees_all,
    }
    return _page(request, "tenancy/tokens.html", context, status)


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    org = request.organization
    token = get_object_or_404(ApiToken, pk=token_id, organization=org)
    try:
        services.revoke_api_token(org, request.membership, _actor(request), token.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _tokens(request, TokenForm(), status=exc.status)
    messages.success(request, f"Token “{token.name}” was revoked.")
    return redirect("tenancy:tokens", org_slug=org.slug)


# -- activity log ---------------------------------------------------------------------


@require_safe
def activity_page(request: HttpRequest) -> HttpResponse:
    """The log, newest first, 50 a page, optionally only actions with a given prefix."""
    form = ActivityFilterForm(request.GET)
    prefix, status = "", 200
    if form.is_valid():
        prefix = form.cleaned_data["action"]
    else:
        status = 400
    rows = queries.activity(request.organization, prefix)
    page = Paginator(rows, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.changes_text = json.dumps(row.changes, ensure_ascii=False, sort_keys=True)
    context = {"tab": "activity", "form": form, "page": page, "prefix": prefix}
    return _page(request, "tenancy/activity.html", context, status)
