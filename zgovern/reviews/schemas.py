"""Request and response bodies of the access-review API.

Inputs refuse unknown fields and carry the model's length limits; the rules beyond shape
(who may review or decide, dates, locking, own accounts) are the services' and answer 4xx
naming the problem.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.reviews.models import Cadence, Campaign, CampaignStatus, ReviewerMode, ReviewItem
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]

UserId = Field(..., ge=1, le=MAX_ID)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# -- outputs --------------------------------------------------------------------------


class ReviewAssignmentOut(Schema):
    system: str
    reviewer_id: int
    owner_id: int


class ReviewCampaignOut(Schema):
    id: int
    title: str
    systems: list[str]
    reviewer_mode: ReviewerMode
    default_reviewer_id: int
    due_date: date
    cadence: Cadence
    revocation_days: int = Field(description="Business days a revoked account has to go.")
    status: CampaignStatus
    late: bool = Field(description="Open past its due date.")
    previous_id: int | None = Field(description="The campaign this one was scheduled from.")
    started_at: datetime
    completed_at: datetime | None
    completed_by_id: int | None
    evidence_csv_id: int | None
    evidence_summary_id: int | None
    total: int = Field(description="Accounts under review.")
    decided: int
    revoked: int
    exception_count: int = Field(description="Revoked accounts still active after the window.")

    @staticmethod
    def resolve_late(obj: Campaign) -> bool:
        return obj.is_late()


class ReviewCampaignDetailOut(ReviewCampaignOut):
    assignments: list[ReviewAssignmentOut]

    @staticmethod
    def resolve_assignments(obj: Campaign) -> list:
        return list(obj.assignments.all())


class ReviewCampaignPage(Schema):
    count: int
    items: list[ReviewCampaignOut]


class ReviewItemOut(Schema):
    id: int
    campaign_id: int
    account_id: int | None
    system: str
    username: str
    account_email: str
    display_name: str
    account_status: str = Field(description="When the campaign started.")
    mfa: str
    privileged: bool
    roles: str
    last_login_at: datetime | None
    is_service: bool
    person_id: int | None
    person_name: str
    person_email: str
    person_department: str
    person_status: str
    employment_type: str
    manager_name: str
    flags: list[str]
    reviewer_id: int
    remediation_owner_id: int
    decision: str = Field(description='"approve", "revoke", or "" while undecided.')
    note: str
    decided_by_id: int | None
    decided_at: datetime | None
    task_id: int | None = Field(description="The remediation task of a REVOKE.")
    revocation: str = Field(description='"pending", "verified", "exception" or "".')
    revoke_by: datetime | None
    verified_at: datetime | None
    proof: dict = Field(description="The account's state and the sync that showed it gone.")

    @staticmethod
    def resolve_flags(obj: ReviewItem) -> list[str]:
        return obj.flags


class ReviewItemPage(Schema):
    count: int
    items: list[ReviewItemOut]


class ReviewVerifyOut(Schema):
    verified: int
    exceptions: int = Field(description="Revocations found late by this check.")
    waiting: int


# -- inputs ---------------------------------------------------------------------------


class ReviewAssignmentIn(Input):
    system: _text(60, 1)  # type: ignore[valid-type]
    reviewer: int = UserId
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Defaults to the reviewer.")


class ReviewCampaignIn(Input):
    title: _text(200, 1)  # type: ignore[valid-type]
    systems: list[_text(60, 1)] = Field(..., min_length=1, max_length=50)  # type: ignore[valid-type]
    due_date: date
    default_reviewer: int = UserId
    reviewer_mode: ReviewerMode = ReviewerMode.SYSTEM
    cadence: Cadence = Cadence.QUARTERLY
    revocation_days: int = Field(1, ge=0, le=30)
    assignments: list[ReviewAssignmentIn] = Field([], max_length=50)


class ReviewDecisionIn(Input):
    decision: _text(16) = Field(description="APPROVE or REVOKE (any case).")  # type: ignore[valid-type]
    note: _text(1000) = ""  # type: ignore[valid-type]


class ReviewCampaignQuery(Schema):
    status: CampaignStatus | None = Field(None, description="Only open or completed ones.")
    late: bool | None = Field(None, description="Only late (true) or not late (false).")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ReviewItemQuery(Schema):
    flag: Literal["terminated", "unlinked", "privileged", "dormant", "contractor"] | None = None
    decision: Literal["undecided", "approve", "revoke"] | None = None
    system: _text(60) = ""  # type: ignore[valid-type]
    reviewer_id: int | None = Field(None, ge=1, le=MAX_ID)
    q: _text(200) = Field("", description="Part of a username, person or email.")  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)
