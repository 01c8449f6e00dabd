"""Request and response bodies of the readiness API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from zgovern.controls.models import ControlStatus, Severity
from zgovern.tenancy.schemas import ErrorOut

MAX_ID = 2**63 - 1
__all__ = ["ErrorOut"]


class CategoryOut(Schema):
    key: str
    name: str
    criteria_in_scope: int
    criteria_ready: int
    score: float = Field(description="0 to 1.")


class GapOut(Schema):
    id: int = Field(description="The control's id.")
    key: str
    name: str
    severity: Severity
    status: ControlStatus
    reasons: list[str] = Field(description="Why the control has this status.")


class ProjectionOut(Schema):
    status: Literal["ready", "projected", "not_converging", "insufficient_data"]
    message: str = Field(description="The projection in a sentence, for a person to read.")
    date: dt.date | None = Field(description="Expected audit-ready day (with `projected`).")
    earliest: dt.date | None
    latest: dt.date | None = Field(description="Null with a date: the slow end is open-ended.")
    slope_per_week: float | None = Field(description="Readiness gained a week (0 to 1).")


class FrameworkReadinessOut(Schema):
    id: int
    key: str
    name: str
    version: str
    score: float = Field(description="Readiness, 0 to 1.")
    criteria_in_scope: int
    criteria_ready: int
    criteria_uncovered: list[str] = Field(
        description="Refs of in-scope criteria no control addresses."
    )
    categories: list[CategoryOut]
    controls_by_status: dict[str, int]
    gaps: list[GapOut] = Field(
        description="Controls not yet implemented and evidenced, worst first."
    )
    projection: ProjectionOut


class ReadinessOut(Schema):
    organization: str
    computed_at: dt.datetime
    today: dt.date
    overdue_tasks: int = Field(description="Open remediation tasks past their target date.")
    frameworks: list[FrameworkReadinessOut]


class SnapshotOut(Schema):
    id: int
    framework_id: int
    framework_key: str = Field(alias="framework.key")
    day: dt.date
    score: float = Field(description="Readiness that day, 0 to 1.")
    criteria_in_scope: int
    criteria_ready: int
    controls_by_status: dict[str, int]
    taken_at: dt.datetime


class SnapshotPage(Schema):
    count: int = Field(description="Snapshots matching the filters, across all pages.")
    items: list[SnapshotOut]


class SnapshotQuery(Schema):
    framework: int | None = Field(None, ge=1, le=MAX_ID, description="Only this framework's id.")
    day_from: dt.date | None = Field(None, description="On or after this day.")
    day_to: dt.date | None = Field(None, description="On or before this day.")
    limit: int = Field(100, ge=1, le=1000, description="Snapshots per page.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Snapshots to skip.")
