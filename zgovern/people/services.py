"""The roster's domain operations: the only code that writes people, background checks and
training completions. Each runs in one transaction with its activity-log row(s).

Status rule: a passed end date means terminated; otherwise the status given is kept
(``on_leave`` is only ever set by hand), and a terminated person needs an end date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.people import roster
from zgovern.people.models import (
    BackgroundCheck,
    CheckStatus,
    EmploymentType,
    Person,
    PersonSource,
    PersonStatus,
    TrainingCompletion,
)
from zgovern.people.roster import Problem, RosterError, RosterRow
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

# Fields a person's create/update may set, besides the manager (given by email).
PERSON_FIELDS = (
    "full_name",
    "work_email",
    "employment_type",
    "department",
    "start_date",
    "end_date",
    "status",
    "external_id",
)
_LIMITS = {"full_name": 200, "work_email": 254, "department": 120, "external_id": 120}


# -- people ---------------------------------------------------------------------------


def create_person(
    org: Organization,
    actor: Actor,
    *,
    source: str = PersonSource.MANUAL,
    manager_email: str = "",
    **fields: Any,
) -> Person:
    """Add a person. Required: full_name, work_email, employment_type, start_date.
    Raises ``Conflict`` (field work_email) when the email is already on the roster."""
    values = {"department": "", "end_date": None, "status": None, "external_id": ""}
    values.update(fields)
    clean = _clean_person(org, values, person=None)
    manager = _manager(org, manager_email, person=None)
    with transaction.atomic():
        person = Person(organization=org, source=source, manager=manager, **clean)
        _save_unique(person)
        record(org, actor, "person.created", person, _snapshot(person))
    return person


def update_person(org: Organization, actor: Actor, person_id: int, **fields: Any) -> Person:
    """Change the given fields (``manager_email`` "" clears the manager). Recording
    nothing when nothing changes."""
    with transaction.atomic():
        person = _person(org, person_id, lock=True)
        values = {name: getattr(person, name) for name in PERSON_FIELDS}
        values.update({k: v for k, v in fields.items() if k in PERSON_FIELDS})
        if "status" not in fields:
            values["status"] = _kept_status(person.status, values["end_date"])
        clean = _clean_person(org, values, person=person)
        changes = _apply(person, clean)
        if "manager_email" in fields:
            manager = _manager(org, fields["manager_email"] or "", person=person)
            if manager != person.manager:
                changes["manager"] = [_email(person.manager), _email(manager)]
                person.manager = manager
        if not changes:
            return person
        person.updated_at = timezone.now()
        _save_unique(person)
        record(org, actor, "person.updated", person, changes)
    return person


def _person(org: Organization, person_id: int, *, lock: bool = False) -> Person:
    rows = Person.objects.filter(organization=org, pk=person_id)
    # PostgreSQL cannot lock the nullable side of the manager join: lock the person only.
    rows = rows.select_for_update(of=("self",)) if lock else rows
    person = rows.select_related("manager").first()
    if person is None:
        raise NotFound("No such person.")
    return person


def _clean_person(org: Organization, values: dict[str, Any], person: Person | None) -> dict:
    """Validate a person's full set of fields; return them normalised."""
    for name in ("full_name", "work_email", "department", "external_id"):
        text = str(values.get(name) or "").strip()
        if len(text) > _LIMITS[name]:
            raise DomainError(f"At most {_LIMITS[name]} characters.", field=name)
        values[name] = text
    if not values["full_name"]:
        raise DomainError("A name is required.", field="full_name")
    values["work_email"] = _valid_email(values["work_email"], "work_email")
    if values.get("employment_type") not in EmploymentType.values:
        allowed = ", ".join(EmploymentType.values)
        raise DomainError(f"Choose one of: {allowed}.", field="employment_type")
    start, end = values.get("start_date"), values.get("end_date")
    if not isinstance(start, date):
        raise DomainError("A start date is required.", field="start_date")
    if end is not None and end < start:
        raise DomainError("The end date is before the start date.", field="end_date")
    values["status"] = derive_status(values.get("status"), end, timezone.localdate())
    return {name: values[name] for name in PERSON_FIELDS}


def derive_status(requested: str | None, end: date | None, today: date) -> str:
    """The status to store: a passed end date means terminated; ``None`` means active
    (or terminated when the end date has passed)."""
    if requested not in (None, "", *PersonStatus.values):
        raise DomainError("Choose active, on_leave or terminated.", field="status")
    if end is not None and end < today:
        if requested not in (None, "", PersonStatus.TERMINATED):
            raise DomainError(
                "The end date has passed, so this person is terminated; clear the end date "
                "to make them active again.",
                field="status",
            )
        return PersonStatus.TERMINATED
    if requested == PersonStatus.TERMINATED and end is None:
        raise DomainError("A terminated person needs an end date.", field="end_date")
    return requested or PersonStatus.ACTIVE


def _kept_status(stored: str, end: date | None) -> str | None:
    """The stored status to keep when none is given: on leave stays on leave while the
    end date has not passed; anything else is derived from the dates again."""
    ended = end is not None and end < timezone.localdate()
    return stored if stored == PersonStatus.ON_LEAVE and not ended else None


def _valid_email(value: str, field_name: str) -> str:
    value = value.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise DomainError("Enter a valid email address.", field=field_name) from None
    return value


def _manager(org: Organization, email: str, person: Person | None) -> Person | None:
    """The roster's person with ``email`` as a manager, refusing loops."""
    if not email or not email.strip():
        return None
    email = _valid_email(email, "manager_email")
    manager = Person.objects.filter(organization=org, work_email=email).first()
    if manager is None:
        raise DomainError(f"{email} is not on the roster.", field="manager_email")
    seen, current = set(), manager
    while person is not None and current is not None and current.pk not in seen:
        if current.pk == person.pk:
            raise DomainError("That would make a loop of managers.", field="manager_email")
        seen.add(current.pk)
        current = current.manager
    return manager


def _apply(person: Person, clean: dict) -> dict[str, list]:
    changes = {}
    for name, value in clean.items():
        old = getattr(person, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(person, name, value)
    return changes


def _save_unique(person: Person) -> None:
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise Conflict(
            f"{person.work_email} is already on the roster.", field="work_email"
        ) from None


def _snapshot(person: Person) -> dict:
    data = {name: _plain(getattr(person, name)) for name in PERSON_FIELDS}
    data["manager"] = _email(person.manager)
    data["source"] = person.source
    return data


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _email(person: Person | None) -> str | None:
    return person.work_email if person is not None else None


# -- background checks and training ---------------------------------------------------


def record_background_check(
    org: Organization,
    actor: Actor,
    person_id: int,
    *,
    status: str,
    completed_on: date | None = None,
    provider: str = "",
    reference: str = "",
) -> BackgroundCheck:
    """Record a check's outcome. A finished check (not pending) needs ``completed_on``,
    which may not be in the future."""
    if status not in CheckStatus.values:
        raise DomainError("Choose pending, clear, consider or failed.", field="status")
    if status != CheckStatus.PENDING and completed_on is None:
        raise DomainError("When was the check completed?", field="completed_on")
    _not_future(completed_on, "completed_on")
    provider, reference = _bounded(provider, 120, "provider"), _bounded(reference, 200, "reference")
    with transaction.atomic():
        person = _person(org, person_id, lock=True)
        check = BackgroundCheck.objects.create(
            organization=org, person=person, status=status, completed_on=completed_on,
            provider=provider, reference=reference,
        )  # fmt: skip
        record(org, actor, "person.background_check_recorded", person, {
            "status": status, "completed_on": _plain(completed_on), "provider": provider,
            "reference": reference,
        })  # fmt: skip
    return check


def record_training(
    org: Organization,
    actor: Actor,
    person_id: int,
    *,
    course_key: str,
    course_title: str = "",
    completed_on: date | None = None,
    source: str = PersonSource.MANUAL,
) -> TrainingCompletion:
    """Record a completed course (default: today). The same course on the same day twice
    is a ``Conflict``."""
    key = _bounded(course_key, 80, "course_key").lower()
    if not key or not all((c.isalnum() and c.isascii()) or c in "-_" for c in key):
        raise DomainError("Use letters, digits, - and _ only.", field="course_key")
    title = _bounded(course_title, 200, "course_title") or key.replace("-", " ").replace("_", " ")
    completed_on = completed_on or timezone.localdate()
    _not_future(completed_on, "completed_on")
    with transaction.atomic():
        person = _person(org, person_id, lock=True)
        if person.trainings.filter(course_key=key, completed_on=completed_on).exists():
            raise Conflict("This completion is already recorded.", field="course_key")
        training = TrainingCompletion.objects.create(
            organization=org, person=person, course_key=key, course_title=title,
            completed_on=completed_on, source=source,
        )  # fmt: skip
        record(org, actor, "person.training_recorded", person, {
            "course_key": key, "course_title": title, "completed_on": completed_on.isoformat(),
        })  # fmt: skip
    return training


def _bounded(value: str, limit: int, field_name: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(f"At most {limit} characters.", field=field_name)
    return value


def _not_future(day: date | None, field_name: str) -> None:
    if day is not None and day > timezone.localdate():
        raise DomainError("The date is in the future.", field=field_name)


# -- roster import --------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)  # empty: the import happened


def import_roster(org: Organization, actor: Actor, name: str, data: bytes | None) -> ImportReport:
    """Import a roster file (see :data:`roster.COLUMNS`), upserting by work email.

    The file is validated whole first; any problem raises :class:`RosterError` listing
    them all and nothing is written. People not in the file are left as they are. A person
    whose row matches what is stored is counted unchanged and logs nothing."""
    if data is None:
        raise DomainError("Choose a CSV or XLSX file to import.", field="file")
    if len(data) > settings.ROSTER_MAX_BYTES:
        raise RosterError([Problem(0, "", (
            f"the file is larger than the limit of {settings.ROSTER_MAX_BYTES:,} bytes"
        ))])  # fmt: skip
    rows = roster.read_roster(name, data, max_rows=settings.ROSTER_MAX_ROWS)
    with transaction.atomic():
        people = {
            p.work_email: p
            for p in Person.objects.filter(organization=org).select_related("manager")
        }
        problems = list(roster.check_managers(rows, set(people)))
        if problems:
            raise RosterError(problems)
        return _upsert(org, actor, rows, people)


def _upsert(
    org: Organization, actor: Actor, rows: list[RosterRow], people: dict[str, Person]
) -> ImportReport:
    today, now = timezone.localdate(), timezone.now()
    report = ImportReport()
    created: list[Person] = []
    changed: dict[str, dict] = {}
    for row in rows:
        person = people.get(row.work_email)
        values = _row_values(row, person, today)
        if person is None:
            person = Person(organization=org, source=PersonSource.CSV, **values)
            person.created_at = person.updated_at = now
            people[row.work_email] = person
            created.append(person)
        elif changes := _apply(person, values):
            changed[row.work_email] = changes
    Person.objects.bulk_create(created)
    new = {p.work_email for p in created}
    for row in rows:
        person = people[row.work_email]
        manager = people.get(row.manager_email) if row.manager_email else None
        if person.manager_id != (manager.pk if manager else None):
            if row.work_email not in new:
                changes = changed.setdefault(row.work_email, {})
                changes["manager"] = [_email(person.manager), _email(manager)]
            person.manager = manager
    updated = [people[email] for email in changed]
    for person in updated:
        person.updated_at = now
    Person.objects.bulk_update(
        [*updated, *(p for p in created if p.manager_id)],
        [*PERSON_FIELDS, "manager", "updated_at"],
        batch_size=500,
    )
    for person in created:
        record(org, actor, "person.created", person, _snapshot(person))
    for email, changes in changed.items():
        record(org, actor, "person.updated", people[email], {**changes, "source": "import"})
    report.created, report.updated = len(created), len(changed)
    report.unchanged = len(rows) - report.created - report.updated
    return report


def _row_values(row: RosterRow, person: Person | None, today: date) -> dict:
    """The stored fields a row asks for. A person on leave stays on leave (the file has no
    status column) unless their end date has passed."""
    kept = _kept_status(person.status, row.end_date) if person is not None else None
    return {
        "full_name": row.full_name,
        "work_email": row.work_email,
        "employment_type": row.employment_type,
        "department": row.department,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "status": derive_status(kept, row.end_date, today),
        "external_id": row.external_id,
    }
