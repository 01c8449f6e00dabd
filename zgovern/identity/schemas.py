"""Request and response bodies of the identity API (accounts, aliases, the user-list
upload, MFA coverage and the workforce windows).

Names start with what they are about (``Account…``, ``Alias…``) so they never replace
another app's schema in the OpenAPI document.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.identity.models import Account, AccountStatus, LinkMethod, MfaState
from zgovern.people.schemas import ProblemOut
from zgovern.tenancy.schemas import ErrorOut, FieldError

__all__ = ["MAX_ID", "ErrorOut"]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class AccountOut(Schema):
    id: int
    system: str
    external_id: str
    username: str
    email: str
    display_name: str
    status: AccountStatus
    mfa: MfaState
    privileged: bool
    last_login_at: datetime | None
    person_id: int | None
    person_email: str | None
    link_method: LinkMethod
    is_service: bool
    service_owner_id: int | None
    service_note: str
    stale: bool = Field(description="The last sync of its system failed: last known state.")
    integration_id: int | None = Field(description="Empty for an uploaded user list's.")
    first_seen_at: datetime
    last_seen_at: datetime
    deactivated_at: datetime | None

    @staticmethod
    def resolve_person_email(obj: Account) -> str | None:
        return obj.person.work_email if obj.person_id else None


class AccountPage(Schema):
    count: int = Field(description="Accounts matching the filters, across all pages.")
    items: list[AccountOut]


class AccountQuery(Schema):
    q: _text(200) = Field("", description="Part of a username, email or name.")  # type: ignore[valid-type]
    system: _text(60) = Field("", description="Only this system, e.g. okta.")  # type: ignore[valid-type]
    status: AccountStatus | None = None
    mfa: MfaState | None = None
    linked: str = Field("", pattern=r"^(|yes|no|service)$", description="yes, no or service.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class AccountLinkIn(Input):
    person_id: int = Field(ge=1, le=MAX_ID)


class AccountServiceIn(Input):
    owner_id: int = Field(ge=1, le=MAX_ID, description="The person answerable for it.")
    note: _text(500) = ""  # type: ignore[valid-type]


class AliasIn(Input):
    person_id: int = Field(ge=1, le=MAX_ID)
    alias: _text(254, 1) = Field(description="An email or username, no spaces.")  # type: ignore[valid-type]


class AliasOut(Schema):
    id: int
    person_id: int
    alias: str
    created_at: datetime


class MfaCoverageOut(Schema):
    total: int = Field(description="Active accounts MFA applies to, in every system.")
    enabled: int
    disabled: int
    unknown: int
    percent: float | None
    exceptions: list[AccountOut] = Field(description="Up to 500 accounts without MFA or unknown.")


class AccountSystemImportOut(Schema):
    seen: int
    created: int
    updated: int
    unchanged: int
    removed: int
    stale: int
    linked: int
    duplicates: int


class AccountImportOut(Schema):
    systems: dict[str, AccountSystemImportOut]


class AccountImportErrorOut(Schema):
    detail: str
    errors: list[FieldError]
    total: int = 0
    problems: list[ProblemOut] = []


class WorkforceWindowsOut(Schema):
    revocation_business_days: int
    onboarding_days: int


class WorkforceWindowsIn(Input):
    revocation_business_days: int = Field(ge=0, le=30)
    onboarding_days: int = Field(ge=1, le=365)
