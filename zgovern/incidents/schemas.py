"""Request and response bodies of the incidents API.

Inputs refuse unknown fields. The severity is a name of the organisation's table (an
unknown one is the service's 400 naming `severity`), and the order of the times is the
service's rule too, so each refusal names the field at fault.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool

from zgovern.core.schema_types import MAX_ID, Instant
from zgovern.core.schema_types import text as _text
from zgovern.incidents.figures import hours
from zgovern.incidents.models import Incident, IncidentStatus
from zgovern.incidents.queries import SORTS
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]

SORT_PATTERN = "^(|" + "|".join(SORTS) + ")$"
SORT_HELP = "One of: " + ", ".join(SORTS) + "; `-` means descending."

Title = _text(200, 1)
LongText = _text(20_000)
MediumText = _text(5_000)
Email = _text(254)
SeverityName = _text(20)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class IncidentSeverityOut(Schema):
    name: str
    rank: int
    description: str
    response_target_hours: int


class IncidentSeverityIn(Input):
    name: _text(20, 1)  # type: ignore[valid-type]
    description: _text(1000, 1)  # type: ignore[valid-type]
    response_target_hours: int = Field(description="Hours from detection to resolution.")
    rank: int | None = Field(None, description="1 is the most severe; default: last.")


class IncidentTimelineOut(Schema):
    id: int
    at: Instant
    by: str
    action: str
    recorded_by: str
    recorded_at: Instant

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by_label


class IncidentTimelineIn(Input):
    action: _text(5_000, 1)  # type: ignore[valid-type]
    at: Instant | None = Field(None, description="When it was done; default now.")
    by: _text(300) = Field("", description="Who did it; default the caller.")  # type: ignore[valid-type]


class IncidentOut(Schema):
    id: int
    title: str
    description: str
    severity: str
    status: IncidentStatus
    owner_email: str
    owner_name: str
    started_at: datetime | None
    detected_at: Instant
    reported_at: datetime | None
    contained_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    due_at: datetime = Field(description="Detection plus the severity's response target.")
    past_target: bool = Field(description="Open or contained after `due_at`.")
    hours_to_detect: float | None = Field(description="detected - started, when started is known.")
    hours_to_report: float | None
    hours_to_contain: float | None
    hours_to_resolve: float | None
    affected_systems: str
    affected_data: str
    customers_notified: bool
    customers_notified_at: datetime | None
    root_cause: str
    lessons_learned: str
    risk_ids: list[int]
    control_ids: list[int]
    evidence_id: int | None = Field(description="The evidence item recorded at closing.")
    created_at: Instant
    updated_at: Instant

    @staticmethod
    def resolve_severity(obj: Incident) -> str:
        return obj.severity.name

    @staticmethod
    def resolve_owner_name(obj: Incident) -> str:
        return obj.owner_label

    @staticmethod
    def resolve_past_target(obj: Incident) -> bool:
        return obj.past_target()

    @staticmethod
    def resolve_hours_to_detect(obj: Incident) -> float | None:
        return hours(obj.time_to_detect)

    @staticmethod
    def resolve_hours_to_report(obj: Incident) -> float | None:
        return hours(obj.time_to_report)

    @staticmethod
    def resolve_hours_to_contain(obj: Incident) -> float | None:
        return hours(obj.time_to_contain)

    @staticmethod
    def resolve_hours_to_resolve(obj: Incident) -> float | None:
        return hours(obj.time_to_resolve)

    @staticmethod
    def resolve_risk_ids(obj: Incident) -> list[int]:
        linked = getattr(obj, "linked_risk_ids", None)  # set on list pages
        return linked if linked is not None else sorted(r.pk for r in obj.risks.all())

    @staticmethod
    def resolve_control_ids(obj: Incident) -> list[int]:
        linked = getattr(obj, "linked_control_ids", None)
        return linked if linked is not None else sorted(c.pk for c in obj.controls.all())


class IncidentDetailOut(IncidentOut):
    timeline: list[IncidentTimelineOut]

    @staticmethod
    def resolve_timeline(obj: Incident) -> list:
        return list(obj.timeline.all())


class IncidentPage(Schema):
    count: int = Field(description="Incidents matching the filters, across all pages.")
    items: list[IncidentOut]


class IncidentsQuery(Schema):
    q: _text(200) = Field("", description="Part of the title or description.")  # type: ignore[valid-type]
    severity: SeverityName = ""  # type: ignore[valid-type]
    status: IncidentStatus | None = None
    owner: Email = Field("", description="The owner's email.")  # type: ignore[valid-type]
    past_target: bool = Field(False, description="Only incidents open past their target.")
    detected_from: Instant | None = None
    detected_to: Instant | None = Field(None, description="Exclusive.")
    sort: str = Field("", pattern=SORT_PATTERN, description=SORT_HELP)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class IncidentIn(Input):
    title: Title
    description: LongText = ""
    severity: SeverityName = Field(description="A name of the organisation's severity table.")  # type: ignore[valid-type]
    status: IncidentStatus = IncidentStatus.OPEN
    owner_email: Email = ""
    started_at: Instant | None = None
    detected_at: Instant
    reported_at: Instant | None = None
    contained_at: Instant | None = None
    resolved_at: Instant | None = None
    affected_systems: MediumText = ""
    affected_data: MediumText = ""
    customers_notified: StrictBool = False
    customers_notified_at: Instant | None = None
    root_cause: LongText = ""
    lessons_learned: LongText = ""
    risk_ids: list[int] = []
    control_ids: list[int] = []


class IncidentPatch(Input):
    title: Title | None = None
    description: LongText | None = None
    severity: SeverityName | None = None  # type: ignore[valid-type]
    status: IncidentStatus | None = None
    owner_email: Email | None = None
    started_at: Instant | None = None
    detected_at: Instant | None = None
    reported_at: Instant | None = None
    contained_at: Instant | None = None
    resolved_at: Instant | None = None
    affected_systems: MediumText | None = None
    affected_data: MediumText | None = None
    customers_notified: StrictBool | None = None
    customers_notified_at: Instant | None = None
    root_cause: LongText | None = None
    lessons_learned: LongText | None = None
    risk_ids: list[int] | None = None
    control_ids: list[int] | None = None


class IncidentFiguresQuery(Schema):
    detected_from: Instant | None = Field(None, description="Start of the period.")
    detected_to: Instant | None = Field(None, description="End of the period (exclusive).")


class ResponseSummaryOut(Schema):
    n: int = Field(description="Incidents the figure could be measured for.")
    median: float | None
    mean: float | None
    p90: float | None


class SeverityResponseFiguresOut(Schema):
    severity: str
    incidents: int
    time_to_detect: ResponseSummaryOut
    time_to_report: ResponseSummaryOut
    time_to_contain: ResponseSummaryOut
    time_to_resolve: ResponseSummaryOut
