"""The tenant choke point.

Tenant rows are reached through ``TenantModel.objects``, which raises outside an active
scope. The only reads that cross organisations are the few below, each of which starts
from something that is not tenant data (a user, a slug, a token hash) and says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import Http404
from django_scopes import scope, scopes_disabled

from zgovern.tenancy.models import ApiToken, Membership, Organization


@contextmanager
def organization_scope(org: Organization) -> Iterator[None]:
    """Activate ``org`` as the only organisation tenant queries may see."""
    with scope(organization=org):
        yield


def memberships_of(user) -> list[Membership]:
    """Every organisation ``user`` belongs to: the organisation switcher's list."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user)
            .select_related("organization")
            .order_by("organization__name")
        )


def membership_for(org: Organization, user) -> Membership | None:
    with organization_scope(org):
        return Membership.objects.filter(organization=org, user=user).first()


def organization_for_member(slug: str, user) -> tuple[Organization, Membership]:
    """The organisation at ``slug`` and ``user``'s membership in it; 404 when either is
    missing, so an outsider cannot tell another organisation's slug exists."""
    org = Organization.objects.filter(slug=slug).first()
    membership = membership_for(org, user) if org is not None else None
    if membership is None:
        raise Http404("No such organisation")
    return org, membership


def token_by_hash(token_hash: str) -> ApiToken | None:
    """The token with this hash, in whichever organisation issued it: the token is what
    tells us the organisation, so this lookup cannot be scoped in advance."""
    with scopes_disabled():
        return (
            ApiToken.objects.filter(token_hash=token_hash)
            .select_related("organization", "user")
            .first()
        )
