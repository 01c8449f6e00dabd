"""Request and response bodies of the Trust Center API (the admins' side).

Inputs refuse unknown fields and carry the model's limits; that chosen ids belong to the
organisation, dates are in order and numbers in range is the service's check (400 naming
the field).
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.tenancy.schemas import ErrorOut
from zgovern.trust.models import RequestStatus

__all__ = ["MAX_ID", "ErrorOut"]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class ChosenControl(Input):
    id: int = Field(..., ge=1, le=MAX_ID, description="A control's id.")
    description: _text(500) = Field("", description="The public text shown for it.")


class ChosenPolicy(Input):
    id: int = Field(..., ge=1, le=MAX_ID, description="A policy's id.")
    show_body: bool = Field(False, description="Also show the published version's text.")


class SettingsOut(Schema):
    enabled: bool
    public_url: str = Field(description="The public page's address (404 while disabled).")
    headline: str
    description: str
    contact_email: str
    framework_ids: list[int]
    controls: list[dict]
    policies: list[dict]
    show_subprocessors: bool
    report_period_start: date | None
    report_period_end: date | None
    report_evidence_id: int | None = Field(description="The uploaded report's evidence id.")
    nda_text: str = Field(description="The organisation's NDA; empty uses the default.")
    link_days: int
    download_limit: int
    updated_at: datetime | None


class SettingsPatch(Input):
    enabled: bool | None = None
    headline: _text(200) | None = None
    description: _text(4000) | None = None
    contact_email: _text(254) | None = None
    framework_ids: list[int] | None = Field(None, max_length=200)
    controls: list[ChosenControl] | None = Field(None, max_length=200)
    policies: list[ChosenPolicy] | None = Field(None, max_length=200)
    show_subprocessors: bool | None = None
    report_period_start: date | None = None
    report_period_end: date | None = None
    nda_text: _text(20000) | None = None
    link_days: int | None = Field(None, ge=1, le=90)
    download_limit: int | None = Field(None, ge=1, le=100)


class RequestOut(Schema):
    id: int
    name: str
    company: str
    email: str
    reason: str
    status: RequestStatus
    requested_at: datetime
    decided_at: datetime | None
    decided_label: str
    link_expires_at: datetime | None
    downloads_allowed: int
    downloads_used: int
    nda_accepted_at: datetime | None
    nda_name: str
    nda_company: str


class RequestPage(Schema):
    count: int
    items: list[RequestOut]


class ApprovalOut(Schema):
    request: RequestOut
    link: str = Field(description="The prospect's link, shown once (it was also emailed).")


class DownloadOut(Schema):
    id: int
    request_id: int
    name: str = Field(description="The requester's name.")
    company: str
    at: datetime
    client_ip: str
    user_agent: str
    watermark: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.request.name

    @staticmethod
    def resolve_company(obj) -> str:
        return obj.request.company


class DownloadPage(Schema):
    count: int
    items: list[DownloadOut]


class ListQuery(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_ID)
