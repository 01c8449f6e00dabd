"""Request and response bodies of the policies API. Inputs refuse unknown fields and carry
the model's limits; the lifecycle rules are the services' and answer 4xx with a reason."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool

from zgovern.core.schema_types import MAX_ID, text
from zgovern.policies.models import AckMethod, Audience, VersionStatus
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]

Department = text(120, 1)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class PolicyTemplateOut(Schema):
    key: str
    title: str
    controls: list[str]
    criteria: list[str]
    review_cadence_months: int
    audience: Audience


class PolicyAdoptIn(Input):
    template_key: text(80, 1)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID, description="A member's user id.")
    company_name: text(200) = ""
    review_cadence_months: int | None = Field(None, ge=1, le=36)
    audience: Audience | None = None
    departments: list[Department] = Field(default=[], max_length=50)


class PolicyCreateIn(Input):
    key: text(80, 1) = Field(description="Lowercase letters, digits and '-'.")
    title: text(200, 1)
    body: text(200_000, 1) = Field(description="Markdown of version 1.")
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    audience: Audience = Audience.EVERYONE
    departments: list[Department] = Field(default=[], max_length=50)
    review_cadence_months: int = Field(12, ge=1, le=36)


class PolicyPatch(Input):
    title: text(200, 1) | None = None
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    audience: Audience | None = None
    departments: list[Department] | None = Field(None, max_length=50)
    review_cadence_months: int | None = Field(None, ge=1, le=36)
    ack_window_days: int | None = Field(None, ge=1, le=365)


class PolicyVersionIn(Input):
    body: text(200_000, 1) | None = Field(None, description="Default: the latest version's.")
    change_summary: text(500) = ""
    material: StrictBool = True


class PolicyVersionPatch(Input):
    body: text(200_000, 1) | None = None
    change_summary: text(500) | None = None
    material: StrictBool | None = None


class PolicyPublishIn(Input):
    effective_date: date | None = None


class PolicyApprovalOut(Schema):
    approver_label: str
    approved_at: datetime


class PolicyVersionSummary(Schema):
    id: int
    policy_id: int
    number: int
    status: VersionStatus
    author_label: str
    change_summary: str
    material: bool
    effective_date: date | None
    submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    retired_at: datetime | None
    superseded_by_id: int | None
    audience_size: int | None
    approvals: list[PolicyApprovalOut]

    @staticmethod
    def resolve_approvals(obj) -> list:
        return list(obj.approvals.all())


class PolicyVersionOut(PolicyVersionSummary):
    body: str = Field(description="Markdown as written.")
    html: str = Field(description="The body rendered and sanitised.")


class PolicyDetailOut(Schema):
    id: int
    key: str
    title: str
    owner_id: int | None
    audience: Audience
    departments: list[str]
    review_cadence_months: int
    next_review_date: date | None
    review_overdue: bool
    ack_window_days: int
    controls: list[str]
    criteria: list[str]
    template_key: str
    current_version_id: int | None
    latest_version_id: int | None


class PolicyDiffLineOut(Schema):
    kind: str
    old: int | None
    new: int | None
    text: str


class PolicyDiffOut(Schema):
    old_version_id: int | None
    new_version_id: int
    lines: list[PolicyDiffLineOut]
    unified: str


class PolicyAckOut(Schema):
    id: int
    person_id: int
    version_id: int
    policy_id: int
    acknowledged_at: datetime
    client_ip: str
    user_agent: str
    method: AckMethod
    evidence_id: int | None
    recorded_by: str


class PolicyStandingOut(Schema):
    person_id: int
    full_name: str
    state: str = Field(description="acknowledged | late | pending | overdue")
    due: date
    acknowledged_at: datetime | None
    version_number: int | None


class PolicyRateOut(Schema):
    policy_id: int
    version_id: int
    audience: int
    acknowledged: int
    rate: float | None = Field(description="Percent of the audience, or null with none.")
    exceptions: list[PolicyStandingOut]


class PolicyVersionRateOut(Schema):
    number: int
    acknowledgements: int
    audience_at_publication: int


class PolicyAcksOut(Schema):
    current: PolicyRateOut | None
    versions: list[PolicyVersionRateOut]
    people: list[PolicyStandingOut]


class PolicyMatrixRowOut(Schema):
    person_id: int
    full_name: str
    rate: float | None
    cells: list[str | None] = Field(description="A state per column; null outside its audience.")


class PolicyMatrixOut(Schema):
    policies: list[PolicyRateOut]
    rows: list[PolicyMatrixRowOut]


class PolicyPendingOut(Schema):
    person_id: int | None
    versions: list[PolicyVersionOut]


class PolicyReviewTaskOut(Schema):
    id: int
    title: str
    control_id: int | None
    target_date: date | None


class PolicyChecksOut(Schema):
    id: int
    name: str
    provider: str


class PolicyPersonStandingOut(Schema):
    policy_id: int
    title: str
    required_version: int
    state: str = Field(description="acknowledged | late | pending | overdue")
    due: date
    acknowledged_at: datetime | None
    version_number: int | None


class PolicyPersonAcksOut(Schema):
    person_id: int
    rate: float | None = Field(description="Percent of the person's policies acknowledged.")
    exceptions: int = Field(description="Policies late or overdue.")
    policies: list[PolicyPersonStandingOut]
