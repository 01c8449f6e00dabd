"""Request and response bodies of the request-list and exceptions API. Every schema's
name starts with ``Pbc``: the OpenAPI document keeps one component per name.

Inputs refuse unknown fields and carry the length limits; the rules beyond shape (known
criteria, member assignees, dates, states) are the services' and answer 4xx naming the
field.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID, text
from zgovern.pbc.models import (
    AuditException,
    AuditRequest,
    Origin,
    RequestStatus,
    ResponseKind,
    Severity,
)
from zgovern.pbc.queries import TIMELINESS
from zgovern.people.schemas import ProblemOut
from zgovern.tenancy.schemas import ErrorOut, FieldError

__all__ = ["MAX_ID", "ErrorOut"]

PbcRequestStatus = Enum("PbcRequestStatus", {v: v for v in RequestStatus.values}, type=str)
PbcOrigin = Enum("PbcOrigin", {v: v for v in Origin.values}, type=str)
PbcSeverity = Enum("PbcSeverity", {v: v for v in Severity.values}, type=str)
PbcResponseKind = Enum("PbcResponseKind", {v: v for v in ResponseKind.values}, type=str)
PbcTimeliness = Enum("PbcTimeliness", {t: t for t in TIMELINESS}, type=str)
PbcExportFormat = Enum("PbcExportFormat", {f: f for f in ("csv", "xlsx", "pdf")}, type=str)
Ref = text(40, 1)
Title = text(300, 1)
LongText = text(10_000)
CriterionRef = text(64, 1)
OptionalEmail = text(254)
EvidenceId = Field(..., ge=1, le=MAX_ID)


class PbcInput(Schema):
    model_config = ConfigDict(extra="forbid")


# -- requests -------------------------------------------------------------------------


class PbcRequestOut(Schema):
    id: int
    audit_id: int
    reference: str
    title: str
    description: str
    criteria: list[str] = Field(description="Criterion references of the audit's framework.")
    due_date: date | None
    assignee_email: str | None
    status: PbcRequestStatus
    origin: PbcOrigin
    created_by_email: str | None
    created_at: datetime
    clock_started_at: datetime = Field(description="Creation, last assignment or reopening.")
    target_at: datetime = Field(description="When the answer is due by the response target.")
    answered_at: datetime | None
    late: bool = Field(description="Unanswered past the target, or answered after it.")
    overdue: bool = Field(description="Unanswered and past the target.")
    answer: str
    decided_at: datetime | None
    decision_note: str
    evidence_ids: list[int]

    @staticmethod
    def resolve_criteria(obj: AuditRequest) -> list[str]:
        return list(obj.criteria_refs)

    @staticmethod
    def resolve_assignee_email(obj: AuditRequest) -> str | None:
        return obj.assignee.email if obj.assignee_id else None

    @staticmethod
    def resolve_created_by_email(obj: AuditRequest) -> str | None:
        return obj.created_by.email if obj.created_by_id else None

    @staticmethod
    def resolve_late(obj: AuditRequest) -> bool:
        return obj.is_late()

    @staticmethod
    def resolve_evidence_ids(obj: AuditRequest) -> list[int]:
        return sorted(link.evidence_id for link in obj.links.all())


class PbcRequestPage(Schema):
    count: int
    items: list[PbcRequestOut]


class PbcRequestQuery(Schema):
    status: PbcRequestStatus | None = None
    timeliness: PbcTimeliness | None = Field(None, description="late, overdue or on_time.")
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    q: text(200) = ""
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class PbcRequestIn(PbcInput):
    reference: Ref
    title: Title
    description: LongText = ""
    criteria: list[CriterionRef] = Field([], max_length=50)
    due_date: date | None = None
    assignee_email: OptionalEmail | None = None
    origin: PbcOrigin = PbcOrigin.staff


class PbcRequestPatch(PbcInput):
    reference: Ref | None = None
    title: Title | None = None
    description: LongText | None = None
    criteria: list[CriterionRef] | None = Field(None, max_length=50)
    due_date: date | None = None
    assignee_email: OptionalEmail | None = Field(None, description="Empty to unassign.")
    origin: PbcOrigin | None = None


class PbcAnswerIn(PbcInput):
    answer: text(20_000) = ""
    evidence_ids: list[int] = Field([], max_length=100)


class PbcDecisionIn(PbcInput):
    accept: bool
    note: text(2_000) = Field("", description="Required when rejecting.")


class PbcLinkIn(PbcInput):
    evidence_id: int = EvidenceId


class PbcSuggestionOut(Schema):
    evidence_id: int
    title: str
    kind: str
    collected_at: datetime
    score: int
    reasons: list[str]


class PbcSettingsOut(Schema):
    audit_id: int
    target_hours: int


class PbcSettingsIn(PbcInput):
    target_hours: int = Field(..., ge=1, le=24 * 90)


class PbcImportReportOut(Schema):
    created: int
    updated: int
    unchanged: int


class PbcImportErrorOut(Schema):
    detail: str
    errors: list[FieldError]
    total: int = Field(0, description="Problems found in the file; at most 1,000 are listed.")
    problems: list[ProblemOut] = []


# -- exceptions -----------------------------------------------------------------------


class PbcExceptionOut(Schema):
    id: int
    audit_id: int
    control: str
    control_name: str
    description: str
    period_from: date
    period_to: date
    severity: PbcSeverity
    recorded_by_email: str | None
    created_at: datetime
    response_kind: PbcResponseKind | None
    response_text: str
    responded_on: date | None
    remediated_on: date | None
    responded_by_email: str | None
    evidence_ids: list[int]

    @staticmethod
    def resolve_control(obj: AuditException) -> str:
        return obj.control.key

    @staticmethod
    def resolve_control_name(obj: AuditException) -> str:
        return obj.control.name

    @staticmethod
    def resolve_recorded_by_email(obj: AuditException) -> str | None:
        return obj.recorded_by.email if obj.recorded_by_id else None

    @staticmethod
    def resolve_responded_by_email(obj: AuditException) -> str | None:
        return obj.responded_by.email if obj.responded_by_id else None

    @staticmethod
    def resolve_response_kind(obj: AuditException) -> str | None:
        return obj.response_kind or None

    @staticmethod
    def resolve_evidence_ids(obj: AuditException) -> list[int]:
        return sorted(link.evidence_id for link in obj.links.all())


# Dates as text checked by the service, so that another organisation's audit answers 404
# before a malformed date is looked at.
IsoDate = text(10, 1, format="date")


class PbcExceptionIn(PbcInput):
    control: text(80, 1) = Field(..., description="The control's key.")
    description: text(10_000, 1)
    period_from: IsoDate = Field(..., description="YYYY-MM-DD")
    period_to: IsoDate = Field(..., description="YYYY-MM-DD")
    severity: PbcSeverity


class PbcExceptionPatch(PbcInput):
    control: text(80, 1) | None = None
    description: text(10_000, 1) | None = None
    period_from: date | None = None
    period_to: date | None = None
    severity: PbcSeverity | None = None


class PbcResponseIn(PbcInput):
    kind: PbcResponseKind
    text: text(10_000, 1)
    responded_on: date | None = Field(None, description="Default today.")
    remediated_on: date | None = Field(None, description="Required for `remediated`.")
    evidence_ids: list[int] = Field([], max_length=100)


class PbcExportQuery(Schema):
    format: PbcExportFormat = PbcExportFormat.csv
