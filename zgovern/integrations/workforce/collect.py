"""What the workforce checks read, gathered from zGovern's own records in a few queries.

Rows are small slotted tuples read through ``values_list`` a page at a time, so the
collection of 20,000 accounts costs a few megabytes and no model instances. Only leavers'
accounts are attached to people: nobody else's matter to offboarding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from zgovern.identity.models import Account, AccountStatus
from zgovern.identity.services import settings_for
from zgovern.people.models import BackgroundCheck, CheckStatus, Person, TrainingCompletion

PAGE = 5000


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    system: str
    username: str
    mfa: str
    is_service: bool
    stale: bool
    person_id: int | None
    console: bool  # False: an AWS user without a console password (keys only)


@dataclass(frozen=True, slots=True)
class LeaverAccount:
    id: int
    system: str
    username: str
    status: str
    deactivated_at: datetime | None
    stale: bool


@dataclass(slots=True)
class PersonRow:
    id: int
    name: str
    email: str
    employment_type: str
    start_date: date
    end_date: date | None
    status: str  # the stored status; a passed end date means terminated
    background: tuple[str, date | None] | None = None  # best check: (status, completed_on)
    trained_on: date | None = None  # first security training completed
    accounts: list[LeaverAccount] = field(default_factory=list)


def collect_accounts(org) -> dict[str, Any]:
    """Every active account of every system."""
    fields = ("id", "system", "username", "mfa", "is_service", "stale", "person_id", "attributes")
    rows = (
        Account.objects.filter(organization=org, status=AccountStatus.ACTIVE)
        .order_by("system", "username", "id")
        .values_list(*fields)
    )
    accounts = [
        AccountRow(pk, system, username, mfa, service, stale, person, _console(attributes))
        for pk, system, username, mfa, service, stale, person, attributes in rows.iterator(
            chunk_size=PAGE
        )
    ]
    return {"collected_at": timezone.now().isoformat(), "accounts": accounts}


def _console(attributes: Any) -> bool:
    return not (isinstance(attributes, dict) and attributes.get("console_access") is False)


def collect_people(org) -> dict[str, Any]:
    """Everyone on the roster with their background check, first training and, for
    leavers, their accounts; plus the organisation's windows and today's date."""
    settings = settings_for(org)
    today = timezone.localdate()
    people = {
        pk: PersonRow(pk, name, email, kind, start, end, status)
        for pk, name, email, kind, start, end, status in Person.objects.filter(organization=org)
        .values_list(
            "id", "full_name", "work_email", "employment_type", "start_date", "end_date", "status"
        )
        .iterator(chunk_size=PAGE)
    }
    _attach_background(org, people)
    _attach_training(org, people)
    _attach_leaver_accounts(org, people, today)
    return {
        "today": today,
        "revocation_business_days": settings.revocation_business_days,
        "onboarding_days": settings.onboarding_days,
        "people": list(people.values()),
    }


_RANK = {CheckStatus.CLEAR: 3, CheckStatus.CONSIDER: 2, CheckStatus.FAILED: 1}


def _attach_background(org, people: dict[int, PersonRow]) -> None:
    """The best outcome per person: clear over consider over failed over pending."""
    rows = BackgroundCheck.objects.filter(organization=org).values_list(
        "person_id", "status", "completed_on"
    )
    for person_id, status, completed_on in rows.iterator(chunk_size=PAGE):
        person = people.get(person_id)
        if person is None:
            continue
        current = person.background
        if current is None or _RANK.get(status, 0) > _RANK.get(current[0], 0):
            person.background = (status, completed_on)


def _attach_training(org, people: dict[int, PersonRow]) -> None:
    rows = TrainingCompletion.objects.filter(organization=org).values_list(
        "person_id", "completed_on"
    )
    for person_id, completed_on in rows.iterator(chunk_size=PAGE):
        person = people.get(person_id)
        if person is not None and (person.trained_on is None or completed_on < person.trained_on):
            person.trained_on = completed_on


def _attach_leaver_accounts(org, people: dict[int, PersonRow], today: date) -> None:
    leavers = [p.id for p in people.values() if p.end_date is not None and p.end_date < today]
    fields = ("id", "person_id", "system", "username", "status", "deactivated_at", "stale")
    for start in range(0, len(leavers), PAGE):
        rows = Account.objects.filter(
            organization=org, person_id__in=leavers[start : start + PAGE]
        ).values_list(*fields)
        for pk, person_id, system, username, status, deactivated_at, stale in rows:
            people[person_id].accounts.append(
                LeaverAccount(pk, system, username, status, deactivated_at, stale)
            )
