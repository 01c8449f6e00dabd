"""REST endpoints of the current organisation: the organisation, members, invitations,
API tokens and the activity log.

The bearer token decides the organisation (see the tenancy middleware), and every object
is looked up through it, so another organisation's id answers 404. Writes go through
:mod:`zgovern.tenancy.services`, which record each change in the activity log.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from zgovern.api import require
from zgovern.core.actor import Actor
from zgovern.tenancy import queries, roles, services
from zgovern.tenancy.models import ActivityLog, ApiToken, Invitation, Membership
from zgovern.tenancy.schemas import (
    ActivityOut,
    ActivityPage,
    ActivityQuery,
    ErrorOut,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MemberPatch,
    OrganizationOut,
    OrganizationPatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)

router = Router()

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


# -- organisation ---------------------------------------------------------------------


@router.get(
    "/organization",
    response={200: OrganizationOut, **READ_ERRORS},
    tags=["organization"],
    summary="Get the organisation",
)
def get_organization(request: HttpRequest):
    """The organisation the token belongs to: its name, web address slug and whether
    every member must sign in with MFA."""
    return request.organization


@router.patch(
    "/organization",
    response={200: OrganizationOut, **WRITE_ERRORS},
    tags=["organization"],
    summary="Change the organisation's settings",
)
def update_organization(request: HttpRequest, payload: OrganizationPatch):
    """Rename the organisation and/or require MFA for every member. Fields left out keep
    their value. Needs an owner or admin and a read-write token; a change is logged as
    `organization.settings_changed`."""
    require(request, roles.MANAGE_SETTINGS)
    org = request.organization
    services.update_settings(
        org,
        _actor(request),
        name=org.name if payload.name is None else payload.name,
        require_mfa=org.require_mfa if payload.require_mfa is None else payload.require_mfa,
    )
    return org


# -- members --------------------------------------------------------------------------


def _member(request: HttpRequest, member_id: int) -> Membership:
    return get_object_or_404(
        queries.members(request.organization), pk=member_id, organization=request.organization
    )


@router.get(
    "/members",
    response={200: list[MemberOut], **READ_ERRORS},
    tags=["members"],
    summary="List members",
)
def list_members(request: HttpRequest):
    """Everyone in the organisation with their role, whether they use MFA, and when they
    joined, oldest first."""
    return list(queries.members(request.organization))


@router.get(
    "/members/{member_id}",
    response={200: MemberOut, **READ_ERRORS},
    tags=["members"],
    summary="Get a member",
)
def get_member(request: HttpRequest, member_id: int):
    """One membership by id."""
    return _member(request, member_id)


@router.patch(
    "/members/{member_id}",
    response={200: MemberOut, **WRITE_ERRORS},
    tags=["members"],
    summary="Change a member's role",
)
def update_member(request: HttpRequest, member_id: int, payload: MemberPatch):
    """Give a member another role. Needs an owner or admin; only owners grant or take away
    `owner` (403), and the last owner cannot be demoted (409). Logged as
    `member.role_changed`."""
    require(request, roles.MANAGE_MEMBERS)
    target = _member(request, member_id)
    services.change_role(
        request.organization, request.membership, _actor(request), target.pk, payload.role.value
    )
    return _member(request, member_id)


@router.delete(
    "/members/{member_id}",
    response={204: None, **WRITE_ERRORS},
    tags=["members"],
    summary="Remove a member",
)
def remove_member(request: HttpRequest, member_id: int):
    """Take a member out of the organisation and revoke their API tokens for it. Needs an
    owner or admin; only owners remove owners, never the last one (409). Logged as
    `member.removed`."""
    require(request, roles.MANAGE_MEMBERS)
    target = _member(request, member_id)
    services.remove_member(request.organization, request.membership, _actor(request), target.pk)
    return Status(204, None)


# -- invitations ----------------------------------------------------------------------


@router.get(
    "/invitations",
    response={200: list[InvitationOut], **READ_ERRORS},
    tags=["invitations"],
    summary="List open invitations",
)
def list_invitations(request: HttpRequest):
    """Invitations not yet accepted or revoked, newest first; `expired` tells which ones
    can no longer be accepted."""
    return list(queries.open_invitations(request.organization))


@router.post(
    "/invitations",
    response={201: InvitationCreatedOut, **WRITE_ERRORS},
    tags=["invitations"],
    summary="Invite someone",
)
def create_invitation(request: HttpRequest, payload: InvitationIn):
    """Invite an email address with a role. The invitee gets the link by email; the
    response carries it once as `accept_url` too. An open invitation to the same address
    is replaced. Needs an owner or admin; admins cannot invite owners (403); a current
    member answers 409. Logged as `member.invited`."""
    require(request, roles.MANAGE_MEMBERS)
    invitation, raw = services.invite(
        request.organization,
        request.membership,
        _actor(request),
        payload.email,
        payload.role.value,
    )
    return Status(201, {"invitation": invitation, "accept_url": services.invitation_url(raw)})


@router.delete(
    "/invitations/{invitation_id}",
    response={204: None, **WRITE_ERRORS},
    tags=["invitations"],
    summary="Revoke an invitation",
)
def revoke_invitation(request: HttpRequest, invitation_id: int):
    """Withdraw an open invitation; its link stops working. An accepted or already revoked
    one answers 409. Logged as `member.invitation_revoked`."""
    require(request, roles.MANAGE_MEMBERS)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=request.organization)
    services.revoke_invitation(request.organization, _actor(request), invitation.pk)
    return Status(204, None)


# -- API tokens -----------------------------------------------------------------------


@router.get(
    "/tokens",
    response={200: list[TokenOut], **READ_ERRORS},
    tags=["tokens"],
    summary="List API tokens",
)
def list_tokens(request: HttpRequest):
    """Your API tokens, newest first; owners and admins see everyone's. The secret is
    never listed, only its `prefix`."""
    return list(queries.visible_tokens(request.organization, request.membership))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **WRITE_ERRORS},
    tags=["tokens"],
    summary="Create an API token",
)
def create_token(request: HttpRequest, payload: TokenIn):
    """Issue a token for yourself. `secret` is in this response only: store it now. Tokens
    are read-only unless `read_only` is false. Logged as `api_token.created`."""
    token, secret = services.create_api_token(
        request.organization,
        request.membership,
        _actor(request),
        name=payload.name,
        read_only=payload.read_only,
        expires_at=payload.expires_at,
    )
    return Status(201, {"token": token, "secret": secret})


@router.delete(
    "/tokens/{token_id}",
    response={204: None, **WRITE_ERRORS},
    tags=["tokens"],
    summary="Revoke an API token",
)
def revoke_token(request: HttpRequest, token_id: int):
    """Revoke one of your tokens (owners and admins: anyone's). It stops working at once;
    an already revoked token answers 409. Logged as `api_token.revoked`."""
    token = get_object_or_404(ApiToken, pk=token_id, organization=request.organization)
    services.revoke_api_token(request.organization, request.membership, _actor(request), token.pk)
    return Status(204, None)


# -- activity log ---------------------------------------------------------------------


@router.get(
    "/activity",
    response={200: ActivityPage, **READ_ERRORS},
    tags=["activity"],
    summary="List the activity log",
)
def list_activity(request: HttpRequest, filters: Query[ActivityQuery]):
    """Every recorded change, newest first, `limit` rows from `offset`. `action` keeps
    only actions starting with it (`member.` gives all membership changes). Each row
    carries its place in the tamper-evident hash chain."""
    rows = queries.activity(request.organization, filters.action)
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": list(page)}


@router.get(
    "/activity/{activity_id}",
    response={200: ActivityOut, **READ_ERRORS},
    tags=["activity"],
    summary="Get an activity row",
)
def get_activity(request: HttpRequest, activity_id: int):
    """One row of the activity log, with what changed."""
    return get_object_or_404(ActivityLog, pk=activity_id, organization=request.organization)
