"""Request and response bodies of the tenancy API.

Inputs refuse unknown fields, carry the model's length limits and use the role enum, so a
bad request fails validation with the field named before any service runs. Outputs list
exactly what is returned: a token's hash is never part of any of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool

from zgovern.core.schema_types import text
from zgovern.tenancy.models import ApiToken, Invitation, Membership
from zgovern.tenancy.queries import token_status
from zgovern.tenancy.roles import Role

OrgName = text(120, 1)
TokenName = text(100, 1)
# Checked by the service (Django's validator), which names the field in its 400.
Email = text(254, 3, format="email")
ActionPrefix = text(80)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class FieldError(Schema):
    field: str = Field(description="The input at fault, e.g. `name` or `body`.")
    message: str


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, for a person to read.")
    errors: list[FieldError] = Field(default=[], description="One entry per faulty input.")


# -- organisation ---------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str = Field(description="The organisation's part of web addresses: `/o/<slug>/`.")
    require_mfa: bool = Field(description="Every member must sign in with a second factor.")
    created_at: datetime


class OrganizationPatch(Input):
    name: OrgName | None = Field(None, description="New name; omit to keep the current one.")
    require_mfa: StrictBool | None = Field(None, description="Omit to keep the current value.")


# -- members --------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    email: str
    full_name: str
    role: Role
    mfa_enabled: bool = Field(description="The member has a confirmed authenticator app.")
    joined_at: datetime

    @staticmethod
    def resolve_email(obj: Membership) -> str:
        return obj.user.email

    @staticmethod
    def resolve_full_name(obj: Membership) -> str:
        return obj.user.full_name

    @staticmethod
    def resolve_mfa_enabled(obj: Membership) -> bool:
        return bool(getattr(obj, "mfa_enabled", False))

    @staticmethod
    def resolve_joined_at(obj: Membership) -> datetime:
        return obj.created_at


class MemberPatch(Input):
    role: Role = Field(description="Only owners grant or take away `owner`.")


# -- invitations ----------------------------------------------------------------------


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    invited_by: str = Field(description="Email address of the member who invited.")
    created_at: datetime
    expires_at: datetime
    expired: bool

    @staticmethod
    def resolve_invited_by(obj: Invitation) -> str:
        return obj.invited_by.email

    @staticmethod
    def resolve_expired(obj: Invitation) -> bool:
        return obj.is_expired()


class InvitationIn(Input):
    email: Email
    role: Role = Field(description="Admins may invite any role but `owner`.")


class InvitationCreatedOut(Schema):
    invitation: InvitationOut
    accept_url: str = Field(description="The one-time link, shown only in this response.")


# -- API tokens -----------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The secret's first characters, to recognise it by.")
    read_only: bool
    user_email: str = Field(description="Whose token it is.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    status: Literal["active", "expired", "revoked"]

    @staticmethod
    def resolve_user_email(obj: ApiToken) -> str:
        return obj.user.email

    @staticmethod
    def resolve_status(obj: ApiToken) -> str:
        return token_status(obj)


class TokenIn(Input):
    name: TokenName
    read_only: StrictBool = Field(True, description="A read-only token can only GET.")
    expires_at: datetime | None = Field(
        None, description="When the token stops working (UTC if no offset); omit for never."
    )


class TokenCreatedOut(Schema):
    token: TokenOut
    secret: str = Field(description="The bearer token. Shown only in this response.")


# -- activity log ---------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    seq: int = Field(description="Position in the organisation's hash chain, from 1.")
    at: datetime
    actor_kind: str = Field(description="`user`, `token` or `system`.")
    actor_label: str
    ip: str
    user_agent: str
    action: str = Field(description="What happened, e.g. `member.role_changed`.")
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]
    prev_hash: str
    hash: str


class ActivityPage(Schema):
    count: int = Field(description="Rows matching the filter, across all pages.")
    items: list[ActivityOut]


class ActivityQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="Rows per page.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Rows to skip.")
    action: ActionPrefix = Field("", description="Only actions starting with this, e.g. `member.`.")
