"""The workforce checks: each reads the collected rows in memory and yields one finding per
account or person. Metadata is in ``checks.yaml``.

- MFA: every active account in every system, service accounts and contractors included;
  an unknown MFA state is an ERROR (not known), never a pass.
- Offboarding: a person whose end date has passed with an account still active after the
  revocation window (end date + N business days) fails; so does one whose account was
  revoked after the window, while the departure is recent (``LATE_LOOKBACK_DAYS``).
- Onboarding: active people more than N days past their start date without a completed
  background check (clear or consider) / without any security training completion.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef
from zgovern.integrations.workforce.collect import AccountRow, LeaverAccount, PersonRow

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))
PASS, FAIL, ERROR, NOT_APPLICABLE = "pass", "fail", "error", "not_applicable"
LATE_LOOKBACK_DAYS = 90
_TERMINATED = "terminated"


def account_ref(row: AccountRow) -> ResourceRef:
    return ResourceRef(
        resource_type="workforce.account",
        external_id=f"account:{row.id}",
        name=f"{row.username} ({row.system})",
        account=row.system,
    )


def person_ref(person: PersonRow) -> ResourceRef:
    return ResourceRef(
        resource_type="workforce.person",
        external_id=f"person:{person.id}",
        name=f"{person.name} <{person.email}>",
    )


# -- MFA ------------------------------------------------------------------------------


def mfa(inventory: Inventory) -> Iterator[Finding]:
    for row in inventory.data["accounts"]["accounts"]:
        yield Finding(account_ref(row), *_mfa_verdict(row))


def _mfa_verdict(row: AccountRow) -> tuple[str, str]:
    who = (
        "service account"
        if row.is_service
        else ("account" if row.person_id else "unlinked account")
    )
    stale = " (last known state: the system's last sync failed)" if row.stale else ""
    if not row.console:
        return NOT_APPLICABLE, f"{who} has no console password: it signs in with keys only{stale}"
    if row.mfa == "enabled":
        return PASS, f"{who} has MFA enabled{stale}"
    if row.mfa == "disabled":
        return FAIL, f"active {who} in {row.system} without MFA{stale}"
    return ERROR, f"MFA state of this {who} is unknown: {row.system} does not report it{stale}"


# -- offboarding ----------------------------------------------------------------------


def add_business_days(day: date, count: int) -> date:
    """``day`` plus ``count`` working days (Monday to Friday)."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def offboarding(inventory: Inventory) -> Iterator[Finding]:
    data = inventory.data["people"]
    today: date = data["today"]
    for person in data["people"]:
        if person.end_date is None or person.end_date >= today:
            continue  # not a leaver (yet)
        deadline = add_business_days(person.end_date, data["revocation_business_days"])
        yield Finding(person_ref(person), *offboarding_verdict(person, deadline, today))


def offboarding_verdict(person: PersonRow, deadline: date, today: date) -> tuple[str, str]:
    active = [a for a in person.accounts if a.status == "active"]
    if active and today > deadline:
        return FAIL, f"left on {person.end_date}; still active after {deadline}: {_names(active)}"
    if active:
        return PASS, f"left on {person.end_date}; revocation due by {deadline}: {_names(active)}"
    late = [a for a in person.accounts if _revoked_after(a, deadline)]
    recent = (today - person.end_date).days <= LATE_LOOKBACK_DAYS
    if late and recent:
        return FAIL, f"left on {person.end_date}; revoked after {deadline}: {_late(late)}"
    if late:
        return NOT_APPLICABLE, (
            f"left on {person.end_date}, more than {LATE_LOOKBACK_DAYS} days ago; "
            f"revoked late: {_late(late)}"
        )
    count = len(person.accounts)
    return PASS, f"left on {person.end_date}; all {count} linked account(s) revoked in time"


def _revoked_after(account: LeaverAccount, deadline: date) -> bool:
    return account.deactivated_at is not None and account.deactivated_at.date() > deadline


def _names(accounts: list[LeaverAccount]) -> str:
    shown = ", ".join(
        f"{a.username} ({a.system}{', stale' if a.stale else ''})" for a in accounts[:10]
    )
    return shown + (f" and {len(accounts) - 10} more" if len(accounts) > 10 else "")


def _late(accounts: list[LeaverAccount]) -> str:
    return ", ".join(
        f"{a.username} ({a.system}) on {a.deactivated_at.date()}"
        for a in accounts[:10]
        if a.deactivated_at
    )


# -- onboarding -----------------------------------------------------------------------


def _onboarding(inventory: Inventory, verdict) -> Iterator[Finding]:
    data: dict[str, Any] = inventory.data["people"]
    today: date = data["today"]
    for person in data["people"]:
        if person.status == _TERMINATED or (person.end_date and person.end_date < today):
            continue  # a leaver: offboarding's business
        due = person.start_date + timedelta(days=data["onboarding_days"])
        yield Finding(person_ref(person), *verdict(person, due, today))


def background_verdict(person: PersonRow, due: date, today: date) -> tuple[str, str]:
    status, completed_on = person.background or ("", None)
    if status in ("clear", "consider") and completed_on is not None:
        return PASS, f"background check {status} on {completed_on}"
    if today <= due:
        return NOT_APPLICABLE, f"in onboarding: background check due by {due}"
    if status == "failed":
        return FAIL, f"background check failed on {completed_on}"
    if status == "pending":
        return FAIL, f"background check still pending, due by {due}"
    return FAIL, f"no background check recorded, due by {due}"


def training_verdict(person: PersonRow, due: date, today: date) -> tuple[str, str]:
    if person.trained_on is not None:
        return PASS, f"security training completed on {person.trained_on}"
    if today <= due:
        return NOT_APPLICABLE, f"in onboarding: security training due by {due}"
    return FAIL, f"no security training completed, due by {due}"


def background_check(inventory: Inventory) -> Iterator[Finding]:
    return _onboarding(inventory, background_verdict)


def security_training(inventory: Inventory) -> Iterator[Finding]:
    return _onboarding(inventory, training_verdict)


def evaluators() -> dict[str, Evaluator]:
    return {
        "workforce.accounts.mfa": mfa,
        "workforce.people.offboarding_timely": offboarding,
        "workforce.people.background_check": background_check,
        "workforce.people.security_training": security_training,
    }
