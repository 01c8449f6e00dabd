"""7. Training: a person without security training within the onboarding window of their
start (30 days by default), or without any in the last 12 months as of the period's end.
Completions count for any active course the organisation has adopted (any completion when
it has adopted none)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from zgovern.findings.scan.base import Exceptions, Item, Period, Windows, add_months, plural, ref
from zgovern.people.models import Person, TrainingCompletion
from zgovern.training.models import Course

CATEGORY = "training"
CONTROLS = ("security-training",)
CRITERIA = ("soc2:CC1.4", "soc2:CC2.2")
SEVERITY = "medium"


def _completions(org) -> dict[int, list[date]]:
    keys = list(Course.objects.filter(organization=org, active=True).values_list("key", flat=True))
    rows = TrainingCompletion.objects.filter(organization=org)
    if keys:
        rows = rows.filter(course_key__in=keys)
    found: dict[int, list[date]] = {}
    for person_id, day in rows.values_list("person_id", "completed_on").order_by().iterator(5000):
        found.setdefault(person_id, []).append(day)
    return found


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    done = _completions(org)
    people = (
        Person.objects.filter(organization=org, start_date__lte=period.as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .only("id", "full_name", "start_date", "end_date")
    )
    population, items = 0, []
    for person in people.order_by("full_name", "id"):
        population += 1
        items += _person(person, sorted(done.get(person.pk, [])), period, windows)
    flagged = len({i.subject_id for i in items})
    summary = (
        f"{flagged} of {plural(population, 'person', 'people')} in the period had no security "
        f"training within {windows.onboarding_days} days of starting or in the last "
        f"{windows.training_months} months"
    )
    return Exceptions(items, population=population, summary=summary)


def _person(person: Person, days: list[date], period: Period, windows: Windows) -> list[Item]:
    found = []
    base = {
        "severity": SEVERITY,
        "system": "training",
        "subject_type": "person",
        "subject_id": str(person.pk),
        "subject_label": person.full_name,
        "evidence": [ref("person", person.pk, person.full_name)],
    }
    due = person.start_date + timedelta(days=windows.onboarding_days)
    if period.start <= due < period.as_of and not any(d <= due for d in days):
        late = next((d for d in days if d > due), None)
        found.append(
            Item(
                key=f"training:onboarding:{person.pk}",
                wording=f"{person.full_name} started {person.start_date} and had no security "
                f"training by {due}" + (f" (completed {late})" if late else ""),
                **base,
            )
        )
    last_day = min(period.as_of, person.end_date or period.as_of)
    since = add_months(last_day, -windows.training_months)
    since = max(since, person.start_date)
    if not found and due < last_day and not any(since <= d <= last_day for d in days):
        latest = max((d for d in days if d <= last_day), default=None)
        found.append(
            Item(
                key=f"training:annual:{person.pk}",
                wording=f"{person.full_name} had no security training in the "
                f"{windows.training_months} months to {last_day}"
                + (f" (last completed {latest})" if latest else " (none on record)"),
                **base,
            )
        )
    return found
