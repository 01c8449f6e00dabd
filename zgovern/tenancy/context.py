"""Template context for the organisation shell: current organisation, switcher, navigation."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from zgovern.core.navigation import visible_sections
from zgovern.tenancy.scoping import memberships_of


def tenancy(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        "sections": visible_sections(membership),
        "my_memberships": SimpleLazyObject(lambda: memberships_of(user) if user else []),
    }
