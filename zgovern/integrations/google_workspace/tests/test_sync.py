"""Google Workspace collection and checks against the recorded customer: the signed
token exchange, paging by nextPageToken, quotas, a refused delegation, and users Google
described with fields missing."""

from __future__ import annotations

import httpx
import pytest

from zgovern.integrations.google_workspace import checks, sync
from zgovern.integrations.google_workspace.client import SCOPE
from zgovern.integrations.google_workspace.schemas import GoogleConfig, GoogleCredentials
from zgovern.integrations.google_workspace.tests.replay import (
    CONFIG,
    GoogleWorld,
    credentials,
    error,
)

USERS = "/admin/directory/v1/users"


def collect(world: GoogleWorld):
    return sync.collect(
        GoogleConfig(**CONFIG), GoogleCredentials(**credentials()), options=world.options()
    )


def verdicts(check_id: str, inventory) -> dict[str, tuple[str, str]]:
    return {f.resource.name: (f.status, f.reason) for f in checks.EVALUATORS[check_id](inventory)}


@pytest.fixture(scope="module")
def inventory():
    return collect(GoogleWorld())


def test_signs_in_once_and_pages_to_the_end():
    world = GoogleWorld()
    inventory = collect(world)
    assert inventory.failures == {}
    users = {u["email"]: u for u in inventory.data["users"]}
    # Both pages; the user without an id skipped.
    assert len(users) == 6 and "ghost@acme.example" not in users
    assert world.calls("/token") == 1 and world.calls(USERS) == 2
    assert users["dora@acme.example"]["last_login"] is None  # 1970: never signed in
    assert users["dora@acme.example"]["admin"] and not users["dora@acme.example"]["super_admin"]
    assert inventory.calls["google"] == 3


def test_a_user_with_fields_missing_is_kept_as_unknown(inventory):
    scanner = next(u for u in inventory.data["users"] if u["email"] == "scanner@acme.example")
    assert scanner["enrolled_2sv"] is None and scanner["enforced_2sv"] is None
    assert scanner["name"] == "" and not scanner["suspended"]


@pytest.mark.parametrize(
    "throttled",
    [
        lambda: error("error_429.json", 429, {"Retry-After": "4"}),
        lambda: error("error_403_quota.json", 403, {"Retry-After": "4"}),
    ],
    ids=["429", "403-rate-limit"],
)
def test_an_exhausted_quota_waits_as_long_as_retry_after_then_goes_on(throttled):
    world = GoogleWorld()
    world.queue(USERS, throttled())
    inventory = collect(world)
    assert world.waits == [4.0]
    assert inventory.failures == {} and len(inventory.data["users"]) == 6


def test_a_refused_delegation_is_a_permanent_error_naming_the_scope():
    world = GoogleWorld()
    world.deny("/token", error("token_error_401.json", 401))
    inventory = collect(world)
    failure = inventory.failures["users"]
    assert failure.permanent and failure.permission == SCOPE
    assert (
        "domain-wide delegation" in failure.message and "113344556677889900112" in failure.message
    )
    assert "unauthorized_client" in failure.message or "Client is unauthorized" in failure.message
    assert world.calls(USERS) == 0 and "users" not in inventory.data


def test_an_admin_without_the_privilege_is_a_permanent_error_naming_the_scope():
    world = GoogleWorld()
    world.deny(USERS, error("error_403.json", 403))
    failure = collect(world).failures["users"]
    assert failure.permanent and failure.permission == SCOPE
    assert "Not Authorized to access this resource/api" in failure.message


def test_a_listing_failing_half_way_keeps_nothing():
    world = GoogleWorld()
    world.queue(USERS, httpx.Response(200, content=(
        b'{"users": [{"id": "1", "primaryEmail": "a@acme.example"}], "nextPageToken": "p2"}'
    )), *[httpx.Response(503)] * 5)  # fmt: skip
    inventory = collect(world)
    assert "users" not in inventory.data and not inventory.failures["users"].permanent


def test_users_not_enrolled_in_2sv_fail_and_unknown_ones_err(inventory):
    found = verdicts("google_workspace.users.two_step_verification", inventory)
    assert found["ann@acme.example"] == (
        "pass",
        "user ann@acme.example (super admin) is enrolled in 2-Step Verification",
    )
    assert found["ben@acme.example"][0] == "fail"
    assert found["scanner@acme.example"][0] == "error"
    assert "carl@acme.example" not in found  # suspended: cannot sign in


def test_users_without_enforcement_fail_naming_their_unit(inventory):
    found = verdicts("google_workspace.users.two_step_enforced", inventory)
    assert found["dora@acme.example"] == (
        "fail", "2-Step Verification is not enforced for user dora@acme.example (admin) "
        "(organisational unit /Sales)",
    )  # fmt: skip
    assert found["ann@acme.example"][0] == "pass"


def test_suspended_users_are_listed_and_an_admin_among_them_fails(inventory):
    assert verdicts("google_workspace.users.suspended", inventory) == {
        "carl@acme.example": ("pass", "user carl@acme.example is suspended (ADMIN)"),
        "erin@acme.example": (
            "fail", "user erin@acme.example is suspended (ADMIN) but still holds an "
            "administrator role",
        ),
    }  # fmt: skip
