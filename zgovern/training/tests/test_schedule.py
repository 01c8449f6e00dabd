"""Due dates and statuses: who must take a course, by when, at the edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from zgovern.training import schedule
from zgovern.training.schedule import DONE, DUE, OVERDUE


@dataclass
class P:
    start_date: date = date(2026, 1, 1)
    end_date: date | None = None
    employment_type: str = "employee"
    department: str = "Engineering"


@dataclass
class C:
    audience: str = "everyone"
    departments: list[str] = field(default_factory=list)
    cadence: str = "yearly"
    due_days: int = 30


def test_never_done_is_due_until_the_deadline_after_the_start_then_overdue():
    course, person = C(), P()
    assert schedule.status(course, person, [], date(2026, 1, 1)) == (
        schedule.CourseStatus(DUE, date(2026, 1, 31), None)
    )
    # On the due date itself it is still due; the day after, overdue by one day.
    assert schedule.status(course, person, [], date(2026, 1, 31)).status == DUE
    late = schedule.status(course, person, [], date(2026, 2, 1))
    assert (late.status, late.days_overdue) == (OVERDUE, 1)


def test_yearly_is_done_until_the_renewal_window_then_due_then_overdue():
    course, person, done = C(), P(), [date(2026, 1, 20)]
    assert schedule.status(course, person, done, date(2026, 6, 1)).status == DONE
    assert schedule.status(course, person, done, date(2026, 12, 20)).status == DONE
    renew = schedule.status(course, person, done, date(2026, 12, 21))  # 30 days before
    assert (renew.status, renew.due_on) == (DUE, date(2027, 1, 20))
    assert schedule.status(course, person, done, date(2027, 1, 20)).status == DUE
    assert schedule.status(course, person, done, date(2027, 1, 21)).status == OVERDUE


def test_the_latest_completion_counts_and_one_before_the_start_too():
    course, person = C(), P(start_date=date(2026, 3, 1))
    early = schedule.status(course, person, [date(2026, 2, 25)], date(2026, 3, 2))
    assert (early.status, early.due_on) == (DONE, date(2027, 2, 25))
    many = schedule.status(course, P(), [date(2026, 1, 5), date(2027, 1, 2)], date(2027, 2, 1))
    assert many.last_completed == date(2027, 1, 2) and many.status == DONE


def test_a_leap_day_completion_renews_on_28_february():
    assert schedule.add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)
    standing = schedule.status(C(), P(), [date(2028, 2, 29)], date(2029, 3, 1))
    assert (standing.status, standing.due_on) == (OVERDUE, date(2029, 2, 28))


def test_a_one_off_course_once_done_stays_done():
    standing = schedule.status(C(cadence="once"), P(), [date(2020, 1, 1)], date(2030, 1, 1))
    assert standing == schedule.CourseStatus(DONE, None, date(2020, 1, 1))
    assert schedule.status(C(cadence="once"), P(), [], date(2030, 1, 1)).status == OVERDUE


@pytest.mark.parametrize(
    ("audience", "departments", "person", "expected"),
    [
        ("everyone", [], P(employment_type="contractor"), True),
        ("employees", [], P(employment_type="intern"), True),
        ("employees", [], P(employment_type="contractor"), False),
        ("contractors", [], P(employment_type="contractor"), True),
        ("contractors", [], P(), False),
        ("departments", [" engineering "], P(department="ENGINEERING"), True),
        ("departments", ["Sales"], P(department=""), False),
    ],
)
def test_audience(audience, departments, person, expected):
    assert schedule.in_audience(C(audience=audience, departments=departments), person) is expected


def test_nobody_who_left_or_has_not_started_must_take_it():
    today = date(2026, 6, 1)
    assert not schedule.applies(C(), P(end_date=date(2026, 5, 31)), today)
    assert schedule.applies(C(), P(end_date=today), today)  # the last day still counts
    assert not schedule.applies(C(), P(start_date=date(2026, 6, 2)), today)
