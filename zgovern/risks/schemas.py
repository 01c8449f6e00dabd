"""Request and response bodies of the risk register API.

Inputs refuse unknown fields. Scores are plain integers here so that a likelihood of 7
reaches the service, which answers 400 naming the field; the other rules (acceptance,
residual pairs, owners) are the services' too.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.risks.models import Axis, Category, Risk, RiskStatus, Treatment
from zgovern.risks.queries import SORTS
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]

SORT_PATTERN = "^(|" + "|".join(SORTS) + ")$"
SORT_HELP = "One of: " + ", ".join(SORTS) + "; `-` means descending."

Title = _text(200, 1)
LongText = _text(10_000)
Email = _text(254)
Score = int  # validated by the service: 1 to 5, 400 naming the field otherwise
Ids = list[int]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class RiskAcceptanceOut(Schema):
    approver: str
    accepted_at: datetime
    expires_on: date
    expired: bool
    note: str


class RiskOut(Schema):
    id: int
    title: str
    description: str
    category: Category
    owner_email: str = Field(description="A member's or a roster person's email; empty: none.")
    owner_name: str
    likelihood: int
    impact: int
    inherent_score: int
    treatment: Treatment
    treatment_plan: str
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None
    review_date: date | None
    review_overdue: bool
    status: RiskStatus
    acceptance: RiskAcceptanceOut | None
    control_ids: list[int]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner_name(obj: Risk) -> str:
        return obj.owner_label

    @staticmethod
    def resolve_review_overdue(obj: Risk) -> bool:
        return obj.review_overdue()

    @staticmethod
    def resolve_acceptance(obj: Risk) -> dict | None:
        if obj.accepted_by_id is None:
            return None
        return {
            "approver": obj.accepted_by.email, "accepted_at": obj.accepted_at,
            "expires_on": obj.acceptance_expires_on, "expired": obj.acceptance_expired(),
            "note": obj.acceptance_note,
        }  # fmt: skip

    @staticmethod
    def resolve_control_ids(obj: Risk) -> list[int]:
        linked = getattr(obj, "linked_control_ids", None)  # set on list pages
        return linked if linked is not None else sorted(c.pk for c in obj.controls.all())


class RiskPage(Schema):
    count: int = Field(description="Risks matching the filters, across all pages.")
    items: list[RiskOut]


class RisksQuery(Schema):
    q: _text(200) = Field("", description="Part of the title or description.")  # type: ignore[valid-type]
    category: Category | None = None
    status: RiskStatus | None = None
    treatment: Treatment | None = None
    owner: Email = Field("", description="The owner's email.")  # type: ignore[valid-type]
    min_score: int = Field(0, ge=0, le=25, description="Only inherent scores at least this.")
    flag: str = Field("", pattern="^(|acceptance_expired|review_overdue)$",
                      description="`acceptance_expired` or `review_overdue`.")  # fmt: skip
    sort: str = Field("", pattern=SORT_PATTERN, description=SORT_HELP)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class RiskIn(Input):
    title: Title
    description: LongText = ""
    category: Category
    owner_email: Email = ""
    likelihood: Score = Field(description="1 to 5 on the organisation's scale.")
    impact: Score = Field(description="1 to 5 on the organisation's scale.")
    treatment: Treatment = Field(Treatment.UNDECIDED, description="Not `accept`: accept a risk "
                                 "through `POST /risks/{risk_id}/acceptance`.")  # fmt: skip
    treatment_plan: LongText = ""
    control_ids: Ids = []
    residual_likelihood: Score | None = None
    residual_impact: Score | None = None
    review_date: date | None = None
    status: RiskStatus | None = None


class RiskPatch(Input):
    title: Title | None = None
    description: LongText | None = None
    category: Category | None = None
    owner_email: Email | None = None
    likelihood: Score | None = None
    impact: Score | None = None
    treatment: Treatment | None = None
    treatment_plan: LongText | None = None
    control_ids: Ids | None = None
    residual_likelihood: Score | None = None
    residual_impact: Score | None = None
    review_date: date | None = None
    status: RiskStatus | None = None


class RiskAcceptanceIn(Input):
    approver_email: Email = Field("", description="A member who is owner, admin or member.")  # type: ignore[valid-type]
    expires_on: date | None = Field(None, description="Required; after today.")
    note: LongText = ""


class RiskScaleLevelOut(Schema):
    axis: Axis
    level: int
    name: str
    description: str


class RiskScaleLevelIn(Input):
    axis: Axis
    level: int = Field(description="1 to 5.")
    name: _text(80, 1)  # type: ignore[valid-type]
    description: _text(500, 1)  # type: ignore[valid-type]


class RiskHeatMapOut(Schema):
    rows: list[list[int]] = Field(
        description="Counts; rows impact 5 to 1, columns likelihood 1 to 5."
    )
    total: int
    unrated: int = Field(description="Risks without this rating (no residual rating yet).")


class RiskHeatMapsOut(Schema):
    inherent: RiskHeatMapOut
    residual: RiskHeatMapOut


class RiskAssessmentIn(Input):
    title: _text(200) = ""  # type: ignore[valid-type]
    period_start: date | None = Field(None, description="Default: a year before the end.")
    period_end: date | None = Field(None, description="Default: today.")


class RiskAssessmentOut(Schema):
    evidence_id: int
    title: str
    sha256: str
    risks: int
    collected_at: datetime


class RiskHeatMapQuery(Schema):
    include_closed: bool = False
