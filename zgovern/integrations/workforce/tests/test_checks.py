"""The workforce checks, run through the runner against a small roster and graph."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.identity import services as identity
from zgovern.identity.models import Account
from zgovern.identity.tests.conftest import SYSTEM, add_person, holder, rec
from zgovern.integrations.base import Inventory
from zgovern.integrations.models import Integration
from zgovern.integrations.workforce import checks
from zgovern.integrations.workforce.collect import LeaverAccount, PersonRow
from zgovern.monitoring import runner
from zgovern.monitoring.models import CheckInterval, CheckRun, RunTrigger
from zgovern.people import services as people
from zgovern.tenancy.scoping import organization_scope


def current(org, check_id: str) -> dict[str, tuple[str, str]]:
    """resource name -> (status, reason) of the open intervals of a check."""
    with scopes_disabled():
        rows = CheckInterval.objects.filter(
            organization=org, check_id=check_id, ended_at__isnull=True
        ).select_related("resource")
        return {row.resource.name: (row.status, row.reason) for row in rows}


def run(org) -> CheckRun:
    with organization_scope(org):
        integration = identity.ensure_workforce_integration(org, SYSTEM)
    return runner.run_integration(integration.pk, RunTrigger.CLI)


@pytest.fixture
def estate(org_a):
    today = timezone.localdate()
    ada = add_person(org_a, "ada@a.example", start_date=today - timedelta(days=400))
    new = add_person(org_a, "new@a.example", start_date=today - timedelta(days=5))
    con = add_person(org_a, "con@a.example", employment_type="contractor",
                     start_date=today - timedelta(days=200))  # fmt: skip
    gone = add_person(org_a, "gone@a.example", start_date=date(2020, 1, 1),
                      end_date=today - timedelta(days=10))  # fmt: skip
    with organization_scope(org_a):
        people.record_background_check(org_a, SYSTEM, ada.pk, status="clear",
                                       completed_on=today - timedelta(days=390))  # fmt: skip
        people.record_training(org_a, SYSTEM, ada.pk, course_key="security-awareness")
        people.record_background_check(org_a, SYSTEM, con.pk, status="pending")
    okta = holder(org_a)
    at = datetime.now(UTC) - timedelta(hours=1)
    identity.record_accounts(okta, "okta", [
        rec("o1", username="ada", email="ada@a.example", mfa="enabled"),
        rec("o2", username="con", email="con@a.example", mfa="disabled"),
        rec("o3", username="gone", email="gone@a.example", mfa="enabled"),
        rec("o4", username="ci-bot", mfa="unknown"),
        rec("o5", username="old", email="gone@a.example", status="suspended"),
    ], at)  # fmt: skip
    identity.record_accounts(holder(org_a, "AWS"), "aws", [
        rec("k1", username="deployer", mfa="disabled", attributes={"console_access": False}),
    ], at)  # fmt: skip
    return {"ada": ada, "new": new, "con": con, "gone": gone}


def test_run_reports_mfa_offboarding_and_onboarding(org_a, estate):
    finished = run(org_a)
    assert (
        finished.status in ("succeeded", "partial", "completed", "success") or finished.errors == []
    )
    mfa = current(org_a, "workforce.accounts.mfa")
    assert mfa["ada (okta)"][0] == "pass"
    assert mfa["con (okta)"][0] == "fail"
    assert mfa["ci-bot (okta)"][0] == "error" and "unknown" in mfa["ci-bot (okta)"][1]
    assert mfa["deployer (aws)"][0] == "not_applicable"
    assert "old (okta)" not in mfa  # suspended: not an active account

    off = current(org_a, "workforce.people.offboarding_timely")
    assert list(off) == ["Gone <gone@a.example>"]
    status, reason = off["Gone <gone@a.example>"]
    assert status == "fail" and "gone (okta)" in reason and "old" not in reason

    background = current(org_a, "workforce.people.background_check")
    assert background["Ada <ada@a.example>"][0] == "pass"
    assert background["Con <con@a.example>"][0] == "fail"
    assert "pending" in background["Con <con@a.example>"][1]
    assert background["New <new@a.example>"][0] == "not_applicable"
    training = current(org_a, "workforce.people.security_training")
    assert training["Ada <ada@a.example>"][0] == "pass"
    assert training["Con <con@a.example>"][0] == "fail"


def test_revoking_the_leaver_passes_and_windows_are_the_orgs(org_a, estate):
    with scopes_disabled():
        # Left 10 days ago, revoked 9 days ago at noon: a day after a 0-day window.
        revoked = datetime.combine(timezone.localdate() - timedelta(days=9), time(12), UTC)
        Account.objects.filter(external_id="o3").update(status="suspended", deactivated_at=revoked)
    with organization_scope(org_a):
        identity.update_settings(org_a, SYSTEM, revocation_business_days=0, onboarding_days=3)
    run(org_a)
    off = current(org_a, "workforce.people.offboarding_timely")
    assert off["Gone <gone@a.example>"][0] == "fail"  # revoked a day late
    assert "revoked after" in off["Gone <gone@a.example>"][1]
    assert current(org_a, "workforce.people.security_training")["New <new@a.example>"][0] == "fail"
    with organization_scope(org_a):
        identity.update_settings(org_a, SYSTEM, revocation_business_days=5, onboarding_days=30)
    run(org_a)
    assert (
        current(org_a, "workforce.people.offboarding_timely")["Gone <gone@a.example>"][0] == "pass"
    )


def test_stale_accounts_keep_their_last_state_in_the_checks(org_a, estate):
    with scopes_disabled():
        okta = Integration.objects.get(organization=org_a, name="Okta")
    identity.record_accounts(okta, "okta", None, datetime.now(UTC))
    run(org_a)
    mfa = current(org_a, "workforce.accounts.mfa")
    assert mfa["con (okta)"][0] == "fail" and "last known state" in mfa["con (okta)"][1]
    off = current(org_a, "workforce.people.offboarding_timely")
    assert "stale" in off["Gone <gone@a.example>"][1]


def test_ensure_workforce_integration_is_idempotent(org_a):
    with organization_scope(org_a):
        first = identity.ensure_workforce_integration(org_a, SYSTEM)
        second = identity.ensure_workforce_integration(org_a, SYSTEM)
    assert first.pk == second.pk
    with scopes_disabled():
        assert Integration.objects.filter(organization=org_a, provider="workforce").count() == 1


def test_business_days_skip_weekends():
    friday = date(2026, 1, 9)
    assert checks.add_business_days(friday, 1) == date(2026, 1, 12)
    assert checks.add_business_days(friday, 0) == friday
    assert checks.add_business_days(date(2026, 1, 10), 1) == date(2026, 1, 12)  # Saturday


def test_offboarding_verdicts_in_memory():
    today = date(2026, 3, 2)
    person = PersonRow(1, "Lee", "lee@a.example", "employee", date(2020, 1, 1),
                       date(2026, 2, 27), "terminated")  # fmt: skip
    person.accounts.append(LeaverAccount(1, "github", "lee", "active", None, False))
    inventory = Inventory(data={"people": {
        "today": today, "revocation_business_days": 1, "onboarding_days": 30, "people": [person],
    }})  # fmt: skip
    # Left Friday 27 Feb; one business day is Monday 2 Mar: still due today.
    [finding] = checks.offboarding(inventory)
    assert finding.status == "pass" and "due by 2026-03-02" in finding.reason
    inventory.data["people"]["today"] = date(2026, 3, 3)
    [finding] = checks.offboarding(inventory)
    assert finding.status == "fail"
