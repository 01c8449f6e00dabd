"""Request and response bodies of the fieldwork API. Every schema's name starts with
``Fieldwork`` (the OpenAPI document keeps one component per name)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID, text
from zgovern.fieldwork.models import CommentTarget, PopulationKind, SampleMethod
from zgovern.fieldwork.services import COMMENT_MAX, NOTE_MAX, SAMPLE_MAX, SEED_MAX
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["ErrorOut"]


class FieldworkInput(Schema):
    model_config = ConfigDict(extra="forbid")


class FieldworkRequirementOut(Schema):
    kind: str
    description: str
    freshness_days: int


class FieldworkControlOut(Schema):
    id: int
    key: str
    name: str
    description: str
    owner_email: str | None
    criteria: list[str]
    checks: list[str]
    requirements: list[FieldworkRequirementOut]
    policies: list[str]
    evidence_in_period: int


class FieldworkEvidenceOut(Schema):
    id: int
    kind: str
    title: str
    source: str
    collected_at: datetime
    sha256: str
    file_name: str


class FieldworkIntervalOut(Schema):
    check_id: str
    resource: str
    status: str
    reason: str
    started_at: datetime
    ended_at: datetime | None


class FieldworkCampaignOut(Schema):
    id: int
    title: str
    status: str
    started_at: datetime
    completed_at: datetime | None


class FieldworkAckOut(Schema):
    person: str
    acknowledged_at: datetime
    method: str


class FieldworkPolicyVersionOut(Schema):
    policy_key: str
    title: str
    number: int
    published_at: datetime | None
    retired_at: datetime | None
    acknowledgements: int
    acknowledgements_shown: list[FieldworkAckOut]


class FieldworkControlDetailOut(FieldworkControlOut):
    evidence: list[FieldworkEvidenceOut]
    check_history: list[FieldworkIntervalOut]
    check_history_total: int
    access_reviews: list[FieldworkCampaignOut]
    policy_versions: list[FieldworkPolicyVersionOut]


class FieldworkPopulationSummaryOut(Schema):
    kind: PopulationKind
    title: str
    count: int


class FieldworkItemOut(Schema):
    key: str
    label: str
    on: date | None
    columns: dict[str, Any]


class FieldworkPopulationOut(Schema):
    kind: PopulationKind
    title: str
    period_start: date
    period_end: date
    count: int
    items: list[FieldworkItemOut]


class FieldworkSampleIn(FieldworkInput):
    population: PopulationKind
    size: int | None = Field(None, ge=1, le=SAMPLE_MAX, description="For a random sample.")
    seed: int | None = Field(None, ge=0, le=SEED_MAX, description="Chosen and stored if absent.")
    keys: list[text(60, 1)] | None = Field(
        None, max_length=SAMPLE_MAX, description="Items chosen by hand (instead of `size`)."
    )
    note: text(NOTE_MAX) = ""


class FieldworkFactOut(Schema):
    name: str
    value: str


class FieldworkSampledItemOut(Schema):
    key: str
    label: str
    verdict: str
    facts: list[FieldworkFactOut]


class FieldworkSampleOut(Schema):
    id: int
    audit_id: int
    population: PopulationKind
    method: SampleMethod
    size: int
    seed: int | None
    period_start: date
    period_end: date
    population_keys: list[str]
    chosen_keys: list[str]
    note: str
    created_by: str
    created_at: datetime

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by_label


class FieldworkSampleDetailOut(FieldworkSampleOut):
    items: list[FieldworkSampledItemOut]


class FieldworkGrantIn(FieldworkInput):
    email: text(254, 3, format="email")
    # Text, read by the service: a bad date is its 400 naming the field, after the audit
    # was found (another organisation's audit stays a 404 whatever the body).
    expires_at: text(40, 1) = Field(description="ISO 8601 date-time; a naive one is UTC.")


class FieldworkGrantOut(Schema):
    id: int
    audit_id: int
    email: str
    user_id: int | None
    expires_at: datetime
    invited_by: str | None
    created_at: datetime
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_invited_by(obj) -> str | None:
        return obj.invited_by.email if obj.invited_by_id else None

    @staticmethod
    def resolve_active(obj) -> bool:
        return obj.is_active()


class FieldworkCommentIn(FieldworkInput):
    target_kind: CommentTarget
    target_id: int = Field(..., ge=1, le=MAX_ID)
    body: text(COMMENT_MAX, 1)


class FieldworkCommentOut(Schema):
    id: int
    audit_id: int
    target_kind: CommentTarget
    target_id: int
    body: str
    author: str = Field(alias="author_label")
    mentions: list[str]
    created_at: datetime


class FieldworkViewOut(Schema):
    seq: int
    at: datetime
    auditor: str = Field(alias="actor_label")
    auditor_id: int | None = Field(alias="actor_id")
    audit_id: int | None
    path: str

    @staticmethod
    def resolve_audit_id(obj) -> int | None:
        return (obj.changes or {}).get("audit")

    @staticmethod
    def resolve_path(obj) -> str:
        return (obj.changes or {}).get("path", "")


class FieldworkViewPage(Schema):
    count: int
    items: list[FieldworkViewOut]
