"""Response bodies and query filters of the monitoring API: runs, checks, resources and
status intervals."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from zgovern.monitoring.models import CheckRun, CheckStatus, RunStatus
from zgovern.tenancy.schemas import ErrorOut

MAX_ID = 2**63 - 1
CHECK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$"
__all__ = ["ErrorOut"]

StatusName = Enum("StatusName", {s.upper(): s for s in CheckStatus.values}, type=str)
RunStatusName = Enum("RunStatusName", {s.upper(): s for s in RunStatus.values}, type=str)
CheckIdText = Annotated[str, StringConstraints(pattern=CHECK_ID_PATTERN)]
SearchText = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


class Page(Schema):
    limit: int = Field(50, ge=1, le=500, description="Rows per page.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Rows to skip.")


class CheckQuery(Schema):
    check_id: CheckIdText | None = Field(None, description="Only this check.")


class RunQuery(Page):
    integration_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: RunStatusName | None = None


class RunOut(Schema):
    id: int
    integration_id: int | None
    integration_name: str
    provider: str
    trigger: str
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    status: str
    checks: list[str]
    counts: dict[str, int]
    resources_seen: int
    intervals_opened: int
    intervals_closed: int
    errors: list[dict[str, str]] = Field(description="`scope`, `message`, `permission` each.")
    evidence_ids: list[int]

    @staticmethod
    def resolve_counts(obj: CheckRun) -> dict[str, int]:
        return {str(key): value for key, value in obj.counts().items()}


class RunPage(Schema):
    count: int
    items: list[RunOut]


class CountsOut(Schema):
    passing: int
    failing: int
    errors: int
    other: int = Field(description="Skipped or not applicable.")


class CheckOut(Schema):
    id: str
    registered: bool = Field(description="False for a check known only from imported findings.")
    title: str
    provider: str
    service: str
    resource_type: str
    severity: str
    criteria: list[str]
    controls: list[str]
    permissions: list[str]
    remediation: str
    current: CountsOut
    failing_since: datetime | None = None


class IntervalOut(Schema):
    id: int
    check_id: str
    resource_id: int
    status: str
    reason: str
    started_at: datetime
    ended_at: datetime | None
    confirmed_at: datetime


class IntervalPage(Schema):
    count: int
    items: list[IntervalOut]


class IntervalQuery(Page):
    check_id: CheckIdText | None = None
    resource_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: StatusName | None = None
    current: bool | None = Field(None, description="Only open (true) or closed (false) intervals.")


class ResourceOut(Schema):
    id: int
    provider: str
    resource_type: str
    external_id: str
    name: str
    account: str
    region: str
    integration_id: int | None
    first_seen_at: datetime
    last_seen_at: datetime


class ResourceDetailOut(ResourceOut):
    current: list[IntervalOut] = Field(description="The open interval of every check.")


class ResourcePage(Schema):
    count: int
    items: list[ResourceOut]


class ResourceQuery(Page):
    q: SearchText = Field("", description="Name or external id contains this.")
    resource_type: SearchText = ""
    integration_id: int | None = Field(None, ge=1, le=MAX_ID)


class StatusAtQuery(Schema):
    at: datetime | None = Field(None, description="The moment (default: now).")
    check_id: CheckIdText | None = Field(None, description="Only this check.")


class StatusAtOut(Schema):
    at: datetime
    statuses: list[IntervalOut] = Field(
        description="The interval holding each check's status then."
    )
