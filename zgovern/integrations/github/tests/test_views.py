"""Connecting GitHub through the integration pages: alice adds it from the generated form
(bad settings answer 400 naming the field, nothing saved), "Test connection" shows the
missing scope, and bob (read-only) cannot add one."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from zgovern.integrations.github.provider import PROVIDER
from zgovern.integrations.github.tests.replay import World, recorded
from zgovern.integrations.models import Integration


@pytest.fixture
def world(monkeypatch) -> World:
    world = World()
    monkeypatch.setattr(PROVIDER, "_transport", world.transport)
    monkeypatch.setattr(PROVIDER, "_sleep", lambda seconds: None)
    return world


def _form(**overrides) -> dict:
    return {
        "provider": "github", "name": "GitHub acme", "interval_hours": 6, "enabled": "on",
        "config__organization": "acme", "config__api_url": "https://api.github.com",
        "config__change_window_days": 7, "config__check_statuses": "on",
        "credentials__token": "ghp_" + "y" * 36, **overrides,
    }  # fmt: skip


def _count(org) -> int:
    with scopes_disabled():
        return Integration.objects.filter(organization=org, provider="github").count()


def test_alice_connects_github_and_tests_the_connection(org_a, alice_client, world):
    base = f"/o/{org_a.slug}/monitoring/integrations/"
    assert alice_client.get(base + "new/?provider=github").status_code == 200
    response = alice_client.post(base + "new/", _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        integration = Integration.objects.get(organization=org_a, provider="github")
    assert integration.config["organization"] == "acme"
    assert "ghp_" not in str(integration.config)

    world.answer("/orgs/acme/repos", 403, recorded("error_403_members.json"))
    page = alice_client.post(f"{base}{integration.pk}/test/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "repo [Metadata: read]" in text and "Resource not accessible" in text


def test_bad_settings_answer_400_and_save_nothing(org_a, alice_client, world):
    base = f"/o/{org_a.slug}/monitoring/integrations/new/"
    response = alice_client.post(base, _form(config__api_url="http://git.example"))
    assert response.status_code == 400 and "https" in response.content.decode()
    response = alice_client.post(base, _form(config__organization="-bad-"))
    assert response.status_code == 400
    assert _count(org_a) == 0


def test_bob_cannot_connect_github(org_a, bob_client, world):
    response = bob_client.post(f"/o/{org_a.slug}/monitoring/integrations/new/", _form())
    assert response.status_code == 403 and _count(org_a) == 0
