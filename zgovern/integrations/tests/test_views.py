"""Integration pages with alice (owner), bob (read-only), a member (writes but does not
manage credentials) and charlie (outsider)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from conftest import make_user
from zgovern.core import crypto
from zgovern.integrations.models import Integration
from zgovern.monitoring.models import CheckRun, RunTrigger
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role

TOKEN = "fake-token-1234"


def url(org, name: str = "", integration=None, suffix: str = "") -> str:
    base = f"/o/{org.slug}/monitoring/integrations/"
    if integration is not None:
        base += f"{integration.pk}/"
    return base + suffix


def stored(integration) -> Integration:
    with scopes_disabled():
        return Integration.objects.get(pk=integration.pk)


@pytest.fixture
def member_client(org_a) -> Client:
    user = make_user("mia@a.example", "Mia Member")
    with scopes_disabled():
        Membership.objects.create(organization=org_a, user=user, role=Role.MEMBER)
    client = Client()
    client.force_login(user)
    return client


def test_the_list_and_the_page_show_whether_credentials_are_set_never_them(
    org_a, integration, alice_client, bob_client, charlie_client
):
    for client in (alice_client, bob_client):
        listing = client.get(url(org_a))
        assert listing.status_code == 200 and b"Fake prod" in listing.content
        page = client.get(url(org_a, integration=integration))
        assert page.status_code == 200
        assert b"set</span>" in page.content and TOKEN.encode() not in page.content
        assert integration.credentials_encrypted.encode() not in page.content
    assert b"Run now" in alice_client.get(url(org_a, integration=integration)).content
    assert b"Run now" not in bob_client.get(url(org_a, integration=integration)).content
    assert charlie_client.get(url(org_a)).status_code == 404
    assert charlie_client.get(url(org_a, integration=integration)).status_code == 404


def test_add_generates_the_form_from_the_schemas(org_a, fake_provider, alice_client):
    page = alice_client.get(url(org_a, suffix="new/?provider=fake"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="config__account"' in text and 'name="config__regions"' in text
    assert 'type="password" name="credentials__token"' in text
    response = alice_client.post(
        url(org_a, suffix="new/"),
        {
            "provider": "fake", "name": "Staging", "interval_hours": "2", "enabled": "on",
            "config__account": "222222222222", "config__regions": "eu-west-1\nus-east-1",
            "credentials__token": "staging-token-99",
        },
    )  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        created = Integration.objects.get(organization=org_a, name="Staging")
    assert created.config == {
        "account": "222222222222", "regions": ["eu-west-1", "us-east-1"], "strict": False,
    }  # fmt: skip
    assert created.interval_hours == 2 and created.enabled
    assert json.loads(crypto.decrypt(created.credentials_encrypted)) == {
        "token": "staging-token-99"
    }
    detail = alice_client.get(response["Location"])
    assert b"staging-token-99" not in detail.content


def test_add_puts_the_schemas_complaints_on_their_fields(org_a, fake_provider, alice_client):
    response = alice_client.post(
        url(org_a, suffix="new/"),
        {"provider": "fake", "name": "Bad", "interval_hours": "99", "config__account": "12",
         "config__regions": "eu-west-1", "credentials__token": "short"},
    )  # fmt: skip
    assert response.status_code == 400
    form = response.context["form"]
    assert "interval_hours" in form.errors
    response = alice_client.post(
        url(org_a, suffix="new/"),
        {"provider": "fake", "name": "Bad", "interval_hours": "6", "config__account": "12",
         "config__regions": "eu-west-1", "credentials__token": "short"},
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "account: String should match pattern" in errors["config__account"][0]
    assert b"short" not in response.content  # a secret is never rendered back
    with scopes_disabled():
        assert not Integration.objects.filter(organization=org_a, name="Bad").exists()


def test_unknown_provider_is_404(org_a, alice_client):
    assert alice_client.get(url(org_a, suffix="new/?provider=nope")).status_code == 404


def test_who_may_add(org_a, fake_provider, bob_client, member_client, charlie_client):
    assert bob_client.get(url(org_a, suffix="new/?provider=fake")).status_code == 302
    assert bob_client.post(url(org_a, suffix="new/"), {"provider": "fake"}).status_code == 403
    assert member_client.post(url(org_a, suffix="new/"), {"provider": "fake"}).status_code == 403
    assert charlie_client.get(url(org_a, suffix="new/")).status_code == 404


def test_edit_changes_settings_and_keeps_credentials(org_a, integration, alice_client, bob_client):
    page = alice_client.get(url(org_a, integration=integration, suffix="edit/"))
    assert page.status_code == 200 and b"credentials__token" not in page.content
    response = alice_client.post(
        url(org_a, integration=integration, suffix="edit/"),
        {"name": "Fake prod", "interval_hours": "1", "config__account": "111111111111",
         "config__regions": "eu-west-2"},
    )  # fmt: skip
    assert response.status_code == 302
    row = stored(integration)
    assert row.interval_hours == 1 and not row.enabled and row.config["regions"] == ["eu-west-2"]
    assert json.loads(crypto.decrypt(row.credentials_encrypted)) == {"token": TOKEN}
    assert (
        bob_client.post(url(org_a, integration=integration, suffix="edit/"), {}).status_code == 403
    )


def test_replace_credentials_needs_manage_settings(
    org_a, integration, alice_client, member_client, bob_client
):
    target = url(org_a, integration=integration, suffix="credentials/")
    page = alice_client.get(target)
    assert page.status_code == 200 and b"Replace the credentials" in page.content
    assert member_client.get(target).status_code == 302
    assert member_client.post(target, {"credentials__token": "x" * 12}).status_code == 403
    assert bob_client.post(target, {"credentials__token": "x" * 12}).status_code == 403
    assert alice_client.post(target, {"credentials__token": "short"}).status_code == 400
    assert alice_client.post(target, {"credentials__token": "brand-new-token"}).status_code == 302
    assert json.loads(crypto.decrypt(stored(integration).credentials_encrypted)) == {
        "token": "brand-new-token"
    }


def test_test_connection_shows_the_report(
    org_a, integration, fake_provider, alice_client, bob_client
):
    fake_provider.missing_permissions = ("users:ListUsers",)
    target = url(org_a, integration=integration, suffix="test/")
    response = alice_client.post(target)
    assert response.status_code == 200
    assert b"something is missing" in response.content and b"users:ListUsers" in response.content
    assert alice_client.get(target).status_code == 405
    assert bob_client.post(target).status_code == 403


def test_run_now_runs_the_checks(org_a, alice, integration, alice_client, bob_client):
    target = url(org_a, integration=integration, suffix="run/")
    assert bob_client.post(target).status_code == 403
    response = alice_client.post(target)
    assert response.status_code == 302
    with scopes_disabled():
        [run] = CheckRun.objects.filter(organization=org_a)
    assert (run.trigger, run.started_by, run.status) == (
        RunTrigger.MANUAL,
        alice.email,
        "succeeded",
    )
    page = alice_client.get(response["Location"])
    assert f"/monitoring/runs/{run.pk}/".encode() in page.content


def test_run_now_without_credentials_says_so(org_a, fake_provider, alice_client):
    from zgovern.core.actor import Actor
    from zgovern.integrations import services

    bare = services.create_integration(
        org_a, Actor.system("t"), provider="fake", name="Bare", config={}
    )
    response = alice_client.post(url(org_a, integration=bare, suffix="run/"))
    assert response.status_code == 400 and b"Set the credentials" in response.content


def test_delete_asks_then_deletes(
    org_a, integration, alice_client, bob_client, charlie_client, member_client
):
    target = url(org_a, integration=integration, suffix="delete/")
    assert alice_client.get(target).status_code == 200
    assert bob_client.post(target).status_code == 403
    assert member_client.post(target).status_code == 403
    assert charlie_client.post(target).status_code == 404
    assert alice_client.post(target).status_code == 302
    with scopes_disabled():
        assert not Integration.objects.filter(pk=integration.pk).exists()


def test_credentials_may_be_added_later(org_a, fake_provider, alice_client):
    response = alice_client.post(
        url(org_a, suffix="new/"),
        {"provider": "fake", "name": "Later", "interval_hours": "6",
         "config__account": "111111111111", "config__regions": "eu-west-1",
         "credentials__token": ""},
    )  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        created = Integration.objects.get(organization=org_a, name="Later")
    assert not created.has_credentials
    page = alice_client.get(response["Location"])
    assert b"not set" in page.content and b"Set credentials" in page.content
