"""The alerts API as alice (owner), bob (read-only) and charlie (outsider)."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from zgovern.alerts import services
from zgovern.alerts.models import AlertSettings, Kind, Preference
from zgovern.alerts.tests.conftest import HOOK
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

JSON = "application/json"


@pytest.fixture
def alice_api(org_a, alice):
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob):
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie):
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))


def _count(model) -> int:
    with scopes_disabled():
        return model.objects.count()


def test_preferences_round_trip(alice_api):
    body = {"modes": {"check_failed": "digest", "finding": "off"}}
    response = alice_api.post("/api/v1/alerts/preferences", body, content_type=JSON)
    assert response.status_code == 200
    modes = {row["kind"]: row["mode"] for row in alice_api.get("/api/v1/alerts/preferences").json()}
    assert modes["check_failed"] == "digest" and modes["finding"] == "off"
    assert modes["task_overdue"] == "immediate"


def test_unknown_mode_is_422_and_saves_nothing(alice_api):
    body = {"modes": {"check_failed": "loud"}}
    response = alice_api.post("/api/v1/alerts/preferences", body, content_type=JSON)
    assert response.status_code == 422 and "modes" in response.json()["detail"]
    assert _count(Preference) == 0


def test_settings_never_return_the_url(alice_api):
    response = alice_api.post(
        "/api/v1/alerts/settings",
        {"webhook_url": HOOK, "rate_limit_minutes": 15},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "webhook_set": True, "webhook_host": "hooks.example.com",
        "rate_limit_minutes": 15, "weekly_summary": True,
    }  # fmt: skip
    assert "secretpart" not in alice_api.get("/api/v1/alerts/settings").content.decode()


def test_bad_webhook_is_400_naming_the_field(alice_api):
    response = alice_api.post(
        "/api/v1/alerts/settings", {"webhook_url": "ftp://x.example/"}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "webhook_url"
    assert _count(AlertSettings) == 0


def test_bob_reads_and_cannot_write(bob_api):
    assert bob_api.get("/api/v1/alerts/preferences").status_code == 200
    assert bob_api.get("/api/v1/alerts/settings").status_code == 200
    assert bob_api.get("/api/v1/alerts").status_code == 200
    body = {"modes": {"finding": "off"}}
    assert bob_api.post("/api/v1/alerts/preferences", body, content_type=JSON).status_code == 403
    assert bob_api.post("/api/v1/alerts/settings", {}, content_type=JSON).status_code == 403


def test_alert_list_is_per_organisation(org_a, alice, alice_api, charlie_api):
    with organization_scope(org_a):
        services.notify(org_a, Kind.FINDING, "k1", "Finding one", "", [alice])
    page = alice_api.get("/api/v1/alerts?kind=finding").json()
    assert page["count"] == 1 and page["items"][0]["subject"] == "Finding one"
    assert charlie_api.get("/api/v1/alerts").json()["count"] == 0
