"""The integrations and monitoring REST API with alice's, bob's, a member's and charlie's
tokens: credentials are write-only, managing them needs manage_settings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django_scopes import scopes_disabled

from conftest import make_user
from zgovern.core import crypto
from zgovern.integrations.models import Integration
from zgovern.monitoring import runner
from zgovern.monitoring.models import CheckRun, Resource, RunTrigger
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.tests.conftest import api_client, issue_token

TOKEN = "fake-token-1234"
API = "/api/v1"


def post(client, path: str, body: dict | None = None, method: str = "post"):
    return getattr(client, method)(
        API + path, json.dumps(body or {}), content_type="application/json"
    )


@pytest.fixture
def member_api(org_a):
    user = make_user("mia@a.example", "Mia Member")
    with scopes_disabled():
        Membership.objects.create(organization=org_a, user=user, role=Role.MEMBER)
    return api_client(issue_token(org_a, user, read_only=False, name="mia rw"))


@pytest.fixture
def ran(integration, fake_provider):
    fake_provider.users["ben"] = {"mfa": False, "active": True}
    return runner.run_integration(integration.pk, RunTrigger.CLI)


def test_integrations_never_carry_credentials(integration, alice_api, bob_api, charlie_api):
    for client in (alice_api, bob_api):
        listing = client.get(f"{API}/integrations")
        assert listing.status_code == 200
        [row] = listing.json()
        assert row["name"] == "Fake prod" and row["credentials_set"] is True
        assert TOKEN not in listing.content.decode()
        assert "credentials_encrypted" not in row
        one = client.get(f"{API}/integrations/{integration.pk}")
        assert one.status_code == 200 and TOKEN not in one.content.decode()
    assert charlie_api.get(f"{API}/integrations").json() == []
    assert charlie_api.get(f"{API}/integrations/{integration.pk}").status_code == 404


def test_providers_are_listed_with_their_schemas(fake_provider, bob_api):
    providers = {p["key"]: p for p in bob_api.get(f"{API}/integration-providers").json()}
    assert "aws" in providers
    assert "token" in providers["fake"]["credentials_schema"]["properties"]


def test_create_needs_manage_settings_and_validates(
    org_a, fake_provider, alice_api, bob_api, member_api
):
    body = {"provider": "fake", "name": "Staging", "config": {"account": "222222222222"},
            "credentials": {"token": "staging-token"}, "interval_hours": 3}  # fmt: skip
    assert post(bob_api, "/integrations", body).status_code == 403
    assert post(member_api, "/integrations", body).status_code == 403
    bad = post(alice_api, "/integrations", {**body, "config": {"account": "1"}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "config"
    assert post(alice_api, "/integrations", {**body, "interval_hours": 30}).status_code == 422
    created = post(alice_api, "/integrations", body)
    assert created.status_code == 201
    assert created.json()["interval_hours"] == 3 and "staging-token" not in created.content.decode()
    with scopes_disabled():
        row = Integration.objects.get(organization=org_a, name="Staging")
    assert json.loads(crypto.decrypt(row.credentials_encrypted)) == {"token": "staging-token"}
    assert post(alice_api, "/integrations", body).status_code == 409


def test_patch_is_a_plain_write(integration, member_api, bob_api):
    path = f"/integrations/{integration.pk}"
    assert post(bob_api, path, {"enabled": False}, "patch").status_code == 403
    response = post(member_api, path, {"enabled": False, "interval_hours": 12}, "patch")
    assert response.status_code == 200
    assert response.json()["enabled"] is False and response.json()["interval_hours"] == 12


def test_credentials_are_replaced_by_managers_only(integration, alice_api, member_api, charlie_api):
    path = f"/integrations/{integration.pk}/credentials"
    body = {"credentials": {"token": "rotated-token-1"}}
    assert post(member_api, path, body, "put").status_code == 403
    assert post(charlie_api, path, body, "put").status_code == 404
    assert post(alice_api, path, {"credentials": {"token": "x"}}, "put").status_code == 400
    assert post(alice_api, path, body, "put").status_code == 204
    with scopes_disabled():
        sealed = Integration.objects.get(pk=integration.pk).credentials_encrypted
    assert json.loads(crypto.decrypt(sealed)) == {"token": "rotated-token-1"}


def test_test_connection_and_run_now(org_a, integration, fake_provider, member_api, bob_api):
    fake_provider.missing_permissions = ("users:ListUsers",)
    report = post(member_api, f"/integrations/{integration.pk}/test")
    assert report.status_code == 200
    assert report.json()["ok"] is False and report.json()["missing_permissions"] == [
        "users:ListUsers"
    ]
    assert post(bob_api, f"/integrations/{integration.pk}/runs").status_code == 403
    queued = post(member_api, f"/integrations/{integration.pk}/runs")
    assert queued.status_code == 202 and queued.json() == {
        "integration_id": integration.pk,
        "queued": True,
    }
    with scopes_disabled():
        assert CheckRun.objects.get(organization=org_a).trigger == RunTrigger.MANUAL


def test_delete_needs_manage_settings(integration, alice_api, member_api):
    assert post(member_api, f"/integrations/{integration.pk}", method="delete").status_code == 403
    assert post(alice_api, f"/integrations/{integration.pk}", method="delete").status_code == 204
    assert alice_api.get(f"{API}/integrations/{integration.pk}").status_code == 404


def test_runs(ran, bob_api, charlie_api):
    listing = bob_api.get(f"{API}/runs", {"status": "succeeded"})
    assert listing.status_code == 200 and listing.json()["count"] == 1
    run = bob_api.get(f"{API}/runs/{ran.pk}").json()
    assert run["counts"] == {"pass": 4, "fail": 1, "error": 0, "skipped": 0, "not_applicable": 0}
    assert run["evidence_ids"] == ran.evidence_ids and run["trigger"] == "cli"
    assert bob_api.get(f"{API}/runs", {"status": "failed"}).json()["count"] == 0
    assert charlie_api.get(f"{API}/runs/{ran.pk}").status_code == 404
    assert charlie_api.get(f"{API}/runs").json()["count"] == 0


def test_checks_with_current_counts(ran, bob_api, charlie_api):
    checks = {c["id"]: c for c in bob_api.get(f"{API}/checks").json()}
    mfa = checks["fake.users.mfa"]
    assert mfa["current"] == {"passing": 1, "failing": 1, "errors": 0, "other": 0}
    assert mfa["registered"] and mfa["criteria"] == ["soc2:CC6.1"] and mfa["severity"] == "high"
    assert mfa["failing_since"] is not None
    assert "aws.iam.console_mfa" in checks
    [one] = bob_api.get(f"{API}/checks", {"check_id": "fake.users.mfa"}).json()
    assert one["id"] == "fake.users.mfa"
    outsider = {c["id"]: c for c in charlie_api.get(f"{API}/checks").json()}
    assert outsider["fake.users.mfa"]["current"]["failing"] == 0


def test_resources_intervals_and_the_status_at_a_moment(org_a, ran, bob_api, charlie_api):
    with scopes_disabled():
        ben = Resource.objects.get(organization=org_a, external_id="user/ben")
    page = bob_api.get(f"{API}/resources", {"q": "ben"}).json()
    assert page["count"] == 1 and page["items"][0]["id"] == ben.pk
    detail = bob_api.get(f"{API}/resources/{ben.pk}").json()
    assert {i["check_id"]: i["status"] for i in detail["current"]} == {
        "fake.users.mfa": "fail", "fake.users.active": "pass",
    }  # fmt: skip
    now = bob_api.get(f"{API}/resources/{ben.pk}/status", {"check_id": "fake.users.mfa"}).json()
    assert [i["status"] for i in now["statuses"]] == ["fail"]
    before = (ran.started_at - timedelta(days=1)).isoformat()
    assert bob_api.get(f"{API}/resources/{ben.pk}/status", {"at": before}).json()["statuses"] == []
    naive = bob_api.get(f"{API}/resources/{ben.pk}/status", {"at": "2030-01-01T00:00:00"})
    assert naive.status_code == 200 and len(naive.json()["statuses"]) == 2
    failing = bob_api.get(
        f"{API}/intervals", {"check_id": "fake.users.mfa", "status": "fail", "current": "true"}
    ).json()
    assert failing["count"] == 1 and failing["items"][0]["resource_id"] == ben.pk
    interval_id = failing["items"][0]["id"]
    assert bob_api.get(f"{API}/intervals/{interval_id}").json()["reason"].startswith("user ben")
    for path in (
        f"/resources/{ben.pk}",
        f"/resources/{ben.pk}/status",
        f"/intervals/{interval_id}",
    ):
        assert charlie_api.get(API + path).status_code == 404
