"""Request and response bodies of the alerts API. Inputs refuse unknown fields."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.alerts.models import AlertStatus, Channel, Kind, Mode
from zgovern.alerts.services import RATE_LIMIT_MAX_MINUTES, WEBHOOK_MAX
from zgovern.core.schema_types import text
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["ErrorOut"]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class AlertPreferenceOut(Schema):
    kind: Kind
    label: str
    mode: Mode


class AlertPreferencesIn(Input):
    modes: dict[Kind, Mode] = Field(
        description="Kind -> immediate, digest or off; kinds not given keep their choice."
    )


class AlertSettingsOut(Schema):
    webhook_set: bool
    webhook_host: str = Field(description="The webhook's host; the URL itself is never shown.")
    rate_limit_minutes: int
    weekly_summary: bool


class AlertSettingsIn(Input):
    webhook_url: text(WEBHOOK_MAX) | None = Field(
        None, description="A new https webhook URL; omitted or null keeps the current one."
    )
    clear_webhook: bool = False
    rate_limit_minutes: int | None = Field(None, ge=1, le=RATE_LIMIT_MAX_MINUTES)
    weekly_summary: bool | None = None


class AlertOut(Schema):
    id: int
    kind: Kind
    channel: Channel
    destination: str
    subject: str
    link: str
    status: AlertStatus
    error: str
    created_at: datetime
    sent_at: datetime | None


class AlertPage(Schema):
    count: int
    items: list[AlertOut]


class AlertsQuery(Schema):
    kind: Kind | None = None
    status: AlertStatus | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)
