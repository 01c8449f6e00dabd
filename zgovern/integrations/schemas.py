"""Request and response bodies of the integrations API.

``config`` and ``credentials`` are objects whose shape each provider's schema defines (the
service validates them and answers 400 naming the key at fault). No response carries
credentials: an integration says only whether they are set, and since when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.integrations.models import INTERVAL_DEFAULT, INTERVAL_MAX, INTERVAL_MIN, Integration
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]


Name = _text(100, 1)
ProviderKey = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Hours = Annotated[int, Field(ge=INTERVAL_MIN, le=INTERVAL_MAX, description="Hours between runs.")]
Settings = dict[str, Any]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class IntegrationIn(Input):
    provider: ProviderKey = Field(description="A provider key, e.g. `aws`.")
    name: Name
    config: Settings = Field(default_factory=dict, description="Settings the provider defines.")
    credentials: Settings | None = Field(
        None, description="Secrets the provider defines; stored encrypted, never returned."
    )
    interval_hours: Hours = INTERVAL_DEFAULT
    enabled: bool = True


class IntegrationPatch(Input):
    name: Name | None = None
    config: Settings | None = None
    interval_hours: Hours | None = None
    enabled: bool | None = None


class CredentialsIn(Input):
    credentials: Settings = Field(description="The new secrets; they replace the old ones.")


class IntegrationOut(Schema):
    id: int
    provider: str
    name: str
    config: dict[str, Any]
    credentials_set: bool = Field(description="Whether credentials are stored (never shown).")
    credentials_set_at: datetime | None
    interval_hours: int
    enabled: bool
    next_run_at: datetime | None
    running: bool
    last_run_at: datetime | None
    last_run_status: str
    last_run_summary: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_credentials_set(obj: Integration) -> bool:
        return obj.has_credentials

    @staticmethod
    def resolve_running(obj: Integration) -> bool:
        return obj.is_claimed()


class ConnectionCheckOut(Schema):
    capability: str
    works: bool
    detail: str


class ConnectionReportOut(Schema):
    ok: bool
    checks: list[ConnectionCheckOut]
    missing_permissions: list[str]


class RunQueuedOut(Schema):
    integration_id: int
    queued: bool = Field(description="The run is queued; it starts as soon as a worker is free.")


class ProviderOut(Schema):
    key: str
    name: str
    config_schema: dict[str, Any] = Field(description="JSON Schema of `config`.")
    credentials_schema: dict[str, Any] = Field(description="JSON Schema of `credentials`.")
