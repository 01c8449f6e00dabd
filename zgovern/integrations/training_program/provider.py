"""The built-in training provider: checks over zGovern's own roster and training records
(:class:`zgovern.integrations.base.BuiltIn`), collected in the runner's thread inside the
organisation's scope. It needs no configuration and no credentials."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError
from zgovern.integrations.training_program import checks


class Nothing(BaseModel):
    """No settings: the records are zGovern's own."""

    model_config = ConfigDict(extra="forbid")


class TrainingProgramProvider:
    key = "training_program"
    name = "Security training (built in)"
    config_schema = Nothing
    credentials_schema = Nothing
    in_process = True

    def collect(self, config: Nothing, credentials: Nothing, services: Iterable[str]) -> Inventory:
        raise ProviderError(
            "The built-in training checks are collected inside zGovern.", permanent=True
        )

    def collect_org(self, organization: Any, services: Iterable[str]) -> Inventory:
        from zgovern.training import queries

        today = timezone.localdate()
        courses = {c.key: _course(c) for c in queries.courses(organization)}
        for row in queries.statuses(organization, today):
            courses[row.course.key]["people"].append(_row(row))
        data = {checks.SERVICE: {"today": today.isoformat(), "courses": courses}}
        return Inventory(data=data, calls={checks.SERVICE: 1})

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE

    def test_connection(self, config: Nothing, credentials: Nothing) -> ConnectionReport:
        return ConnectionReport(True, (("zGovern's training records", True, "built in"),))


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


PROVIDER = TrainingProgramProvider()
