"""Request and response bodies of the frameworks API.

Inputs refuse unknown fields and carry the services' length limits, so a malformed request
fails validation with the field named; the rules beyond shape (a reason is required,
Security cannot be scoped out, a custom file's problems) are the services' and answer 4xx
with the field named.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StringConstraints

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.frameworks.models import SystemDescription
from zgovern.frameworks.services import MAX_REASON, MAX_TEXT
from zgovern.tenancy.schemas import ErrorOut

__all__ = ["MAX_ID", "ErrorOut"]


Reason = _text(MAX_REASON, 1)
Justification = _text(MAX_REASON)
LongText = _text(MAX_TEXT)
FrameworkKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_-]*$"),
]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# -- frameworks -----------------------------------------------------------------------


class LibraryCategoryOut(Schema):
    key: str
    name: str
    always_in_scope: bool


class LibraryFrameworkOut(Schema):
    key: str = Field(description="What `POST /frameworks` takes to adopt it.")
    name: str
    version: str
    publisher: str
    description: str
    categories: list[LibraryCategoryOut]
    criteria: int = Field(description="Number of assessable criteria.")
    adopted: bool = Field(description="The organisation has adopted it already.")


class FrameworkOut(Schema):
    id: int
    key: str
    name: str
    version: str
    description: str
    is_custom: bool
    adopted_at: datetime
    categories_in_scope: list[str] = Field(description="Keys of the categories in scope.")
    criteria_in_scope: int = Field(description="Assessable, in scope, not marked N/A.")
    criteria_ready: int = Field(description="In scope, every mapped control evidenced.")
    score: float = Field(ge=0, le=1, description="Readiness from 0 to 1.")


class CategoryOut(Schema):
    id: int
    key: str
    name: str
    description: str
    always_in_scope: bool
    in_scope: bool = Field(description="True for a category that is always in scope.")
    scope_reason: str

    @staticmethod
    def resolve_in_scope(obj) -> bool:
        return obj.always_in_scope or obj.in_scope


class CriterionOut(Schema):
    id: int
    ref: str = Field(description="The framework's own id, e.g. `CC6.1`.")
    title: str
    description: str
    category_id: int
    parent_id: int | None
    assessable: bool = Field(description="False for a group such as `CC6`.")
    not_applicable: bool
    na_justification: str
    in_scope: bool = Field(description="Its category is in scope and it is not N/A.")

    @staticmethod
    def resolve_in_scope(obj) -> bool:
        return bool(getattr(obj, "in_scope", False))


class FrameworkDetailOut(FrameworkOut):
    categories: list[CategoryOut]
    criteria: list[CriterionOut] = Field(description="Every node in document order.")


class AdoptIn(Input):
    key: FrameworkKey = Field(description="A built-in framework's key (`GET /frameworks/library`).")
    with_default_controls: StrictBool = Field(
        True, description="Also adopt the default controls mapped to its criteria."
    )


class AdoptedOut(Schema):
    framework: FrameworkOut
    controls_created: int


# -- readiness --------------------------------------------------------------------------


class CategoryReadinessOut(Schema):
    category_id: int
    key: str
    name: str
    criteria_in_scope: int
    criteria_ready: int
    score: float = Field(ge=0, le=1)


class CriterionRefOut(Schema):
    id: int
    ref: str
    title: str


class ReadinessOut(Schema):
    framework_id: int
    score: float = Field(ge=0, le=1)
    criteria_in_scope: int
    criteria_ready: int
    categories: list[CategoryReadinessOut] = Field(description="Categories in scope only.")
    controls_by_status: dict[str, int] = Field(
        description="Controls mapped to in-scope criteria, by status (every status listed)."
    )
    criteria_uncovered: list[CriterionRefOut] = Field(
        description="In-scope criteria no applicable control is mapped to."
    )
    gaps: list[int] = Field(description="Ids of controls not yet evidenced, worst first.")
    computed_at: datetime


# -- scoping ----------------------------------------------------------------------------


class CategoryPatch(Input):
    in_scope: StrictBool
    reason: Reason = Field(description="Why; required either way, kept in the activity log.")


class CriterionPatch(Input):
    not_applicable: StrictBool
    justification: Justification = Field("", description="Required when `not_applicable` is true.")


# -- system description -----------------------------------------------------------------


class SystemDescriptionOut(Schema):
    id: int
    version: int
    services: str
    infrastructure: str
    data: str
    people: str
    third_parties: str
    boundaries: str
    narrative: str
    created_by: str | None = Field(description="Email of the author; null for the system.")
    created_at: datetime

    @staticmethod
    def resolve_created_by(obj: SystemDescription) -> str | None:
        return obj.created_by.email if obj.created_by else None


class SystemVersionOut(Schema):
    id: int
    version: int
    created_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_created_by(obj: SystemDescription) -> str | None:
        return obj.created_by.email if obj.created_by else None


class SystemDescriptionIn(Input):
    """Fields left out keep their text from the current version; send `""` to clear one."""

    services: LongText | None = None
    infrastructure: LongText | None = None
    data: LongText | None = None
    people: LongText | None = None
    third_parties: LongText | None = None
    boundaries: LongText | None = None
    narrative: LongText | None = None
