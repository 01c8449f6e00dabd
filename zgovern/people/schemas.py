"""Request and response bodies of the people API.

Inputs refuse unknown fields and carry the model's length limits; the rules beyond shape
(unique email, dates, status, managers) are the services' and answer 4xx naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from zgovern.core.schema_types import MAX_ID
from zgovern.core.schema_types import text as _text
from zgovern.people.models import (
    BackgroundCheck,
    CheckStatus,
    EmploymentType,
    Person,
    PersonSource,
    PersonStatus,
    TrainingCompletion,
)
from zgovern.tenancy.schemas import ErrorOut, FieldError

__all__ = ["MAX_ID", "ErrorOut"]

Name = _text(200, 1)
Email = _text(254, 3, format="email")
OptionalEmail = _text(254)
Department = _text(120)
ExternalId = _text(120)
CourseKey = Annotated[
    str, StringConstraints(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")
]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# -- outputs --------------------------------------------------------------------------


class PersonSummary(Schema):
    id: int
    full_name: str
    work_email: str
    employment_type: EmploymentType
    department: str
    manager_id: int | None
    manager_email: str | None
    start_date: date
    end_date: date | None
    status: PersonStatus = Field(description="Current status: a passed end date is terminated.")
    source: PersonSource
    external_id: str

    @staticmethod
    def resolve_manager_email(obj: Person) -> str | None:
        return obj.manager.work_email if obj.manager_id else None

    @staticmethod
    def resolve_status(obj: Person) -> str:
        return obj.current_status()


class BackgroundCheckOut(Schema):
    id: int
    status: CheckStatus
    completed_on: date | None
    provider: str
    reference: str
    created_at: datetime


class TrainingOut(Schema):
    id: int
    course_key: str
    course_title: str
    completed_on: date
    source: PersonSource


class PersonDetailOut(PersonSummary):
    created_at: datetime
    updated_at: datetime
    background_checks: list[BackgroundCheckOut]
    training: list[TrainingOut]
    report_ids: list[int] = Field(description="People whose manager this person is.")

    @staticmethod
    def resolve_background_checks(obj: Person) -> list[BackgroundCheck]:
        return list(obj.background_checks.all())

    @staticmethod
    def resolve_training(obj: Person) -> list[TrainingCompletion]:
        return list(obj.trainings.all())

    @staticmethod
    def resolve_report_ids(obj: Person) -> list[int]:
        return list(obj.reports.order_by("pk").values_list("pk", flat=True))


class PersonPage(Schema):
    count: int = Field(description="People matching the filters, across all pages.")
    items: list[PersonSummary]


class ProblemOut(Schema):
    line: int = Field(description="The file's line (spreadsheet row); 0 for the whole file.")
    column: str = Field(description="The column at fault; empty for a whole line or file.")
    message: str


class ImportReportOut(Schema):
    created: int
    updated: int
    unchanged: int


class RosterErrorOut(Schema):
    detail: str
    errors: list[FieldError]
    total: int = Field(0, description="Problems found in the file; at most 1,000 are listed.")
    problems: list[ProblemOut] = []


# -- inputs ---------------------------------------------------------------------------


class PeopleQuery(Schema):
    q: _text(200) = Field("", description="Part of a name or email, or an exact HR id.")  # type: ignore[valid-type]
    status: PersonStatus | None = Field(None, description="Only this current status.")
    employment_type: EmploymentType | None = Field(None, description="Only this type.")
    department: Department = Field("", description="Only this department (any case).")  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=500, description="People per page.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="People to skip.")


class PersonIn(Input):
    full_name: Name
    work_email: Email = Field(description="Unique in the organisation, any letter case.")
    employment_type: EmploymentType
    department: Department = ""
    manager_email: OptionalEmail = Field("", description="A person already on the roster.")
    start_date: date
    end_date: date | None = Field(None, description="The last day worked.")
    status: PersonStatus | None = Field(
        None, description="Default: from the dates. A passed end date means terminated."
    )
    external_id: ExternalId = ""


class PersonPatch(Input):
    """Fields left out keep their value; `manager_email` "" removes the manager."""

    full_name: Name | None = None
    work_email: Email | None = None
    employment_type: EmploymentType | None = None
    department: Department | None = None
    manager_email: OptionalEmail | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: PersonStatus | None = None
    external_id: ExternalId | None = None


class BackgroundCheckIn(Input):
    status: CheckStatus
    completed_on: date | None = Field(None, description="Required unless `pending`.")
    provider: _text(120) = ""  # type: ignore[valid-type]
    reference: _text(200) = ""  # type: ignore[valid-type]


class TrainingIn(Input):
    course_key: CourseKey = Field(description="e.g. `security-awareness-2026`.")
    course_title: _text(200) = Field("", description="Default: from the key.")  # type: ignore[valid-type]
    completed_on: date | None = Field(None, description="Default: today.")
