"""Reads of the identity graph for the pages and the API: filtered accounts, the unlinked
ones, MFA coverage and its exceptions, and one person's accounts and onboarding state.

A person's onboarding and offboarding verdicts are the workforce checks' own functions,
applied to that one person, so the page and the checks never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zgovern.identity.models import Account, AccountStatus, MfaState, PersonAlias
from zgovern.identity.services import settings_for
from zgovern.integrations.workforce import checks
from zgovern.integrations.workforce.collect import LeaverAccount, PersonRow
from zgovern.people.models import Person
from zgovern.tenancy.models import Organization

LINKED_CHOICES = ("yes", "no", "service")
# An AWS user without a console password signs in with keys only: MFA does not apply.
NO_CONSOLE = Q(attributes__has_key="console_access") & Q(attributes__console_access=False)


def accounts(
    org: Organization,
    *,
    q: str = "",
    system: str = "",
    status: str = "",
    mfa: str = "",
    linked: str = "",
) -> QuerySet[Account]:
    rows = Account.objects.filter(organization=org).select_related("person", "service_owner")
    if q:
        rows = rows.filter(
            Q(username__icontains=q) | Q(email__icontains=q) | Q(display_name__icontains=q)
        )
    if system:
        rows = rows.filter(system=system)
    if status:
        rows = rows.filter(status=status)
    if mfa:
        rows = rows.filter(mfa=mfa)
    if linked == "yes":
        rows = rows.filter(person__isnull=False)
    elif linked == "no":
        rows = rows.filter(person__isnull=True, is_service=False)
    elif linked == "service":
        rows = rows.filter(is_service=True)
    return rows.order_by("system", "username", "id")


def account(org: Organization, account_id: int) -> Account | None:
    rows = Account.objects.filter(organization=org, pk=account_id)
    return rows.select_related("person", "service_owner", "integration").first()


def unlinked(org: Organization) -> QuerySet[Account]:
    """Accounts that belong to nobody known: neither linked nor a service account. Removed
    accounts are left out: they grant nothing any more."""
    return (
        Account.objects.filter(organization=org, person__isnull=True, is_service=False)
        .exclude(status=AccountStatus.REMOVED)
        .order_by("system", "username", "id")
    )


def systems(org: Organization) -> list[str]:
    rows = Account.objects.filter(organization=org).values_list("system", flat=True)
    return list(rows.distinct().order_by("system"))


@dataclass(frozen=True)
class Coverage:
    """MFA over every active account of every system (keys-only AWS users excluded)."""

    total: int
    enabled: int
    disabled: int
    unknown: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.enabled / self.total, 1) if self.total else None


def mfa_coverage(org: Organization, system: str = "") -> Coverage:
    rows = Account.objects.filter(organization=org, status=AccountStatus.ACTIVE).exclude(NO_CONSOLE)
    if system:
        rows = rows.filter(system=system)
    counts = dict(rows.values_list("mfa").annotate(n=Count("id")).order_by())
    return Coverage(
        total=sum(counts.values()),
        enabled=counts.get(MfaState.ENABLED, 0),
        disabled=counts.get(MfaState.DISABLED, 0),
        unknown=counts.get(MfaState.UNKNOWN, 0),
    )


def mfa_exceptions(org: Organization) -> QuerySet[Account]:
    """Active accounts without MFA, or whose MFA state is unknown."""
    return (
        Account.objects.filter(organization=org, status=AccountStatus.ACTIVE)
        .exclude(mfa=MfaState.ENABLED)
        .exclude(NO_CONSOLE)
        .select_related("person", "service_owner")
        .order_by("system", "username", "id")
    )


def person_accounts(org: Organization, person: Person) -> list[Account]:
    return list(
        Account.objects.filter(organization=org, person=person).order_by("system", "username")
    )


def aliases(org: Organization, person: Person) -> list[PersonAlias]:
    return list(PersonAlias.objects.filter(organization=org, person=person))


@dataclass(frozen=True)
class PersonState:
    """What the workforce checks say about one person: (status, reason) per check, or
    None where the check does not apply (offboarding for someone still employed)."""

    background: tuple[str, str] | None
    training: tuple[str, str] | None
    offboarding: tuple[str, str] | None
    mfa_exceptions: list[Account]

    @property
    def exceptions(self) -> list[str]:
        found = [
            v[1]
            for v in (self.background, self.training, self.offboarding)
            if v and v[0] in ("fail", "error")
        ]
        found += [
            f"{a.username} ({a.system}): MFA {a.get_mfa_display().lower()}"
            for a in self.mfa_exceptions
        ]
        return found


def person_state(org: Organization, person: Person, linked: list[Account]) -> PersonState:
    today = timezone.localdate()
    settings = settings_for(org)
    row = _person_row(person, linked)
    leaver = person.end_date is not None and person.end_date < today
    if leaver:
        deadline = checks.add_business_days(person.end_date, settings.revocation_business_days)
        return PersonState(None, None, checks.offboarding_verdict(row, deadline, today), [])
    due = person.start_date + timedelta(days=settings.onboarding_days)
    exceptions = [
        a for a in linked
        if a.status == AccountStatus.ACTIVE and a.mfa != MfaState.ENABLED
        and (a.attributes or {}).get("console_access") is not False
    ]  # fmt: skip
    return PersonState(
        checks.background_verdict(row, due, today),
        checks.training_verdict(row, due, today),
        None,
        exceptions,
    )


def _person_row(person: Person, linked: list[Account]) -> PersonRow:
    row = PersonRow(
        person.pk, person.full_name, person.work_email, person.employment_type,
        person.start_date, person.end_date, person.status,
    )  # fmt: skip
    rank = {"clear": 3, "consider": 2, "failed": 1}
    for check in person.background_checks.all():
        current = row.background
        if current is None or rank.get(check.status, 0) > rank.get(current[0], 0):
            row.background = (check.status, check.completed_on)
    first = person.trainings.order_by("completed_on").values_list("completed_on", flat=True).first()
    row.trained_on = first
    row.accounts.extend(
        LeaverAccount(a.pk, a.system, a.username, a.status, a.deactivated_at, a.stale)
        for a in linked
    )
    return row
