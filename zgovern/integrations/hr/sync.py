"""Collect the BambooHR roster: every employee, current and past, read into plain records.

``Inventory.data["employees"]``: one record per employee (see :func:`employee_record`),
each with ``problems`` (what keeps it off the roster) — a record missing fields is kept
and described, never a crash. ``Inventory.failures["employees"]``: the report failed; the
roster is then left as it is.

Employment types are company-defined labels in BambooHR (``employmentHistoryStatus``:
Full-Time, Part-Time, Contractor, Intern, …); they are read by keyword (contract, intern,
temp/seasonal), anything else being an employee.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from zgovern.integrations.base import Inventory, ProviderError
from zgovern.integrations.hr.client import BambooClient, HttpOptions
from zgovern.integrations.hr.schemas import BambooConfig, BambooCredentials

log = logging.getLogger(__name__)

SERVICES = ("employees",)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KINDS = (("contract", "contractor"), ("intern", "intern"), ("temp", "temporary"),
         ("seasonal", "temporary"))  # fmt: skip


def collect(
    config: BambooConfig,
    credentials: BambooCredentials,
    services: Iterable[str] = SERVICES,
    *,
    options: HttpOptions | None = None,
) -> Inventory:
    """Collect ``services``; never raises for a BambooHR failure."""
    wanted = list(dict.fromkeys(services))
    unknown = [s for s in wanted if s not in SERVICES]
    if unknown:
        raise ValueError(f"unknown BambooHR services {unknown}; known: employees")
    inventory = Inventory()
    if not wanted:
        return inventory
    client = BambooClient(config, credentials, options or HttpOptions())
    try:
        employees = [employee_record(row) for row in client.employees()]
        inventory.data["employees"] = _mark_shared_emails(employees)
    except ProviderError as error:
        inventory.failures["employees"] = error
    except Exception as error:  # a bug or an unforeseen answer: the service fails
        log.exception("collecting BambooHR employees failed")
        inventory.failures["employees"] = ProviderError(
            f"employees: reading the report failed ({type(error).__name__}: {error})",
            permanent=False, service="employees",
        )  # fmt: skip
    finally:
        inventory.calls["bamboohr"] = client.http.calls
        client.close()
    return inventory


def _mark_shared_emails(employees: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The roster knows a person by work email: a second record with it cannot be on it."""
    first: dict[str, str] = {}
    for employee in employees:
        email = employee["work_email"]
        if email and email in first:
            employee["problems"].append(f"work email {email} is also HR id {first[email]}'s")
        elif email:
            first[email] = employee["id"] or "?"
    return employees


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return str(value).strip() if value is not None else ""


def _date(row: dict[str, Any], name: str, problems: list[str]) -> date | None:
    """BambooHR writes an empty date as 0000-00-00 (or leaves it out)."""
    text = _text(row, name)
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        problems.append(f"{name} {text[:20]!r} is not a date")
        return None


def employment_type(label: str) -> str:
    """The roster's employment type for a BambooHR label; "" when the label says only
    that the person left (the roster then keeps what it knew)."""
    lowered = label.lower()
    if lowered == "terminated":
        return ""
    return next((kind for word, kind in KINDS if word in lowered), "employee")


def employee_record(row: dict[str, Any]) -> dict[str, Any]:
    problems: list[str] = []
    email = _text(row, "workEmail").lower()
    name = " ".join(p for p in (_text(row, "firstName"), _text(row, "lastName")) if p)
    name = name or _text(row, "displayName")
    hired, ended = _date(row, "hireDate", problems), _date(row, "terminationDate", problems)
    label = _text(row, "employmentHistoryStatus")
    inactive = _text(row, "status").lower() == "inactive" or label.lower() == "terminated"
    if not email:
        problems.append("no work email")
    elif not EMAIL.match(email):
        problems.append(f"work email {email[:80]!r} is not an email address")
    if not name:
        problems.append("no name")
    if hired is None and "hireDate" not in " ".join(problems):
        problems.append("no hire date")
    if hired and ended and ended < hired:
        problems.append(f"termination date {ended} is before the hire date {hired}")
    return {
        "id": _text(row, "id"), "name": name, "work_email": email,
        "department": _text(row, "department"),
        "manager_email": _text(row, "supervisorEmail").lower(),
        "employment_label": label, "employment_type": employment_type(label),
        "inactive": inactive, "hire_date": hired, "termination_date": ended,
        "problems": problems,
    }  # fmt: skip
