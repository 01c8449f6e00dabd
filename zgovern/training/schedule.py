"""Who must take a course, and by when: pure functions over a person, a course and the
person's completion dates, with ``today`` given (no database, no clock).

Rules:

- A course applies to a person in its audience (everyone; employees, meaning anyone but
  contractors; contractors; or the listed departments, any letter case) who has started
  and has not left (a passed end date means gone, as on the roster).
- The first completion is due ``due_days`` after the start date. A completion on any day,
  even before the start (a course taken during onboarding week), counts.
- A yearly course is due again one year after the latest completion (29 February rolls
  to 28 February). It shows as *due* from ``RENEW_WINDOW_DAYS`` before that date.
- Status: ``done`` (nothing to do now), ``due`` (to do, the date has not passed),
  ``overdue`` (the date has passed). On the due date itself it is still *due*.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from zgovern.training.models import Audience, Cadence

RENEW_WINDOW_DAYS = 30
DONE, DUE, OVERDUE = "done", "due", "overdue"
STATUSES = (DONE, DUE, OVERDUE)


class PersonLike(Protocol):
    employment_type: str
    department: str
    start_date: date
    end_date: date | None


class CourseLike(Protocol):
    audience: str
    departments: list[str]
    cadence: str
    due_days: int


@dataclass(frozen=True)
class CourseStatus:
    status: str  # DONE, DUE or OVERDUE
    due_on: date | None  # None: a one-off course already done
    last_completed: date | None
    days_overdue: int = 0  # days since the due date, when overdue


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def in_audience(course: CourseLike, person: PersonLike) -> bool:
    if course.audience == Audience.EVERYONE:
        return True
    if course.audience == Audience.EMPLOYEES:
        return person.employment_type != "contractor"
    if course.audience == Audience.CONTRACTORS:
        return person.employment_type == "contractor"
    wanted = {d.strip().casefold() for d in course.departments}
    return (person.department or "").strip().casefold() in wanted


def applies(course: CourseLike, person: PersonLike, today: date) -> bool:
    """Whether ``person`` must take ``course`` as of ``today``."""
    if person.end_date is not None and person.end_date < today:
        return False
    if person.start_date > today:
        return False
    return in_audience(course, person)


def status(
    course: CourseLike, person: PersonLike, completed: Iterable[date], today: date
) -> CourseStatus:
    """The person's standing on the course (call only when :func:`applies`)."""
    last = max(completed, default=None)
    if last is None:
        due_on = person.start_date + timedelta(days=course.due_days)
        return _standing(due_on, None, today, renewing=False)
    if course.cadence == Cadence.ONCE:
        return CourseStatus(DONE, None, last)
    return _standing(add_years(last, 1), last, today, renewing=True)


def _standing(due_on: date, last: date | None, today: date, *, renewing: bool) -> CourseStatus:
    if today > due_on:
        return CourseStatus(OVERDUE, due_on, last, (today - due_on).days)
    if renewing and (due_on - today).days > RENEW_WINDOW_DAYS:
        return CourseStatus(DONE, due_on, last)
    return CourseStatus(DUE, due_on, last)
