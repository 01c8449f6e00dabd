"""The roster fed by an HR system (BambooHR): upsert the people it lists, by work email.

:func:`sync_people` goes through the roster services (:func:`services.create_person` and
:func:`services.update_person`), so an HR record is validated exactly as a person entered
by hand: a record the roster refuses (no work email, an end date before the start date, a
terminated employee without an end date, a manager not on the roster) is reported with its
HR id and the reason, and every other record is still applied. People the HR system no
longer lists are left as they are, like a roster upload; a re-sync of the same data
changes nothing, and logs only the summary of the records still refused, if any.

An HR record says ``terminated`` or nothing about status: otherwise the roster's own rule
applies (a passed end date means terminated, on leave stays on leave).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.people import services
from zgovern.people.models import Person, PersonSource, PersonStatus
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

MAX_REPORTED = 200  # problems kept in the activity log row; the rest are counted


@dataclass(frozen=True)
class HrPerson:
    """One employee as the HR system describes them. ``manager_email`` is matched against
    the roster after every record has been applied; an empty ``employment_type`` keeps the
    roster's (a new person is then an employee)."""

    external_id: str
    work_email: str
    full_name: str
    employment_type: str
    start_date: date | None
    end_date: date | None = None
    terminated: bool = False
    department: str = ""
    manager_email: str = ""


@dataclass
class HrSyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (HR id or email, reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "problems": len(self.problems),
            "problem_list": [f"{who}: {why}" for who, why in self.problems[:MAX_REPORTED]],
        }  # fmt: skip


def sync_people(org: Organization, actor: Actor, people: Iterable[HrPerson]) -> HrSyncReport:
    """Apply the HR system's records to the roster (see the module doc); one summary row
    ``person.hr_synced`` in the activity log when anything changed or was refused."""
    report = HrSyncReport()
    stored = {p.work_email: p for p in Person.objects.filter(organization=org)}
    applied: list[HrPerson] = []
    for person in _managers_first(_unique(people, report)):
        try:
            outcome = _apply(org, actor, person, stored)
        except DomainError as exc:
            report.problems.append((_who(person), _reason(exc)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        applied.append(person)
    _managers(org, actor, applied, report)
    if report.created or report.updated or report.problems:
        record(org, actor, "person.hr_synced", None, report.as_dict())
    return report


def _unique(people: Iterable[HrPerson], report: HrSyncReport) -> list[HrPerson]:
    """Records with a work email, each email once (the first record keeps it)."""
    seen: dict[str, str] = {}
    kept: list[HrPerson] = []
    for person in people:
        email = person.work_email.strip().lower()
        if not email:
            report.problems.append((_who(person), "no work email, so no roster entry"))
        elif email in seen:
            report.problems.append((_who(person), f"{email} is also the email of {seen[email]}"))
        else:
            seen[email] = _who(person)
            kept.append(person)
    return kept


def _managers_first(people: list[HrPerson]) -> list[HrPerson]:
    """``people`` ordered so that a manager in the list comes before their reports (by the
    length of each one's chain of managers within the list; a loop is cut where it closes)."""
    by_email = {p.work_email.strip().lower(): p for p in people}
    depth: dict[str, int] = {}

    def chain(email: str) -> int:
        seen: list[str] = []
        current = email
        while current in by_email and current not in depth and current not in seen:
            seen.append(current)
            current = by_email[current].manager_email.strip().lower()
        base = depth.get(current, -1)
        for step, name in enumerate(reversed(seen), start=1):
            depth[name] = base + step
        return depth[email]

    return sorted(people, key=lambda p: chain(p.work_email.strip().lower()))


def _apply(org: Organization, actor: Actor, person: HrPerson, stored: dict[str, Person]) -> str:
    """Create or update one person; "created", "updated" or "unchanged"."""
    values: dict[str, Any] = {
        "full_name": person.full_name, "work_email": person.work_email.strip().lower(),
        "employment_type": person.employment_type, "department": person.department,
        "start_date": person.start_date, "end_date": person.end_date,
        "external_id": person.external_id,
    }  # fmt: skip
    if person.terminated:
        values["status"] = PersonStatus.TERMINATED
    current = stored.get(values["work_email"])
    if not values["employment_type"]:
        values["employment_type"] = current.employment_type if current else "employee"
    if current is None:
        # A manager applied before (see _managers_first) is set at once, saving an update.
        manager = person.manager_email.strip().lower()
        known = manager if manager in stored and manager != values["work_email"] else ""
        stored[values["work_email"]] = services.create_person(
            org, actor, source=PersonSource.HR, manager_email=known, **values
        )
        return "created"
    if _same(current, values):
        return "unchanged"
    stored[values["work_email"]] = services.update_person(org, actor, current.pk, **values)
    return "updated"


def _same(person: Person, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        stored = getattr(person, name)
        if isinstance(value, str) and name != "status":
            value = value.strip()
        if stored != value:
            return False
    return True


def _managers(
    org: Organization, actor: Actor, people: list[HrPerson], report: HrSyncReport
) -> None:
    """Set each applied person's manager once everyone is on the roster."""
    emails = {p.work_email.strip().lower() for p in people}
    roster = {
        p.work_email: p
        for p in Person.objects.filter(organization=org, work_email__in=emails).select_related(
            "manager"
        )
    }
    for person in people:
        stored = roster.get(person.work_email.strip().lower())
        wanted = person.manager_email.strip().lower()
        current = stored.manager.work_email if stored and stored.manager else ""
        if stored is None or wanted == current:
            continue
        try:
            services.update_person(org, actor, stored.pk, manager_email=wanted)
        except DomainError as exc:
            report.problems.append((_who(person), _reason(exc)))


def _who(person: HrPerson) -> str:
    label = person.work_email.strip() or person.full_name.strip() or "?"
    return f"{label} (HR id {person.external_id})" if person.external_id else label


def _reason(exc: DomainError) -> str:
    return f"{exc.field}: {exc.message}" if exc.field else exc.message
