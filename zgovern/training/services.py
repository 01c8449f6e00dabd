"""Training's domain operations: adopting and changing courses, recording completions (by
the person, from a certificate, or imported from a learning platform's CSV). Each runs in
one transaction with its activity-log row(s).

Completions are the roster's :class:`~zgovern.people.models.TrainingCompletion` rows,
written through :func:`zgovern.people.services.record_training`, so the person's own
history logs each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from zgovern.controls import services as controls
from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.evidence import services as evidence
from zgovern.evidence.models import EvidenceItem
from zgovern.people import services as people
from zgovern.people.models import Person, PersonSource, TrainingCompletion
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization
from zgovern.training import catalog, importer
from zgovern.training.models import MAX_DUE_DAYS, Audience, Cadence, Certificate, Course

CERTIFICATE_KIND = "training_record"  # the evidence kind the training controls ask for
EDITABLE = ("title", "description", "audience", "departments", "cadence", "due_days", "active")


# -- courses --------------------------------------------------------------------------


def adopt_course(org: Organization, actor: Actor, key: str) -> Course:
    """Copy the library course ``key`` into the organisation (409 when adopted already)."""
    found = catalog.template(str(key or "").strip())
    if found is None:
        known = ", ".join(t.key for t in catalog.library())
        raise DomainError(f"No course {key!r} in the library (known: {known}).", field="key")
    with transaction.atomic():
        if Course.objects.filter(organization=org, key=found.key).exists():
            raise Conflict(f"{found.title} is already adopted.", field="key")
        course = Course(
            organization=org, key=found.key, title=found.title, description=found.description,
            audience=found.audience, departments=list(found.departments),
            cadence=found.cadence, due_days=found.due_days, control=found.control,
        )  # fmt: skip
        try:
            with transaction.atomic():
                course.save()
        except IntegrityError:
            raise Conflict(f"{found.title} is already adopted.", field="key") from None
        record(org, actor, "training.course_adopted", course, _snapshot(course))
    return course


def adopt_library(org: Organization, actor: Actor) -> list[Course]:
    """Adopt every library course the organisation does not have yet; returns the new ones."""
    have = set(Course.objects.filter(organization=org).values_list("key", flat=True))
    return [adopt_course(org, actor, t.key) for t in catalog.library() if t.key not in have]


def update_course(org: Organization, actor: Actor, course_id: int, **fields: Any) -> Course:
    """Change the given fields of an adopted course; recording nothing when nothing changes."""
    with transaction.atomic():
        course = _course(org, course_id, lock=True)
        values = {name: getattr(course, name) for name in EDITABLE}
        values.update({k: v for k, v in fields.items() if k in EDITABLE and v is not None})
        clean = _clean_course(values)
        changes = {}
        for name, value in clean.items():
            if getattr(course, name) != value:
                changes[name] = [getattr(course, name), value]
                setattr(course, name, value)
        if not changes:
            return course
        course.updated_at = timezone.now()
        course.save()
        record(org, actor, "training.course_updated", course, changes)
    return course


def _clean_course(values: dict[str, Any]) -> dict[str, Any]:
    title = str(values["title"] or "").strip()
    if not title or len(title) > 200:
        raise DomainError("A title of 1 to 200 characters is required.", field="title")
    if values["audience"] not in Audience.values:
        raise DomainError(f"Choose one of: {', '.join(Audience.values)}.", field="audience")
    if values["cadence"] not in Cadence.values:
        raise DomainError("Choose once or yearly.", field="cadence")
    due_days = values["due_days"]
    if not isinstance(due_days, int) or not 1 <= due_days <= MAX_DUE_DAYS:
        raise DomainError(f"Between 1 and {MAX_DUE_DAYS} days.", field="due_days")
    departments = _departments(values["departments"])
    if values["audience"] == Audience.DEPARTMENTS and not departments:
        raise DomainError("Name at least one department.", field="departments")
    if values["audience"] != Audience.DEPARTMENTS:
        departments = []
    return {
        "title": title, "description": str(values["description"] or "").strip()[:4000],
        "audience": values["audience"], "departments": departments,
        "cadence": values["cadence"], "due_days": due_days, "active": bool(values["active"]),
    }  # fmt: skip


def _departments(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    names = [str(item).strip() for item in items if str(item).strip()]
    if any(len(name) > 120 for name in names) or len(names) > 50:
        raise DomainError("At most 50 departments of 120 characters.", field="departments")
    return list(dict.fromkeys(names))


def _course(org: Organization, course_id: Any, *, lock: bool = False) -> Course:
    rows = Course.objects.filter(organization=org, pk=course_id)
    course = (rows.select_for_update() if lock else rows).first()
    if course is None:
        raise NotFound("No such course.", field="course_id")
    return course


def _snapshot(course: Course) -> dict:
    return {name: getattr(course, name) for name in ("key", "control", *EDITABLE)}


# -- completions ----------------------------------------------------------------------


def complete_course(
    org: Organization,
    actor: Actor,
    *,
    person: Person,
    course_id: int,
    completed_on: date | None = None,
) -> TrainingCompletion:
    """The person says they completed the course (default today; never in the future).
    The same course on the same day twice is a ``Conflict``."""
    course = _course(org, course_id)
    _active(course)
    return people.record_training(
        org, actor, person.pk, course_key=course.key, course_title=course.title,
        completed_on=completed_on,
    )  # fmt: skip


def upload_certificate(
    org: Organization,
    actor: Actor,
    *,
    person: Person,
    course_id: int,
    uploaded_file: Any,
    completed_on: date | None = None,
) -> Certificate:
    """Store a completion certificate as an evidence item (kind ``training_record``),
    linked to the course's control when the organisation has it, and record the completion
    unless one is already recorded for that day. All or nothing."""
    course = _course(org, course_id)
    _active(course)
    completed_on = completed_on or timezone.localdate()
    if completed_on > timezone.localdate():
        raise DomainError("The date is in the future.", field="completed_on")
    with transaction.atomic():
        completion = TrainingCompletion.objects.filter(
            organization=org, person=person, course_key=course.key, completed_on=completed_on
        ).first() or people.record_training(
            org, actor, person.pk, course_key=course.key, course_title=course.title,
            completed_on=completed_on,
        )  # fmt: skip
        item = evidence.add_file(
            org, actor, kind=CERTIFICATE_KIND, uploaded_file=uploaded_file,
            title=f"{course.title}: certificate of {person.full_name}, {completed_on}",
            period_start=completed_on, period_end=completed_on,
            tags=["training-certificate", course.key],
        )  # fmt: skip
        _link_control(org, actor, course, item)
        certificate = Certificate.objects.create(
            organization=org, completion=completion, evidence=item
        )
        record(org, actor, "training.certificate_uploaded", person, {
            "course_key": course.key, "completed_on": completed_on.isoformat(),
            "evidence": item.pk,
        })  # fmt: skip
    return certificate


def _active(course: Course) -> None:
    if not course.active:
        raise DomainError(f"{course.title} is no longer assigned.", field="course_id")


def _link_control(org: Organization, actor: Actor, course: Course, item: EvidenceItem) -> None:
    control = Control.objects.filter(organization=org, key=course.control).first()
    if course.control and control is not None:
        controls.link_evidence(org, actor, control.pk, item.pk)


# -- import from a learning platform --------------------------------------------------


@dataclass
class ImportReport:
    imported: int = 0
    already_recorded: int = 0


def import_completions(org: Organization, actor: Actor, data: bytes | None) -> ImportReport:
    """Import a learning platform's CSV export (see :data:`importer.COLUMNS`).

    The file is validated whole first against the roster (emails and aliases) and the
    adopted courses; any problem raises :class:`importer.ImportProblems` listing every one
    by line and nothing is written. A completion already recorded (same person, course and
    day) is counted, not recorded again, so importing the same file twice adds nothing.
    Each new completion is logged on its person as ``person.training_recorded``, as one
    recorded by hand is."""
    if data is None:
        raise DomainError("Choose a CSV file to import.", field="file")
    with transaction.atomic():
        rows = importer.read(org, data, today=timezone.localdate())
        existing = set(
            TrainingCompletion.objects.filter(organization=org).values_list(
                "person_id", "course_key", "completed_on"
            )
        )
        report, new = ImportReport(), []
        for row in rows:
            key = (row.person.pk, row.course.key, row.completed_on)
            if key in existing:
                report.already_recorded += 1
                continue
            existing.add(key)
            new.append(TrainingCompletion(
                organization=org, person=row.person, course_key=row.course.key,
                course_title=row.course.title, completed_on=row.completed_on,
                source=PersonSource.CSV,
            ))  # fmt: skip
        _insert(new)
        for completion in new:
            record(org, actor, "person.training_recorded", completion.person, {
                "course_key": completion.course_key, "course_title": completion.course_title,
                "completed_on": completion.completed_on.isoformat(), "source": "import",
            })  # fmt: skip
        report.imported = len(new)
        if new:
            record(org, actor, "training.completions_imported", None, {
                "imported": report.imported, "already_recorded": report.already_recorded,
            })  # fmt: skip
    return report


def _insert(completions: list[TrainingCompletion]) -> None:
    try:
        with transaction.atomic():
            TrainingCompletion.objects.bulk_create(completions, batch_size=500)
    except IntegrityError:  # the same completion recorded meanwhile by someone else
        raise Conflict(
            "Some of these completions were recorded while the file was imported; "
            "import it again (what is recorded now is counted, not repeated).",
            field="file",
        ) from None


# -- the built-in checks --------------------------------------------------------------

CHECKS_NAME = "Security training (built in)"
CHECKS_INTERVAL_HOURS = 24


def ensure_training_checks(org: Organization, actor: Actor):
    """The organisation's built-in ``training_program`` integration, created (daily) when
    missing, and each of its checks attached to the controls it evidences, so the runs'
    evidence reaches them. Idempotent: a second call changes nothing."""
    from zgovern.integrations import services as integrations
    from zgovern.integrations.models import Integration
    from zgovern.integrations.training_program.provider import PROVIDER
    from zgovern.monitoring import registry

    integration = Integration.objects.filter(organization=org, provider=PROVIDER.key).first()
    if integration is None:
        integration = integrations.create_integration(
            org, actor, provider=PROVIDER.key, name=CHECKS_NAME, config={},
            interval_hours=CHECKS_INTERVAL_HOURS,
        )  # fmt: skip
    for spec in registry.provider_checks(PROVIDER):
        for key in spec.controls:
            control = Control.objects.filter(organization=org, key=key).first()
            if control is not None and not control.checks.filter(check_id=spec.id).exists():
                controls.add_check(org, actor, control.pk, spec.id)
    return integration
