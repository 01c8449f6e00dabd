"""10. Offboarding: an account still active after its owner's end date plus the
revocation window (business days, from the identity settings). An account revoked on the
window's last day is in time; one revoked later, or still active once the window has
passed, is an exception, with how long access was kept after termination."""

from __future__ import annotations

from datetime import timedelta

from zgovern.findings.scan.base import (
    Exceptions,
    Item,
    Period,
    Windows,
    day_start,
    days_text,
    plural,
    ref,
)
from zgovern.identity.models import Account, AccountStatus
from zgovern.integrations.workforce.checks import add_business_days
from zgovern.people.models import Person

CATEGORY = "offboarding"
CONTROLS = ("offboarding-within-sla",)
CRITERIA = ("soc2:CC6.2", "soc2:CC6.3")
SEVERITY = "critical"


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    leavers = {
        p.pk: p
        for p in Person.objects.filter(
            organization=org, end_date__gte=period.start, end_date__lt=period.as_of
        ).only("id", "full_name", "end_date")
    }
    accounts = Account.objects.filter(organization=org, person_id__in=list(leavers)).only(
        "id", "system", "username", "status", "deactivated_at", "person_id"
    )
    items, people = [], set()
    for account in accounts.order_by("person_id", "system", "username"):
        item = _check(account, leavers[account.person_id], period, windows)
        if item is not None:
            items.append(item)
            people.add(account.person_id)
    days = windows.revocation_business_days
    summary = (
        f"{len(people)} of {plural(len(leavers), 'terminated user')} in the period retained "
        f"access beyond the {plural(days, 'business day')} revocation window"
        + (f" ({plural(len(items), 'account')})" if items else "")
    )
    return Exceptions(items, population=len(leavers), summary=summary)


def _check(account: Account, person: Person, period: Period, windows: Windows) -> Item | None:
    deadline = add_business_days(person.end_date, windows.revocation_business_days)
    cutoff = day_start(deadline + timedelta(days=1))  # revoked before this is in time
    terminated = day_start(person.end_date + timedelta(days=1))
    if account.status == AccountStatus.ACTIVE:
        if period.end_at <= cutoff:
            return None  # the window has not closed yet
        until, still = period.end_at, True
    elif account.deactivated_at is not None and account.deactivated_at > cutoff:
        until, still = account.deactivated_at, False
    else:
        return None
    kept = (until - terminated).total_seconds()
    how = "still had" if still else "retained"
    wording = (
        f"{person.full_name}, terminated {person.end_date}, {how} {account.system} access "
        f"({account.username}) for {days_text(kept)} after termination"
        + ("" if still else f", revoked {until:%Y-%m-%d}")
        + f"; the window ended {deadline}"
    )
    return Item(
        key=f"offboarding:account:{account.pk}",
        wording=wording,
        severity=SEVERITY,
        system=account.system,
        subject_type="account",
        subject_id=str(account.pk),
        subject_label=f"{account.username} ({person.full_name})",
        period_from=cutoff,
        period_until=until,
        duration_seconds=(until - cutoff).total_seconds(),
        evidence=[
            ref("account", account.pk, account.username),
            ref("person", person.pk, person.full_name),
        ],
    )
