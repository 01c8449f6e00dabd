"""Request and response bodies of the training API. Names are prefixed so they never
replace another app's schema in the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID, text
from zgovern.people.schemas import ProblemOut
from zgovern.tenancy.schemas import ErrorOut, FieldError
from zgovern.training.models import MAX_DUE_DAYS
from zgovern.training.schedule import STATUSES

__all__ = ["MAX_ID", "ErrorOut", "ProblemOut"]

CourseKey = text(80, 1)
# Literal types, not the models' enums: an enum becomes an OpenAPI component named after
# its class, and other apps have their own "Audience" and "Cadence".
CourseAudience = Literal["everyone", "employees", "contractors", "departments"]
CourseCadence = Literal["once", "yearly"]
Department = text(120, 1)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class TrainingCourseOut(Schema):
    id: int
    key: str
    title: str
    description: str
    audience: CourseAudience
    departments: list[str]
    cadence: CourseCadence
    due_days: int = Field(description="Days after the start date the first completion is due.")
    control: str = Field(description="The control the course evidences, if any.")
    active: bool = Field(description="Assigned to its audience.")


class TrainingLibraryCourseOut(Schema):
    key: str
    title: str
    description: str
    audience: CourseAudience
    departments: list[str]
    cadence: CourseCadence
    due_days: int
    control: str
    adopted: bool


class TrainingPersonRef(Schema):
    id: int
    full_name: str
    work_email: str
    department: str


class TrainingStandingOut(Schema):
    person: TrainingPersonRef
    course_id: int
    course_key: str
    course_title: str
    status: str = Field(description="done, due or overdue.")
    due_on: date | None = Field(description="Empty for a one-off course already done.")
    last_completed: date | None
    days_overdue: int


class TrainingStandingPage(Schema):
    count: int
    counts: dict[str, int] = Field(description="Rows per status, across all pages.")
    items: list[TrainingStandingOut]


class CompletionImportOut(Schema):
    imported: int
    already_recorded: int = Field(description="Rows recorded before; not recorded again.")


class CompletionImportErrorOut(Schema):
    detail: str
    errors: list[FieldError]
    total: int = Field(0, description="Problems found in the file; at most 1,000 are listed.")
    problems: list[ProblemOut] = []


class CourseAdoptIn(Input):
    key: CourseKey = Field(description="A library course's key, e.g. `security-awareness`.")  # type: ignore[valid-type]


class CoursePatch(Input):
    """Fields left out keep their value."""

    title: text(200, 1) | None = None  # type: ignore[valid-type]
    description: text(4000) | None = None  # type: ignore[valid-type]
    audience: CourseAudience | None = None
    departments: list[Department] | None = Field(None, max_length=50)  # type: ignore[valid-type]
    cadence: CourseCadence | None = None
    due_days: int | None = Field(None, ge=1, le=MAX_DUE_DAYS)
    active: bool | None = None


class StandingQuery(Schema):
    status: str = Field("", pattern=f"^({'|'.join(STATUSES)})?$", description="Only this status.")
    course_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this course.")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000_000)


def standing_out(row) -> dict:
    s = row.standing
    return {
        "person": row.person, "course_id": row.course.pk, "course_key": row.course.key,
        "course_title": row.course.title, "status": s.status, "due_on": s.due_on,
        "last_completed": s.last_completed, "days_overdue": s.days_overdue,
    }  # fmt: skip
