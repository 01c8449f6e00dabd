"""Demo roster of Acme Cloud: twelve people across four departments, including a
contractor, an intern and a leaver, with background checks and security training for most.
Each person is added once, found by work email; checks and training only when the person
has none yet."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from zgovern.people import services
from zgovern.people.models import Person

# email (at acme.example unless given whole), name, type, department, manager, start, end
ROSTER = (
    ("olivia", "Olivia Owner", "employee", "Leadership", "", "2019-02-01", ""),
    ("adam", "Adam Admin", "employee", "IT", "olivia", "2019-05-13", ""),
    ("maria", "Maria Member", "employee", "Engineering", "olivia", "2020-01-06", ""),
    ("eric", "Eric Employee", "employee", "Engineering", "maria", "2021-09-01", ""),
    ("nina", "Nina Network", "employee", "IT", "adam", "2021-11-15", ""),
    ("raj", "Raj Reliability", "employee", "Engineering", "maria", "2022-03-01", ""),
    ("sofia", "Sofia Sales", "employee", "Sales", "olivia", "2022-06-20", ""),
    ("tom", "Tom Trader", "employee", "Sales", "sofia", "2023-01-09", ""),
    ("carl@ext.example", "Carl Contractor", "contractor", "Engineering", "maria", "2024-04-01", ""),
    ("ivy", "Ivy Intern", "intern", "Engineering", "raj", "", ""),
    ("lars", "Lars Leaver", "employee", "Sales", "sofia", "2020-08-03", "2025-01-31"),
    ("hana", "Hana Hire", "employee", "IT", "adam", "", ""),
)  # fmt: skip
# Recent joiners without a check or training yet: what onboarding checks will find.
NOT_YET_CHECKED = {"ivy", "hana"}
COURSE = ("security-awareness", "Security awareness training")


def load(context) -> None:
    org, actor = context.organization, context.actor
    today = timezone.localdate()
    for local, name, kind, department, manager, start, end in ROSTER:
        email, manager = _email(local), _email(manager) if manager else ""
        person = Person.objects.filter(organization=org, work_email=email).first()
        if person is None:
            person = services.create_person(
                org, actor, full_name=name, work_email=email, employment_type=kind,
                department=department, manager_email=manager,
                start_date=date.fromisoformat(start) if start else today - timedelta(days=10),
                end_date=date.fromisoformat(end) if end else None,
            )  # fmt: skip
        if local in NOT_YET_CHECKED:
            continue
        _check_and_training(org, actor, person, today)


def _email(local: str) -> str:
    return local if "@" in local else f"{local}@acme.example"


def _check_and_training(org, actor, person: Person, today: date) -> None:
    if not person.background_checks.exists():
        services.record_background_check(
            org, actor, person.pk, status="clear", provider="Checkr",
            completed_on=max(person.start_date - timedelta(days=7), date(2019, 1, 1)),
            reference=f"CHK-{person.pk:05d}",
        )  # fmt: skip
    if not person.trainings.exists():
        completed = min(person.end_date or today, today) - timedelta(days=30)
        services.record_training(
            org, actor, person.pk, course_key=COURSE[0], course_title=COURSE[1],
            completed_on=max(completed, person.start_date),
        )  # fmt: skip
