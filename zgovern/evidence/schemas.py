"""Request and response bodies of the evidence API.

Inputs refuse unknown fields and carry the model's length limits, so a malformed request
fails validation with the field named; the rules beyond shape (allowed file types, periods,
what a correction may change) are the services' and answer 400 with the field named.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.evidence import validation
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]


Title = _text(validation.TITLE_MAX, 1)
Kind = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=validation.KIND_MAX, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
    ),
]
Description = _text(validation.DESCRIPTION_MAX)
Url = _text(validation.URL_MAX, 1)
Reason = _text(500, 1)
Tag = _text(validation.TAG_MAX, 1)
TagList = Annotated[list[Tag], Field(max_length=validation.TAGS_MAX)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# -- outputs --------------------------------------------------------------------------


class EvidenceSummary(Schema):
    id: int
    kind: str
    title: str
    source: EvidenceSource
    file_name: str
    file_size: int | None = Field(description="Bytes of the file (or of a record's JSON).")
    content_type: str
    link_url: str
    sha256: str = Field(
        description="SHA-256 of the file, of a record's canonical JSON, or of a link's address."
    )
    period_start: date | None
    period_end: date | None
    collected_at: datetime
    created_by: str | None = Field(description="Email of who added it; null for zGovern.")
    supersedes: int | None = Field(description="The item this one corrects.")
    corrected_by: int | None = Field(description="The item that corrects this one.")
    tags: list[str]

    @staticmethod
    def resolve_created_by(obj: EvidenceItem) -> str | None:
        return obj.created_by.email if obj.created_by_id else None

    @staticmethod
    def resolve_supersedes(obj: EvidenceItem) -> int | None:
        return obj.supersedes_id

    @staticmethod
    def resolve_corrected_by(obj: EvidenceItem) -> int | None:
        return getattr(obj, "corrected_by_id", None)


class EvidenceOut(EvidenceSummary):
    description: str
    record: dict[str, Any] | None = Field(description="A record's or snapshot's content.")


class EvidencePage(Schema):
    count: int = Field(description="Items matching the filters, across all pages.")
    items: list[EvidenceSummary]


# -- inputs ---------------------------------------------------------------------------


class EvidenceQuery(Schema):
    kind: Annotated[
        str, StringConstraints(max_length=validation.KIND_MAX, pattern=r"^[A-Za-z0-9_-]*$")
    ] = Field("", description="Only this kind.")
    source: EvidenceSource | None = Field(None, description="Only this source.")
    collected_from: date | None = Field(None, description="Collected on or after this day (UTC).")
    collected_to: date | None = Field(None, description="Collected on or before this day (UTC).")
    limit: int = Field(50, ge=1, le=200, description="Items per page.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Items to skip.")


class _Describe(Input):
    kind: Kind = Field(description="The kind of evidence, e.g. `access_review`.")
    title: Title
    description: Description = ""
    period_start: date | None = Field(None, description="First day covered (with period_end).")
    period_end: date | None = Field(None, description="Last day covered, on or after the start.")
    collected_at: datetime | None = Field(None, description="When produced; default now.")


class LinkIn(_Describe):
    url: Url = Field(description="A full http:// or https:// address.")
    tags: TagList = []


class FileIn(_Describe):
    """The form fields sent with a multipart file upload."""

    tags: _text(2000) = Field("", description="Labels separated by commas.")  # type: ignore[valid-type]
    corrects: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Record this file as a correction of that uploaded item (needs `reason`).",
    )
    reason: _text(500) = Field("", description="Why, when `corrects` is given.")  # type: ignore[valid-type]


class CorrectionIn(Input):
    """Fields left out keep the corrected item's value."""

    reason: Reason = Field(description="Why the item is corrected; kept in the activity log.")
    kind: Kind | None = None
    title: Title | None = None
    description: Description | None = None
    period_start: date | None = None
    period_end: date | None = None
    collected_at: datetime | None = Field(
        None, description="Default: the original's, or now when new content is given."
    )
    tags: TagList | None = None
    url: Url | None = Field(None, description="New address (links only).")
    record: dict[str, Any] | None = Field(None, description="New content (records only).")
