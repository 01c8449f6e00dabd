"""Reads for the training pages, the API, the portal and the check: each person's standing
on each course that applies to them (see :mod:`zgovern.training.schedule`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from zgovern.people.models import Person, TrainingCompletion
from zgovern.tenancy.models import Organization
from zgovern.training import schedule
from zgovern.training.models import Course
from zgovern.training.schedule import CourseStatus


@dataclass(frozen=True)
class StatusRow:
    person: Person
    course: Course
    standing: CourseStatus

    @property
    def status(self) -> str:
        return self.standing.status


def courses(org: Organization, *, active_only: bool = False) -> list[Course]:
    rows = Course.objects.filter(organization=org)
    return list(rows.filter(active=True) if active_only else rows)


def course(org: Organization, course_id: int) -> Course | None:
    return Course.objects.filter(organization=org, pk=course_id).first()


def completion_dates(
    org: Organization, people: Iterable[Person] | None = None
) -> dict[tuple[int, str], list[date]]:
    """(person id, course key) -> the days completed."""
    rows = TrainingCompletion.objects.filter(organization=org)
    if people is not None:
        rows = rows.filter(person__in=[p.pk for p in people])
    found: dict[tuple[int, str], list[date]] = defaultdict(list)
    for person_id, key, day in rows.values_list("person_id", "course_key", "completed_on"):
        found[(person_id, key)].append(day)
    return found


def statuses(
    org: Organization,
    today: date,
    *,
    course: Course | None = None,
    person: Person | None = None,
    status: str = "",
) -> list[StatusRow]:
    """Every (person, active course) that applies today, by person name then course title;
    optionally one course's, one person's, or only one status."""
    chosen = [course] if course is not None else courses(org, active_only=True)
    chosen = [c for c in chosen if c.active]
    people = [person] if person is not None else list(Person.objects.filter(organization=org))
    done = completion_dates(org, [person] if person is not None else None)
    rows = []
    for someone in people:
        for item in chosen:
            if not schedule.applies(item, someone, today):
                continue
            standing = schedule.status(item, someone, done.get((someone.pk, item.key), []), today)
            if not status or standing.status == status:
                rows.append(StatusRow(someone, item, standing))
    return rows


def counts(rows: Iterable[StatusRow]) -> dict[str, int]:
    result = dict.fromkeys(schedule.STATUSES, 0)
    for row in rows:
        result[row.status] += 1
    return result


EXPORT_HEADER = (
    "person", "work_email", "department", "course_key", "course", "status", "due_on",
    "last_completed", "days_overdue",
)  # fmt: skip


def export_rows(rows: Iterable[StatusRow]) -> Iterable[tuple]:
    for row in rows:
        s = row.standing
        yield (
            row.person.full_name, row.person.work_email, row.person.department, row.course.key,
            row.course.title, s.status, s.due_on, s.last_completed, s.days_overdue,
        )  # fmt: skip
