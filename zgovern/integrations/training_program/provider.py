"""The built-in training provider: checks over zGovern's own roster and training records
(:class:`zgovern.integrations.base.BuiltIn`), collected in the runner's thread inside the
organisation's scope. It needs no configuration and no credentials."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from zgovern.integrations.base import BuiltInProvider
from zgovern.integrations.training_program import checks


def _collect(organization: Any) -> dict[str, Any]:
    from zgovern.training import queries

    today = timezone.localdate()
    courses = {c.key: _course(c) for c in queries.courses(organization)}
    for row in queries.statuses(organization, today):
        courses[row.course.key]["people"].append(_row(row))
    return {"today": today.isoformat(), "courses": courses}


def _course(course) -> dict:
    return {"title": course.title, "active": course.active, "people": []}


def _row(row) -> dict:
    standing = row.standing
    return {
        "person_id": row.person.pk,
        "name": row.person.full_name,
        "start_date": row.person.start_date.isoformat(),
        "status": standing.status,
        "due_on": standing.due_on.isoformat() if standing.due_on else None,
        "last_completed": standing.last_completed.isoformat() if standing.last_completed else None,
        "days_overdue": standing.days_overdue,
    }


PROVIDER = BuiltInProvider(
    "training_program", "Security training (built in)", "zGovern's training records", checks,
    lambda: {checks.SERVICE: _collect},
)  # fmt: skip
