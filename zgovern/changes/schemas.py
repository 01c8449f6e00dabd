"""Request and response bodies of the change records API."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from ninja import Field, Schema
from pydantic import model_validator

from zgovern.changes import queries
from zgovern.changes.models import ChecksState
from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]

Approval = StrEnum("Approval", {name: name for name in queries.APPROVALS})
Sort = StrEnum("Sort", {key.replace("-", "desc_"): key for key in queries.sort_choices()})
ExportFormat = StrEnum("ExportFormat", {"csv": "csv", "xlsx": "xlsx"})


class ChangeOut(Schema):
    id: int
    source: str = Field(description="Where the record came from, e.g. `github`.")
    integration_id: int | None
    repository: str = Field(description="`owner/name`.")
    number: int = Field(description="The pull request's number in its repository.")
    title: str
    url: str
    author: str
    approvers: list[str] = Field(description="Logins whose latest review approves it.")
    approved: bool = Field(description="Approved by someone other than the author.")
    flagged_reason: str = Field(description="Why it is flagged; empty when approved.")
    merged_at: datetime
    merged_by: str
    checks: ChecksState = Field(description="Commit statuses and check runs of the merge.")
    checks_passed: bool | None = Field(description="`checks` as true, false or null.")
    first_seen_at: datetime
    updated_at: datetime


class ChangePage(Schema):
    count: int
    items: list[ChangeOut]


class ChangesQuery(Schema):
    repository: _text(200) = Field("", description="Only this repository (`owner/name`, any case).")  # type: ignore[valid-type]
    approval: Approval | None = Field(
        None, description="Only approved, or only unapproved (flagged)."
    )  # type: ignore[valid-type]
    author: _text(100) = Field("", description="Only changes by this login (any case).")  # type: ignore[valid-type]
    merged_from: date | None = Field(None, description="Merged on or after this day (UTC).")
    merged_to: date | None = Field(None, description="Merged on or before this day (UTC).")
    sort: Sort = Field(Sort("-merged_at"), description="Sort key; `-` first for descending.")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _period(self) -> ChangesQuery:
        if self.merged_from and self.merged_to and self.merged_to < self.merged_from:
            raise ValueError("merged_to is before merged_from")
        return self

    def filters(self) -> dict:
        return {
            "repository": self.repository.strip(),
            "approval": self.approval.value if self.approval else "",
            "author": self.author.strip(),
            "merged_from": self.merged_from, "merged_to": self.merged_to,
            "sort": self.sort.value,
        }  # fmt: skip


class ChangesPageQuery(ChangesQuery):
    limit: int = Field(50, ge=1, le=500, description="Records per page.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Records to skip.")


class ExportQuery(ChangesQuery):
    format: ExportFormat = Field(ExportFormat("csv"), description="`csv` or `xlsx`.")  # type: ignore[valid-type]
