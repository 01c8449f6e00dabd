"""Request and response bodies of the controls and remediation API.

Inputs refuse unknown fields, carry the model's length limits and use enums for choices,
so a malformed request fails validation (422) with the field named. The rules beyond shape
(unique keys, who may own, check id format, target dates, justifications) are the
services', which answer 400, 404 or 409 with the field named.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.controls import validation as v
from zgovern.controls.models import (
    ControlStatus,
    Frequency,
    Priority,
    RemediationTask,
    Severity,
    TaskStatus,
)
from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Key = _text(v.KEY_MAX, 1)
Name = _text(v.NAME_MAX, 1)
Description = _text(v.DESCRIPTION_MAX)
Domain = _text(v.DOMAIN_MAX)
CheckId = _text(v.CHECK_MAX, 1)
PolicyKey = _text(v.POLICY_MAX, 1)
Kind = _text(v.KIND_MAX, 1)
RequirementText = _text(v.REQUIREMENT_MAX, 1)
# Empty is refused by the service (400, "Give the justification"), as the issue asks.
Justification = _text(v.JUSTIFICATION_MAX)
Freshness = Annotated[int, Field(ge=v.FRESHNESS_MIN, le=v.FRESHNESS_MAX)]


class PriorityName(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


PRIORITY_VALUES = {
    PriorityName.URGENT: Priority.URGENT,
    PriorityName.HIGH: Priority.HIGH,
    PriorityName.MEDIUM: Priority.MEDIUM,
    PriorityName.LOW: Priority.LOW,
}
PRIORITY_NAMES = {value: name for name, value in PRIORITY_VALUES.items()}


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# -- outputs --------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    email: str
    name: str


class ControlSummary(Schema):
    id: int
    key: str
    name: str
    domain: str
    frequency: Frequency
    severity: Severity
    owner: PersonOut | None
    status: ControlStatus = Field(description="Derived from the tests, or set by hand.")
    manual: bool = Field(description="The status was set by hand (see `override`).")
    criteria: int = Field(description="How many criteria the control is mapped to.")


class ControlPage(Schema):
    count: int = Field(description="Controls matching the filters, across all pages.")
    items: list[ControlSummary]


class CheckOut(Schema):
    check_id: str
    state: Literal["passing", "failing", "error", "no_data"]
    passing: int
    failing: int
    errors: int
    other: int = Field(description="Resources skipped or not applicable.")


class RequirementOut(Schema):
    id: int
    kind: str
    description: str
    freshness_days: int
    latest_evidence_at: datetime | None = Field(
        description="When the newest linked evidence of this kind was collected."
    )
    fresh: bool


class PolicyOut(Schema):
    key: str
    state: str = Field(description="approved, draft, missing, or 'not tracked yet'.")


class CriterionRef(Schema):
    id: int
    framework: str = Field(description="The framework's key, e.g. `soc2`.")
    ref: str
    title: str


class EvidenceRef(Schema):
    id: int
    kind: str
    title: str
    collected_at: datetime


class OverrideOut(Schema):
    status: ControlStatus
    justification: str
    set_by: str | None = Field(description="Email of who set it.")
    set_at: datetime | None


class ControlOut(ControlSummary):
    description: str
    created_at: datetime
    reasons: list[str] = Field(description="Why the control has its status, one per test.")
    override: OverrideOut | None
    checks: list[CheckOut]
    requirements: list[RequirementOut]
    policies: list[PolicyOut]
    mapped_criteria: list[CriterionRef]
    evidence: list[EvidenceRef] = Field(description="Linked evidence, newest first (200 at most).")


class StatusOut(Schema):
    control_id: int
    status: ControlStatus
    manual: bool
    score: float = Field(description="0 missing, 0.4 partial, 0.7 implemented, 1 evidenced.")
    reasons: list[str]


class ControlRef(Schema):
    id: int
    key: str
    name: str


class TaskOut(Schema):
    id: int
    title: str
    description: str
    control: ControlRef | None
    owner: PersonOut | None
    priority: PriorityName
    target_date: date | None
    status: TaskStatus
    overdue: bool = Field(description="Open or in progress, and the target date has passed.")
    created_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_owner(obj: RemediationTask) -> dict | None:
        user = obj.owner
        return {"id": user.pk, "email": user.email, "name": user.full_name} if user else None

    @staticmethod
    def resolve_priority(obj: RemediationTask) -> PriorityName:
        return PRIORITY_NAMES[Priority(obj.priority)]

    @staticmethod
    def resolve_overdue(obj: RemediationTask) -> bool:
        return bool(getattr(obj, "overdue", False))


class TaskPage(Schema):
    count: int
    items: list[TaskOut]


class GeneratedOut(Schema):
    created: int
    tasks: list[TaskOut]


# -- inputs ---------------------------------------------------------------------------


class ControlQuery(Schema):
    q: _text(200) = Field("", description="Text in the name, key or description.")
    status: ControlStatus | None = None
    owner: int | None = Field(None, ge=0, le=MAX_ID, description="A user id; 0 for unowned.")
    domain: Domain = ""
    severity: Severity | None = None
    framework: int | None = Field(None, ge=1, le=MAX_ID, description="Mapped to this framework.")
    category: int | None = Field(None, ge=1, le=MAX_ID, description="Mapped to this category.")
    sort: Literal["name", "-name", "key", "severity", "status", "-status", "owner", "domain"] = (
        "name"
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ControlIn(Input):
    key: Key = Field(description="Unique in the organisation: lowercase letters, digits, -, _.")
    name: Name
    description: Description = ""
    domain: Domain = ""
    frequency: Frequency = Frequency.CONTINUOUS
    severity: Severity = Severity.MEDIUM
    owner: Id | None = Field(None, description="User id of a member of the organisation.")


class ControlPatch(Input):
    """Fields left out keep their value; `owner: null` removes the owner."""

    key: Key | None = None
    name: Name | None = None
    description: Description | None = None
    domain: Domain | None = None
    frequency: Frequency | None = None
    severity: Severity | None = None
    owner: Id | None = None


class OverrideIn(Input):
    status: ControlStatus
    justification: Justification = Field(description="Required: why the derived status is wrong.")


class CheckIn(Input):
    check_id: CheckId = Field(description="A dotted check id, e.g. `aws.iam.console_mfa`.")


class PolicyIn(Input):
    policy_key: PolicyKey = Field(description="e.g. `access-control`.")


class RequirementIn(Input):
    kind: Kind = Field(description="The evidence kind, e.g. `access_review`.")
    description: RequirementText
    freshness_days: Freshness = Field(description="Evidence older than this is stale.")


class RequirementPatch(Input):
    kind: Kind | None = None
    description: RequirementText | None = None
    freshness_days: Freshness | None = None


class CriteriaIn(Input):
    criterion_ids: Annotated[list[Id], Field(max_length=v.MAX_IDS)] = Field(
        description="Assessable criteria of the organisation's frameworks (1 to 500)."
    )


class EvidenceLinkIn(Input):
    evidence_id: Id


class TaskQuery(Schema):
    status: TaskStatus | Literal["active"] | None = Field(
        None, description="A status, or `active` for open and in progress."
    )
    owner: int | None = Field(None, ge=0, le=MAX_ID, description="A user id; 0 for unowned.")
    priority: PriorityName | None = None
    overdue: bool = False
    control: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class TaskIn(Input):
    title: Name
    description: Description = ""
    control: Id | None = Field(None, description="The control whose gap the task closes.")
    owner: Id | None = Field(None, description="User id of a member of the organisation.")
    priority: PriorityName = PriorityName.MEDIUM
    target_date: date | None = Field(None, description="Today or later.")


class TaskPatch(Input):
    """Fields left out keep their value; `null` clears control, owner or target date."""

    title: Name | None = None
    description: Description | None = None
    control: Id | None = None
    owner: Id | None = None
    priority: PriorityName | None = None
    target_date: date | None = None
    status: TaskStatus | None = Field(
        None, description="`done` records the completion time; reopening clears it."
    )


class GenerateIn(Input):
    framework_id: Id | None = Field(None, description="Only this framework's gaps.")
