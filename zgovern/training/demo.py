"""Demo training of Acme Cloud: every library course adopted, a few completions beyond
the roster's security awareness training (secure development for most engineers, privacy
for some), so the pages show people done, due and overdue; Eric Employee, the demo's
employee account, still has secure development to do. And the built-in training checks.
Each part is added once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.people import services as people
from zgovern.people.models import Person
from zgovern.training import services
from zgovern.training.models import Course

# (email at acme.example, course key, days ago)
COMPLETIONS = (
    ("maria", "secure-development", 120),
    ("raj", "secure-development", 400),  # more than a year: overdue again
    ("olivia", "privacy-essentials", 200),
    ("adam", "privacy-essentials", 90),
    ("olivia", "code-of-conduct", 2000),
)


def load(context) -> None:
    org, actor = context.organization, context.actor
    services.adopt_library(org, actor)
    today = timezone.localdate()
    titles = dict(Course.objects.filter(organization=org).values_list("key", "title"))
    for local, key, days in COMPLETIONS:
        person = Person.objects.filter(organization=org, work_email=f"{local}@acme.example").first()
        if person is None or person.trainings.filter(course_key=key).exists():
            continue
        people.record_training(
            org, actor, person.pk, course_key=key, course_title=titles.get(key, ""),
            completed_on=max(today - timedelta(days=days), person.start_date),
        )  # fmt: skip
    services.ensure_training_checks(org, actor)
