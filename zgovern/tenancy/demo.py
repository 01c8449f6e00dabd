"""Demo records of the tenancy app: an open invitation and a read-only API token."""

from __future__ import annotations

from zgovern.tenancy import services
from zgovern.tenancy.models import ApiToken, Invitation, Membership
from zgovern.tenancy.roles import Role


def load(context) -> None:
    org = context.organization
    owner = context.user(Role.OWNER)
    membership = Membership.objects.get(organization=org, user=owner)
    if not Invitation.objects.filter(organization=org).exists():
        services.invite(org, membership, context.actor, "new.hire@acme.example", Role.MEMBER)
    if not ApiToken.objects.filter(organization=org).exists():
        services.create_api_token(
            org, membership, context.actor, name="Demo read-only", read_only=True, expires_at=None
        )
