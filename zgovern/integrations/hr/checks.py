"""The BambooHR checks: id -> evaluator over the collected employees (see :mod:`sync`);
their metadata is in ``checks.yaml``. Each employee is one resource."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))
PASS, FAIL = "pass", "fail"


def today() -> date:
    return date.today()


def employee_ref(employee: dict[str, Any]) -> ResourceRef:
    label = employee.get("work_email") or employee.get("name") or f"employee {employee['id']}"
    return ResourceRef("hr.employee", employee.get("id") or label, label)


def _who(employee: dict[str, Any]) -> str:
    return employee.get("work_email") or employee.get("name") or f"employee {employee['id']}"


def _identified(inventory: Inventory) -> Iterator[dict[str, Any]]:
    """Employees with an id or an email to be a resource by."""
    for employee in inventory.data.get("employees", []):
        if employee.get("id") or employee.get("work_email"):
            yield employee


def roster_complete(inventory: Inventory) -> Iterator[Finding]:
    """Each employee's record has what the roster needs (an email, a name, a hire date,
    dates in order), so their accounts can be matched to them."""
    for employee in _identified(inventory):
        problems = employee.get("problems") or []
        if problems:
            text = f"{_who(employee)} cannot be on the roster: {'; '.join(problems)}"
            yield Finding(employee_ref(employee), FAIL, text)
        else:
            yield Finding(employee_ref(employee), PASS, f"{_who(employee)} is on the roster")


def terminations_dated(inventory: Inventory) -> Iterator[Finding]:
    """Everyone who left has a termination date, the date offboarding is measured from;
    someone listed active after their termination date is flagged too."""
    current = today()
    for employee in _identified(inventory):
        ended = employee.get("termination_date")
        who = _who(employee)
        if employee.get("inactive"):
            if ended is None:
                text = f"{who} is inactive in BambooHR without a termination date"
                yield Finding(employee_ref(employee), FAIL, text)
            else:
                yield Finding(employee_ref(employee), PASS, f"{who} left on {ended}")
        elif ended is not None and ended < current:
            text = f"{who} is still active in BambooHR after their termination date {ended}"
            yield Finding(employee_ref(employee), FAIL, text)


EVALUATORS: dict[str, Evaluator] = {
    "hr.employees.roster_complete": roster_complete,
    "hr.employees.terminations_dated": terminations_dated,
}


def evaluators() -> dict[str, Evaluator]:
    return dict(EVALUATORS)
