"""The Okta provider through zGovern's services: settings validation, "Test connection",
and the run from the runner to the identity graph, including a run whose users fail."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from zgovern.controls.models import ControlEvidence
from zgovern.core.errors import DomainError
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks import services as frameworks
from zgovern.identity.models import Account
from zgovern.integrations import services as integrations
from zgovern.integrations.models import Integration
from zgovern.integrations.okta.tests.conftest import SYSTEM
from zgovern.integrations.okta.tests.replay import CONFIG, CREDENTIALS
from zgovern.monitoring import runner
from zgovern.monitoring.models import CheckInterval, RunStatus, RunTrigger
from zgovern.tenancy.scoping import organization_scope


def accounts(org) -> dict[str, Account]:
    with scopes_disabled():
        return {a.username: a for a in Account.objects.filter(organization=org, system="okta")}


def intervals(org, check_id: str) -> dict[str, list[CheckInterval]]:
    with scopes_disabled():
        rows = CheckInterval.objects.filter(organization=org, check_id=check_id)
        found: dict[str, list[CheckInterval]] = {}
        for row in rows.select_related("resource").order_by("started_at", "id"):
            found.setdefault(row.resource.name, []).append(row)
    return found


@pytest.mark.parametrize(
    ("config", "credentials", "field"),
    [
        ({"org_url": "http://acme.okta.com"}, CREDENTIALS, "org_url"),
        ({"org_url": "https://acme.okta.com/admin"}, CREDENTIALS, "org_url"),
        ({"org_url": "https://acme.okta.com:8443"}, CREDENTIALS, "org_url"),
        ({**CONFIG, "extra": 1}, CREDENTIALS, "extra"),
        (CONFIG, {"api_token": "short"}, "api_token"),
        (CONFIG, {"api_token": "x" * 30 + " ; secret-part"}, "api_token"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(org_a, config, credentials, field):
    with pytest.raises(DomainError) as caught:
        integrations.create_integration(
            org_a, SYSTEM, provider="okta", name="Okta", config=config, credentials=credentials
        )
    assert any(name.startswith(field) for name, _ in caught.value.errors)
    assert "secret-part" not in str(caught.value.errors)  # a secret is never echoed


def test_the_org_url_is_kept_as_an_origin(org_a):
    integration = integrations.create_integration(
        org_a, SYSTEM, provider="okta", name="Okta",
        config={"org_url": " https://Acme.Okta.com/ "}, credentials=CREDENTIALS,
    )  # fmt: skip
    assert integration.config["org_url"] == "https://acme.okta.com"


def test_connection_works_with_every_scope(org_a, okta, world):
    report = integrations.test_connection(org_a, SYSTEM, okta.pk)
    assert report.ok and report.missing_permissions == ()
    assert next(name for name, _, _ in report.checks) == "Users (okta.users.read)"


def test_connection_names_each_missing_scope(org_a, okta, world):
    world.deny("/api/v1/policies")
    world.deny("/api/v1/iam")
    report = integrations.test_connection(org_a, SYSTEM, okta.pk)
    assert not report.ok
    assert report.missing_permissions == ("okta.policies.read", "okta.roles.read")
    works = {name: ok for name, ok, _ in report.checks}
    assert works["Users (okta.users.read)"] and not works["Sign-on policies (okta.policies.read)"]


def test_connection_with_a_rejected_token_says_so(org_a, okta, world):
    world.deny("/api", 401)
    report = integrations.test_connection(org_a, SYSTEM, okta.pk)
    assert not report.ok
    detail = dict((name, text) for name, _, text in report.checks)["Users (okta.users.read)"]
    assert "rejected the credentials (HTTP 401)" in detail and "Invalid token provided" in detail


def test_a_run_records_results_evidence_and_accounts_then_a_failed_sync_leaves_them_stale(
    org_a, okta, world
):
    with organization_scope(org_a):
        frameworks.adopt_builtin(org_a, SYSTEM, "soc2")
    run = runner.run_integration(okta.pk, RunTrigger.CLI)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    mfa = intervals(org_a, "okta.users.mfa")
    assert mfa["ben@acme.example"][0].status == "fail"
    assert mfa["ann@acme.example"][0].status == "pass"
    rules = intervals(org_a, "okta.policies.mfa_required")
    assert rules["Default Policy / Default Rule"][0].status == "fail"
    with scopes_disabled():
        [item] = EvidenceItem.objects.filter(organization=org_a, kind="check_snapshot")
        linked = set(
            ControlEvidence.objects.filter(organization=org_a, evidence=item).values_list(
                "control__key", flat=True
            )
        )
    # Linked through the control set's own `checks:` lists (okta.users.mfa and
    # okta.users.inactive_suspended are named there).
    assert {"mfa-enforced", "stale-credentials-disabled"} <= linked

    stored = accounts(org_a)
    assert len(stored) == 8
    ann, ben, erin = (
        stored["ann@acme.example"],
        stored["ben@acme.example"],
        stored["erin@acme.example"],
    )
    assert (ann.status, ann.mfa, ann.privileged) == ("active", "enabled", True)
    assert (ben.mfa, ben.privileged, ben.attributes["user_type"]) == (
        "disabled",
        False,
        "contractor",
    )
    assert erin.status == "suspended" and erin.mfa == "unknown"
    assert stored["00u1gap0000000000006"].email == ""  # the user sent without a profile

    # The next run cannot list the users: their accounts keep their state, marked stale.
    world.deny("/api/v1/users")
    with scopes_disabled():
        type(okta).objects.filter(pk=okta.pk).update(next_run_at=None)
    second = runner.run_integration(okta.pk, RunTrigger.CLI)
    assert second.status == RunStatus.PARTIAL
    assert {"scope": "users", "permission": "okta.users.read"}.items() <= next(
        e for e in second.errors if e["scope"] == "users"
    ).items()
    after = accounts(org_a)
    assert len(after) == 8 and all(a.stale for a in after.values() if a.status != "removed")
    assert after["ann@acme.example"].status == "active"
    assert after["ben@acme.example"].mfa == "disabled"
    # The users' check intervals are untouched: the check errs on the integration instead.
    [still] = intervals(org_a, "okta.users.mfa")["ben@acme.example"]
    assert still.ended_at is None and still.status == "fail"
    assert intervals(org_a, "okta.users.mfa")["Okta"][0].status == "error"


def test_a_run_of_policy_checks_only_leaves_the_accounts_alone(org_a, okta, world):
    runner.run_integration(okta.pk, RunTrigger.CLI)
    world.deny("/api/v1/users")
    run = runner.run_integration(okta.pk, RunTrigger.CLI, checks=["okta.policies.mfa_required"])
    assert run.status == RunStatus.SUCCEEDED
    assert not any(a.stale for a in accounts(org_a).values())


def test_the_add_page_takes_the_settings_and_never_shows_the_token(org_a, alice_client):
    page = alice_client.get(f"/o/{org_a.slug}/monitoring/integrations/new/?provider=okta")
    assert page.status_code == 200
    assert 'type="password" name="credentials__api_token"' in page.content.decode()
    response = alice_client.post(f"/o/{org_a.slug}/monitoring/integrations/new/", {
        "provider": "okta", "name": "Okta", "interval_hours": "24", "enabled": "on",
        "config__org_url": "https://acme.okta.com", "config__inactive_days": "60",
        "credentials__api_token": CREDENTIALS["api_token"],
    })  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        created = Integration.objects.get(organization=org_a, provider="okta")
    assert created.config == {"org_url": "https://acme.okta.com", "inactive_days": 60}
    assert CREDENTIALS["api_token"].encode() not in alice_client.get(response["Location"]).content
