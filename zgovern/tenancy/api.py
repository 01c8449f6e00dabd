"""REST endpoints of the current organisation: the organisation, members, invitations,
API tokens and the activity log."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["organization"])


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    require_mfa: bool


@router.get("/organization", response=OrganizationOut)
def get_organization(request: HttpRequest):
    """The organisation the token belongs to."""
    return request.organization
