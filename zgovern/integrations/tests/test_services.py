"""Integration services: validated settings, encrypted credentials that never show, test
connection, deletion, and key rotation."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from zgovern.accounts.models import TOTPDevice
from zgovern.core import crypto
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.integrations import services
from zgovern.integrations.models import Integration
from zgovern.monitoring.models import CheckInterval, CheckRun
from zgovern.tenancy.models import ActivityLog

SYSTEM = Actor.system("tests")
TOKEN = "fake-token-1234"


def stored(integration) -> Integration:
    with scopes_disabled():
        return Integration.objects.get(pk=integration.pk)


def log(org, action: str) -> list[dict]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action=action).order_by("seq")
        return [row.changes for row in rows]


def test_create_validates_and_encrypts(org_a, integration):
    row = stored(integration)
    assert row.provider == "fake" and row.interval_hours == 6 and row.enabled
    assert row.config == {"account": "111111111111", "regions": ["eu-west-1"], "strict": False}
    assert TOKEN not in row.credentials_encrypted
    assert json.loads(crypto.decrypt(row.credentials_encrypted)) == {"token": TOKEN}
    assert row.next_run_at is not None and row.credentials_set_at is not None
    [changes] = log(org_a, "integration.created")
    assert changes["credentials"] == "set" and TOKEN not in json.dumps(changes)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"provider": "nope"}, "provider", "Unknown provider 'nope'"),
        ({"name": "  "}, "name", "Give the integration a name"),
        ({"name": "x" * 101}, "name", "longer than 100"),
        ({"interval_hours": 0}, "interval_hours", "1 to 24 hours"),
        ({"interval_hours": 25}, "interval_hours", "1 to 24 hours"),
        ({"interval_hours": True}, "interval_hours", "whole number"),
        ({"config": {"account": "12"}}, "config", "account: String should match pattern"),
        ({"config": {"colour": "red"}}, "config", "colour: Extra inputs are not permitted"),
        ({"config": ["x"]}, "config", "must be an object"),
        (
            {"credentials": {"token": "short"}},
            "credentials",
            "token: String should have at least 8",
        ),
    ],
)
def test_bad_input_is_refused_with_the_field_named(org_a, fake_provider, fields, field, message):
    values = {"provider": "fake", "name": "Prod", "config": {}, **fields}
    with pytest.raises(DomainError) as caught:
        services.create_integration(org_a, SYSTEM, **values)
    assert caught.value.field == field and message in caught.value.message
    with scopes_disabled():
        assert not Integration.objects.filter(organization=org_a).exists()


def test_a_refused_secret_is_never_echoed(org_a, fake_provider):
    with pytest.raises(DomainError) as caught:
        services.create_integration(
            org_a,
            SYSTEM,
            provider="fake",
            name="P",
            config={},
            credentials={"token": "sh", "x": "s3cr3t-value"},
        )
    assert "s3cr3t-value" not in caught.value.message and "sh'" not in caught.value.message


def test_names_are_unique_per_organisation(org_a, org_b, integration):
    with pytest.raises(Conflict) as caught:
        services.create_integration(org_a, SYSTEM, provider="fake", name="Fake prod", config={})
    assert caught.value.field == "name"
    services.create_integration(org_b, SYSTEM, provider="fake", name="Fake prod", config={})
    other = services.create_integration(org_a, SYSTEM, provider="fake", name="Other", config={})
    with pytest.raises(Conflict):
        services.update_integration(org_a, SYSTEM, other.pk, name="Fake prod")


def test_update_changes_what_is_given_and_logs_it(org_a, integration):
    services.update_integration(
        org_a,
        SYSTEM,
        integration.pk,
        config={"regions": ["us-east-1"]},
        interval_hours=1,
        enabled=False,
    )
    row = stored(integration)
    assert row.config["regions"] == ["us-east-1"] and row.interval_hours == 1 and not row.enabled
    [changes] = log(org_a, "integration.updated")
    assert changes["interval_hours"] == [6, 1] and changes["enabled"] == [True, False]
    services.update_integration(org_a, SYSTEM, integration.pk, name="Fake prod")  # no change
    assert len(log(org_a, "integration.updated")) == 1


def test_another_organisations_integration_is_not_found(org_b, integration):
    for call in (
        lambda: services.update_integration(org_b, SYSTEM, integration.pk, name="x"),
        lambda: services.replace_credentials(org_b, SYSTEM, integration.pk, {"token": "t" * 10}),
        lambda: services.delete_integration(org_b, SYSTEM, integration.pk),
        lambda: services.test_connection(org_b, SYSTEM, integration.pk),
        lambda: services.request_run(org_b, SYSTEM, integration.pk),
    ):
        with pytest.raises(NotFound):
            call()


def test_replace_credentials_records_only_that_they_changed(org_a, integration):
    services.replace_credentials(org_a, SYSTEM, integration.pk, {"token": "new-token-5678"})
    assert json.loads(crypto.decrypt(stored(integration).credentials_encrypted)) == {
        "token": "new-token-5678"
    }
    assert log(org_a, "integration.credentials_replaced") == [{"credentials": "replaced"}]


def test_test_connection_names_missing_permissions(org_a, integration, fake_provider):
    fake_provider.missing_permissions = ("users:ListUsers",)
    report = services.test_connection(org_a, SYSTEM, integration.pk)
    assert not report.ok and report.missing_permissions == ("users:ListUsers",)
    assert ("Use users:ListUsers", False, "AccessDenied on users:ListUsers") in report.checks
    assert log(org_a, "integration.connection_tested") == [
        {"ok": False, "missing_permissions": ["users:ListUsers"]}
    ]


def test_test_connection_turns_a_provider_crash_into_a_report(org_a, integration, fake_provider):
    def boom(config, credentials):
        raise RuntimeError("bug")

    fake_provider.test_connection = boom
    report = services.test_connection(org_a, SYSTEM, integration.pk)
    assert not report.ok and report.checks[0][2] == "unexpected error: RuntimeError"


def test_without_credentials_neither_test_nor_run_starts(org_a, fake_provider):
    bare = services.create_integration(org_a, SYSTEM, provider="fake", name="Bare", config={})
    assert not services.credentials_ready(bare)
    with pytest.raises(DomainError, match="No credentials are set"):
        services.test_connection(org_a, SYSTEM, bare.pk)
    with pytest.raises(DomainError, match="Set the credentials"):
        services.request_run(org_a, SYSTEM, bare.pk)


def test_delete_keeps_history_and_closes_what_is_open(org_a, integration):
    from zgovern.monitoring import runner
    from zgovern.monitoring.models import RunTrigger

    run = runner.run_integration(integration.pk, RunTrigger.CLI)
    services.delete_integration(org_a, SYSTEM, integration.pk)
    with scopes_disabled():
        assert not Integration.objects.filter(pk=integration.pk).exists()
        kept = CheckRun.objects.get(pk=run.pk)
        intervals = CheckInterval.objects.filter(organization=org_a)
        assert intervals.exists() and not intervals.filter(ended_at__isnull=True).exists()
    assert kept.integration_id is None and kept.integration_name == "Fake prod"
    assert log(org_a, "integration.deleted")[0]["intervals_closed"] == 3


def test_rotate_keys_reencrypts_with_the_first_key(org_a, alice, integration, settings):
    old, new = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    device = TOTPDevice.objects.create(
        user=alice, secret_encrypted=crypto.encrypt("JBSWY3DPEHPK3PXP")
    )
    settings.ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "Integration credentials re-encrypted: 1" in out.getvalue()
    assert "Authenticator secrets re-encrypted: 1" in out.getvalue()
    settings.ENCRYPTION_KEYS = [new]  # the old key can now go
    assert json.loads(crypto.decrypt(stored(integration).credentials_encrypted)) == {"token": TOKEN}
    device.refresh_from_db()
    assert crypto.decrypt(device.secret_encrypted) == "JBSWY3DPEHPK3PXP"
    assert len(log(org_a, "integration.credentials_rotated")) == 1


def test_rotate_keys_reports_what_no_key_decrypts(org_a, integration, settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    err = StringIO()
    with pytest.raises(CommandError, match="1 secret"):
        call_command("rotate_keys", stdout=StringIO(), stderr=err)
    assert f"integration {org_a.slug}/Fake prod" in err.getvalue()


def test_rotation_never_puts_back_credentials_replaced_meanwhile(
    org_a, integration, settings, monkeypatch
):
    """Credentials replaced between rotation's read and its write keep the new secret."""
    old, new = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new, old]
    real_rotate = crypto.rotate

    def rotate_while_someone_replaces(ciphertext: str) -> str:
        services.replace_credentials(
            org_a, Actor.system("tests"), integration.pk, {"token": "fresh-token"}
        )
        return real_rotate(ciphertext)

    monkeypatch.setattr(services.crypto, "rotate", rotate_while_someone_replaces)
    report = services.rotate_all_credentials()
    assert report.rotated == 0
    stored_secret = json.loads(crypto.decrypt(stored(integration).credentials_encrypted))
    assert stored_secret == {"token": "fresh-token"}
    assert log(org_a, "integration.credentials_rotated") == []
