"""Response bodies and query parameters of the effectiveness API."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema

from zgovern.core.schema_types import MAX_ID
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]


AUDIT_HELP = "An audit whose period and scope to use (default: the current Type 2 audit)."


class PeriodQuery(Schema):
    audit_id: int | None = Field(None, ge=1, le=MAX_ID, description=AUDIT_HELP)
    start: date | None = Field(None, description="First day (default: the audit's period, "
                               "else six months up to today).")  # fmt: skip
    end: date | None = Field(None, description="Last day, inclusive.")


class AuditQuery(Schema):
    audit_id: int | None = Field(None, ge=1, le=MAX_ID, description=AUDIT_HELP)


class ExceptionOut(Schema):
    kind: str = Field(description="fail, gap, late, missing or population.")
    first: date
    last: date
    detail: str


class SegmentOut(Schema):
    status: str = Field(description="pass, fail, gap, exception, no_data or future.")
    first: date
    last: date


class WindowOut(Schema):
    kind: str
    first: date
    last: date
    status: str = Field(description="present, late, missing or pending.")
    evidence_on: date | None


class SummaryOut(Schema):
    control_id: int
    control_key: str
    control_name: str
    summary: str = Field(description="operated, exceptions or not_operating.")
    summary_label: str
    reason: str
    exceptions: list[ExceptionOut]


class TimelineOut(SummaryOut):
    start: date
    end: date
    today: date
    counts: dict[str, int] = Field(description="Days per status.")
    segments: list[SegmentOut]
    windows: list[WindowOut]
    population_total: int
    population_share: float | None = Field(description="Share of the judged population with "
                                           "evidence; null when none was judged.")  # fmt: skip
    unconnected_checks: list[str]


class SummaryPage(Schema):
    start: date
    end: date
    items: list[SummaryOut]


class ControlReadinessOut(Schema):
    control_id: int
    control_key: str
    summary: str
    clean_days: int
    earliest_start: date
    blocking: str


class Type2Out(Schema):
    audit_id: int | None
    start: date
    end: date
    today: date
    total_days: int
    elapsed_days: int
    all_clean_days: int
    coverage: float = Field(description="Clean control-days over controls x period days.")
    earliest_start: date
    earliest_end: date
    ready_now: bool
    counts: dict[str, int]
    controls: list[ControlReadinessOut]
