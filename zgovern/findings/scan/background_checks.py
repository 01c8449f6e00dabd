"""9. Background checks: a person with production access (a privileged account, or any
account in a production system) in the period and no completed check on record. Someone
still inside the onboarding window at the period's end is not yet due."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from zgovern.findings.scan.base import Exceptions, Item, Period, Windows, plural, ref
from zgovern.identity.models import Account, AccountStatus
from zgovern.people.models import BackgroundCheck, CheckStatus, Person

CATEGORY = "background_checks"
CONTROLS = ("background-checks",)
CRITERIA = ("soc2:CC1.4",)
SEVERITY = "high"


def production_people(org, period: Period, windows: Windows) -> dict[int, set[str]]:
    """Person id -> the production systems they had an account in during the period."""
    rows = (
        Account.objects.filter(organization=org, person__isnull=False)
        .filter(Q(privileged=True) | Q(system__in=windows.production_systems))
        .filter(Q(status=AccountStatus.ACTIVE) | Q(deactivated_at__gte=period.start_at))
        .filter(first_seen_at__lt=period.end_at)
        .values_list("person_id", "system")
        .order_by()
    )
    found: dict[int, set[str]] = {}
    for person_id, system in rows.iterator(5000):
        found.setdefault(person_id, set()).add(system)
    return found


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    access = production_people(org, period, windows)
    checked = set(
        BackgroundCheck.objects.filter(
            organization=org,
            status__in=(CheckStatus.CLEAR, CheckStatus.CONSIDER),
            completed_on__isnull=False,
        ).values_list("person_id", flat=True)
    )
    grace = period.as_of - timedelta(days=windows.onboarding_days)
    people = (
        Person.objects.filter(organization=org, pk__in=list(access))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .filter(start_date__lt=grace)
        .only("id", "full_name", "start_date")
    )
    population, items = 0, []
    for person in people.order_by("full_name", "id"):
        population += 1
        if person.pk not in checked:
            items.append(_item(person, sorted(access[person.pk])))
    summary = (
        f"{len(items)} of {plural(population, 'person', 'people')} with production access "
        f"in the period had no completed background check on record"
    )
    return Exceptions(items, population=population, summary=summary)


def _item(person: Person, systems: list[str]) -> Item:
    return Item(
        key=f"background_checks:person:{person.pk}",
        severity=SEVERITY,
        system=", ".join(systems)[:100],
        subject_type="person",
        subject_id=str(person.pk),
        subject_label=person.full_name,
        wording=f"{person.full_name} (started {person.start_date}) had production access "
        f"({', '.join(systems)}) with no completed background check on record",
        evidence=[ref("person", person.pk, person.full_name)],
    )
