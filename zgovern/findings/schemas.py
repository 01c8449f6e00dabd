"""Request and response bodies of the findings API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.findings.models import Category, FindingStatus, Kind, ScanStatus, Severity
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]

ControlKey = _text(80)
System = _text(100)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class ScanIn(Input):
    period_start: date | None = Field(None, description="First day; with period_end.")
    period_end: date | None = Field(None, description="Last day; with period_start.")
    audit_id: int | None = Field(None, ge=1, le=MAX_ID, description="Use this audit's period.")


class ScanOut(Schema):
    id: int
    status: ScanStatus
    period_start: date
    period_end: date
    audit_id: int | None
    framework_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    counts: dict[str, int] = Field(description="Exceptions found per category.")
    opened: int = Field(description="Findings new in this scan.")
    resolved: int = Field(description="Open findings this scan no longer found.")
    error: str


class ScanPage(Schema):
    count: int
    items: list[ScanOut]


class FindingsEvidenceRef(Schema):
    type: str
    id: str
    label: str


class FindingOut(Schema):
    id: int
    key: str
    category: Category
    kind: Kind
    severity: Severity
    controls: list[str]
    criteria: list[str]
    system: str
    subject_type: str
    subject_id: str
    subject_label: str
    period_from: datetime | None
    period_until: datetime | None
    duration_seconds: float | None
    wording: str
    evidence: list[FindingsEvidenceRef]
    task_id: int | None = Field(description="The remediation task this finding created.")
    status: FindingStatus
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None
    last_scan_id: int | None


class FindingPage(Schema):
    count: int
    items: list[FindingOut]


class FindingQuery(Schema):
    category: Category | None = Field(None, description="Only this category.")
    severity: Severity | None = Field(None, description="Only this severity.")
    kind: Kind | None = Field(None, description="Only summaries or only exceptions.")
    status: FindingStatus = Field(FindingStatus.OPEN, description="Open (default) or resolved.")
    control: ControlKey = Field("", description="Only findings affecting this control key.")  # type: ignore[valid-type]
    system: System = Field("", description="Only this system (part of its name).")  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class FindingsSettingsOut(Schema):
    revocation_business_days: int = Field(description="From the identity settings.")
    onboarding_days: int = Field(description="From the identity settings.")
    review_cadence_months: int
    vendor_reassessment_months: int
    training_months: int
    plan_test_months: int
    production_systems: list[str]


class FindingsSettingsPatch(Input):
    review_cadence_months: int | None = Field(None, ge=1, le=12)
    vendor_reassessment_months: int | None = Field(None, ge=1, le=36)
    training_months: int | None = Field(None, ge=1, le=36)
    plan_test_months: int | None = Field(None, ge=1, le=36)

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


class FindingsSummaryOut(Schema):
    total: int
    by_severity: dict[str, int]
    by_category: dict[str, int]
    scan_id: int | None
