"""The Okta checks over the recorded organisation."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from zgovern.integrations.okta import checks
from zgovern.integrations.okta.tests.replay import OktaWorld
from zgovern.integrations.okta.tests.test_sync import BEN, collect


def verdicts(check_id: str, inventory) -> dict[str, tuple[str, str]]:
    return {f.resource.name: (f.status, f.reason) for f in checks.EVALUATORS[check_id](inventory)}


@pytest.fixture(scope="module")
def inventory():
    return collect(OktaWorld())


def test_active_users_without_an_active_factor_fail_contractors_and_service_users_too(inventory):
    found = verdicts("okta.users.mfa", inventory)
    assert found["ann@acme.example"][0] == "pass"
    assert found["ben@acme.example"] == (
        "fail",
        "user ben@acme.example (contractor) can sign in with no active MFA factor",
    )
    assert found["svc-ci@acme.example"][0] == "fail"
    assert "not finished enrolling: sms" in found["svc-ci@acme.example"][1]
    # A user Okta sent without a profile is still judged, by id.
    assert found["00u1gap0000000000006"][0] == "fail"
    # Suspended and deactivated users cannot sign in: not judged.
    assert "carl@acme.example" not in found and "erin@acme.example" not in found


def test_a_user_whose_factors_failed_is_an_error_not_a_pass():
    world = OktaWorld()
    world.queue(f"/api/v1/users/{BEN}/factors", *[httpx.Response(503)] * 5)
    found = verdicts("okta.users.mfa", collect(world))
    assert found["ben@acme.example"][0] == "error"


def test_sign_on_rules_that_let_people_in_need_a_second_factor(inventory):
    found = verdicts("okta.policies.mfa_required", inventory)
    assert found["Default Policy / Require MFA"][0] == "pass"
    assert found["Default Policy / Default Rule"] == (
        "fail", "rule 'Default Rule' of sign-on policy 'Default Policy' lets people sign in "
        "without a second factor",
    )  # fmt: skip
    assert found["Contractors / Office network"][0] == "fail"
    assert found["Contractors / Block elsewhere"][0] == "pass"
    assert found["Contractors / Old exception"][0] == "not_applicable"


def test_deactivated_users_are_listed_and_a_remaining_admin_role_fails(inventory):
    found = verdicts("okta.users.deactivated", inventory)
    assert found == {
        "erin@acme.example": (
            "fail", "user erin@acme.example was deactivated on 2026-10-15 but still holds an "
            "administrator role",
        ),
        "fred@acme.example": ("pass", "user fred@acme.example was deactivated on 2026-08-03"),
    }  # fmt: skip


def test_users_not_signed_in_for_the_limit_fail(inventory, monkeypatch):
    monkeypatch.setattr(checks, "now", lambda: datetime(2026, 11, 28, tzinfo=UTC))
    found = verdicts("okta.users.inactive_suspended", inventory)
    assert found["ann@acme.example"][0] == "pass"
    assert found["dora@acme.example"] == (
        "fail",
        "user dora@acme.example last signed in 681 days ago; limit 90 days",
    )
    assert found["svc-ci@acme.example"][0] == "fail"  # never signed in since 2024
    assert found["00u1gap0000000000006"][0] == "error"  # no dates at all


def test_checks_yaml_matches_the_evaluators():
    from zgovern.integrations.okta.provider import PROVIDER
    from zgovern.monitoring.checkspec import load_checks

    specs = load_checks(PROVIDER)
    assert {s.id for s in specs} == set(checks.EVALUATORS)
    assert all(s.controls for s in specs)
