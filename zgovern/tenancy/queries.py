"""Reads shared by the settings pages and the REST API. Each takes the organisation and
filters by it explicitly, on top of the active scope."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from zgovern.accounts.models import TOTPDevice
from zgovern.tenancy import roles
from zgovern.tenancy.models import ActivityLog, ApiToken, Invitation, Membership, Organization

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"


def members(org: Organization) -> QuerySet[Membership]:
    """Memberships with their user and ``mfa_enabled`` (a confirmed authenticator)."""
    devices = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed_at__isnull=False)
    return (
        Membership.objects.filter(organization=org)
        .select_related("user")
        .annotate(mfa_enabled=Exists(devices))
        .order_by("created_at", "id")
    )


def open_invitations(org: Organization) -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked, newest first (expired ones included, so
    they can be seen and withdrawn)."""
    return (
        Invitation.objects.filter(
            organization=org, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def visible_tokens(org: Organization, membership: Membership) -> QuerySet[ApiToken]:
    """One's own tokens; everyone's for those who manage members."""
    tokens = ApiToken.objects.filter(organization=org).select_related("user")
    if not membership.can(roles.MANAGE_MEMBERS):
        tokens = tokens.filter(user=membership.user)
    return tokens.order_by("-created_at", "-id")


def token_status(token: ApiToken, now=None) -> str:
    if token.revoked_at is not None:
        return REVOKED
    return ACTIVE if token.is_usable(now) else EXPIRED


def activity(org: Organization, action_prefix: str = "") -> QuerySet[ActivityLog]:
    """The log, newest first, optionally only actions starting with ``action_prefix``."""
    rows = ActivityLog.objects.filter(organization=org).order_by("-seq")
    if action_prefix:
        rows = rows.filter(action__startswith=action_prefix)
    return rows
