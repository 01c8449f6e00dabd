"""Okta collection against the recorded organisation: paging to the end, rate limits,
denied scopes, one user's failure, and records Okta sent with fields missing."""

from __future__ import annotations

import httpx

from zgovern.integrations.okta import checks, sync
from zgovern.integrations.okta.schemas import OktaConfig, OktaCredentials
from zgovern.integrations.okta.tests.replay import CONFIG, CREDENTIALS, OktaWorld, error

ANN, BEN, SVC = "00u1ann0000000000001", "00u1ben0000000000002", "00u1svc0000000000003"
DORA, GAP, ERIN = "00u1dor0000000000005", "00u1gap0000000000006", "00u1eri0000000000007"


def collect(world: OktaWorld, services=sync.SERVICES):
    return sync.collect(
        OktaConfig(**CONFIG), OktaCredentials(**CREDENTIALS), services, options=world.options()
    )


def test_every_page_every_status_and_the_factors_of_users_who_can_sign_in():
    world = OktaWorld()
    inventory = collect(world)
    assert inventory.failures == {}
    users = {u["id"]: u for u in inventory.data["users"]}
    # Both pages of the default listing, then the deactivated; the id-less record skipped.
    assert len(users) == 8 and "" not in users
    assert users[ERIN]["status"] == "DEPROVISIONED"
    assert users[BEN]["user_type"] == "contractor" and users[BEN]["email"] == "ben@acme.example"
    # Administrators: both pages of the role-assignee listing.
    assert {uid for uid, u in users.items() if u["admin"]} == {ANN, ERIN}
    # Factors only for those who can sign in: not the suspended or deactivated.
    assert set(inventory.data["factors"]) == {ANN, BEN, SVC, DORA, GAP}
    assert inventory.data["factors"][ANN] == {"active": ["push", "webauthn"], "pending": []}
    assert inventory.data["factors"][SVC] == {"active": [], "pending": ["sms"]}
    assert world.calls("/api/v1/users") == 3
    assert inventory.calls["okta"] == len(world.requests)


def test_a_user_with_fields_missing_is_kept_with_empty_values():
    inventory = collect(OktaWorld(), ["users"])
    gap = next(u for u in inventory.data["users"] if u["id"] == GAP)
    assert gap["login"] == "" and gap["email"] == "" and gap["name"] == ""
    assert gap["last_login"] is None and gap["status"] == "ACTIVE"


def test_429_waits_as_long_as_retry_after_then_pages_on():
    world = OktaWorld()
    world.queue("/api/v1/users", error(429, {"Retry-After": "3"}))
    inventory = collect(world, ["users"])
    assert world.waits == [3.0]
    assert "users" not in inventory.failures and len(inventory.data["users"]) == 8


def test_a_denied_users_scope_fails_users_and_factors_naming_the_scope():
    world = OktaWorld()
    world.deny("/api/v1/users")
    inventory = collect(world)
    assert "users" not in inventory.data
    for service in ("users", "factors"):
        failure = inventory.failures[service]
        assert failure.permanent and failure.permission == "okta.users.read"
        assert "HTTP 403" in failure.message
    # The policies are a separate service: still collected.
    assert "policies" not in inventory.failures and inventory.data["policies"]


def test_a_denied_roles_scope_leaves_privilege_unknown_and_the_rest_collected():
    world = OktaWorld()
    world.deny("/api/v1/iam")
    inventory = collect(world)
    assert inventory.failures["roles"].permission == "okta.roles.read"
    assert inventory.failures["roles"].service == "roles"
    assert set(inventory.failures) == {"roles"}
    assert all(u["admin"] is None for u in inventory.data["users"])
    # A deactivated user's check needs the roles: unknown is an error, never a pass.
    verdicts = {f.resource.name: f.status for f in checks.users_deactivated(inventory)}
    assert verdicts == {"erin@acme.example": "error", "fred@acme.example": "error"}
    assert inventory.data["factors"]


def test_one_users_factors_failing_is_that_users_alone():
    world = OktaWorld()
    world.queue(f"/api/v1/users/{BEN}/factors", *[httpx.Response(503)] * 5)
    inventory = collect(world)
    assert set(inventory.failures) == {f"factors:{BEN}"}
    assert not inventory.failures[f"factors:{BEN}"].permanent
    assert "error" in inventory.data["factors"][BEN]
    assert inventory.data["factors"][ANN]["active"]


def test_denied_factors_stop_the_service():
    world = OktaWorld()
    world.deny("/api/v1/users/00u")
    inventory = collect(world, ["factors"])
    assert inventory.failures["factors"].permission == "okta.users.read"
    # Calls already under way finish; no new ones start.
    assert sum(1 for r in world.requests if r.url.path.endswith("/factors")) <= sync.FACTOR_WORKERS
    assert "users" in inventory.data  # the listing itself worked


def test_a_policy_whose_rules_fail_is_recorded_and_the_others_kept():
    world = OktaWorld()
    world.queue("/api/v1/policies/00p1contract00000002/rules", *[httpx.Response(500)] * 5)
    inventory = collect(world, ["policies"])
    assert set(inventory.failures) == {"policies:00p1contract00000002"}
    records = inventory.data["policies"]
    assert [r["rule_name"] for r in records if "error" not in r] == ["Require MFA", "Default Rule"]
    assert [r["policy_name"] for r in records if "error" in r] == ["Contractors"]


def test_an_unexpected_answer_fails_the_service_not_the_run():
    world = OktaWorld()
    world.queue("/api/v1/policies", httpx.Response(200, text="<html>maintenance</html>"))
    world.queue("/api/v1/policies", *[httpx.Response(200, text="<html>")] * 4)
    inventory = collect(world, ["policies"])
    assert "did not answer JSON" in inventory.failures["policies"].message
