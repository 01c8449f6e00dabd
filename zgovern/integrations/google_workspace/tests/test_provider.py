"""The Google Workspace provider through zGovern's services: the key's validation,
"Test connection", and runs from the runner into the identity graph."""

from __future__ import annotations

import json

import pytest
from django_scopes import scopes_disabled

from zgovern.core import crypto
from zgovern.core.errors import DomainError
from zgovern.identity.models import Account
from zgovern.integrations import services as integrations
from zgovern.integrations.google_workspace.client import SCOPE
from zgovern.integrations.google_workspace.tests.conftest import SYSTEM
from zgovern.integrations.google_workspace.tests.replay import CONFIG, error, key_file
from zgovern.integrations.models import Integration
from zgovern.monitoring import runner
from zgovern.monitoring.models import CheckInterval, RunStatus, RunTrigger


def accounts(org) -> dict[str, Account]:
    with scopes_disabled():
        return {a.username: a for a in Account.objects.filter(organization=org, system="google")}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("not json at all" * 10, "not a JSON key file"),
        (key_file(type="authorized_user"), "not a service account key file"),
        (key_file(client_email="nobody"), "client_email"),
        (key_file(token_uri="https://evil.example/token"), "token_uri"),
        (key_file(private_key="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
         "cannot be read"),
    ],
)  # fmt: skip
def test_a_bad_key_file_is_refused_saying_why_without_echoing_it(org_a, key, message):
    with pytest.raises(DomainError) as caught:
        integrations.create_integration(
            org_a, SYSTEM, provider="google_workspace", name="Google", config=CONFIG,
            credentials={"service_account_key": key},
        )  # fmt: skip
    [(field, text)] = caught.value.errors
    assert field == "service_account_key" and message in text
    assert "PRIVATE KEY" not in text and "evil.example/token" not in json.dumps(text)


@pytest.mark.parametrize(
    "config", [{"admin_email": "not-an-email"}, {**CONFIG, "customer_id": "x; drop"}]
)
def test_bad_config_is_refused(org_a, config):
    with pytest.raises(DomainError):
        integrations.create_integration(
            org_a, SYSTEM, provider="google_workspace", name="Google", config=config
        )


def test_connection_works(org_a, google, world):
    report = integrations.test_connection(org_a, SYSTEM, google.pk)
    assert report.ok and len(report.checks) == 2


def test_connection_names_the_missing_delegation(org_a, google, world):
    world.deny("/token", error("token_error_401.json", 401))
    report = integrations.test_connection(org_a, SYSTEM, google.pk)
    assert not report.ok and report.missing_permissions == (SCOPE,)
    [(_, works, detail)] = report.checks
    assert not works and "domain-wide delegation" in detail


def test_connection_names_the_missing_admin_privilege(org_a, google, world):
    world.deny("/admin/directory/v1/users", error("error_403.json", 403))
    report = integrations.test_connection(org_a, SYSTEM, google.pk)
    assert not report.ok and report.missing_permissions == (SCOPE,)
    assert [works for _, works, _ in report.checks] == [True, False]


def test_runs_record_results_and_accounts_then_a_failed_sync_leaves_them_stale(
    org_a, google, world
):
    run = runner.run_integration(google.pk, RunTrigger.CLI)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    with scopes_disabled():
        statuses = {
            row.resource.name: row.status
            for row in CheckInterval.objects.filter(
                organization=org_a, check_id="google_workspace.users.two_step_verification"
            ).select_related("resource")
        }
    assert statuses == {
        "ann@acme.example": "pass", "ben@acme.example": "fail",
        "dora@acme.example": "pass", "scanner@acme.example": "error",
    }  # fmt: skip
    stored = accounts(org_a)
    assert len(stored) == 6
    assert (stored["ann@acme.example"].mfa, stored["ann@acme.example"].privileged) == (
        "enabled", True,
    )  # fmt: skip
    assert stored["ben@acme.example"].mfa == "disabled"
    assert stored["scanner@acme.example"].mfa == "unknown"
    assert stored["erin@acme.example"].status == "suspended"
    assert stored["dora@acme.example"].last_login_at is None

    world.deny("/admin/directory/v1/users", error("error_403.json", 403))
    second = runner.run_integration(google.pk, RunTrigger.CLI)
    assert second.status == RunStatus.FAILED  # its only service failed
    assert {e["permission"] for e in second.errors if e["scope"] == "users"} == {SCOPE}
    after = accounts(org_a)
    assert len(after) == 6 and all(a.stale for a in after.values())
    assert after["ann@acme.example"].status == "active"


def test_the_add_page_takes_the_key_file_and_never_shows_it(org_a, alice_client):
    page = alice_client.get(
        f"/o/{org_a.slug}/monitoring/integrations/new/?provider=google_workspace"
    )
    assert page.status_code == 200
    assert 'type="password" name="credentials__service_account_key"' in page.content.decode()
    key = key_file()
    response = alice_client.post(f"/o/{org_a.slug}/monitoring/integrations/new/", {
        "provider": "google_workspace", "name": "Google", "interval_hours": "24",
        "config__admin_email": "Admin@Acme.example", "config__customer_id": "my_customer",
        "credentials__service_account_key": key,
    })  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        created = Integration.objects.get(organization=org_a, provider="google_workspace")
    assert created.config == {"admin_email": "admin@acme.example", "customer_id": "my_customer"}
    assert json.loads(crypto.decrypt(created.credentials_encrypted)) == {"service_account_key": key}
    assert b"PRIVATE KEY" not in alice_client.get(response["Location"]).content
