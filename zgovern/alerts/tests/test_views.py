"""The alerts pages as alice (owner), bob (read-only auditor) and charlie (outsider)."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from zgovern.alerts import services
from zgovern.alerts.models import AlertSettings, Kind, Preference
from zgovern.alerts.tests.conftest import HOOK
from zgovern.tenancy.scoping import organization_scope


def _url(org, name: str) -> str:
    return reverse(f"alerts:{name}", kwargs={"org_slug": org.slug})


def _count(model) -> int:
    with scopes_disabled():
        return model.objects.count()


def test_owner_sets_preferences(org_a, alice, alice_client):
    page = alice_client.get(_url(org_a, "preferences"))
    assert page.status_code == 200 and b"daily digest" in page.content
    data = {kind: "digest" for kind in Kind.values} | {Kind.CHECK_FAILED: "off"}
    response = alice_client.post(_url(org_a, "preferences"), data)
    assert response.status_code == 302
    with organization_scope(org_a):
        assert services.modes_for(org_a, alice)[Kind.CHECK_FAILED] == "off"


def test_bad_preference_is_a_400_and_saves_nothing(org_a, alice_client):
    data = {kind: "digest" for kind in Kind.values} | {Kind.FINDING: "loud"}
    response = alice_client.post(_url(org_a, "preferences"), data)
    assert response.status_code == 400 and b"loud" in response.content
    assert _count(Preference) == 0


def test_bob_reads_but_cannot_write(org_a, bob_client):
    for name in ("index", "preferences", "settings"):
        assert bob_client.get(_url(org_a, name)).status_code == 200
        assert bob_client.post(_url(org_a, name), {}).status_code == 403
    assert _count(Preference) == _count(AlertSettings) == 0


def test_charlie_gets_404(org_a, charlie_client):
    for name in ("index", "preferences", "settings"):
        assert charlie_client.get(_url(org_a, name)).status_code == 404


def test_webhook_is_saved_and_shown_by_host_only(org_a, alice_client):
    data = {"webhook_url": HOOK, "rate_limit_minutes": "30", "weekly_summary": "on"}
    assert alice_client.post(_url(org_a, "settings"), data).status_code == 302
    page = alice_client.get(_url(org_a, "settings"))
    assert b"hooks.example.com" in page.content and b"secretpart" not in page.content
    with organization_scope(org_a):
        assert services.webhook_url(org_a) == HOOK
        assert services.settings_for(org_a).rate_limit_minutes == 30


def test_plain_http_webhook_is_refused(org_a, alice_client):
    data = {"webhook_url": "http://hooks.example.com/x", "rate_limit_minutes": "60"}
    response = alice_client.post(_url(org_a, "settings"), data)
    assert response.status_code == 400 and b"https://" in response.content
    assert _count(AlertSettings) == 0


def test_alert_list_shows_own_alerts_to_members_and_all_to_admins(
    org_a, alice, bob, alice_client, bob_client
):
    with organization_scope(org_a):
        services.notify(org_a, Kind.FINDING, "k1", "For alice", "", [alice])
        services.notify(org_a, Kind.FINDING, "k2", "For bob", "", [bob])
    everything = alice_client.get(_url(org_a, "index")).content
    assert b"For alice" in everything and b"For bob" in everything
    mine = bob_client.get(_url(org_a, "index")).content
    assert b"For bob" in mine and b"For alice" not in mine


def test_settings_tabs_link_to_notifications(org_a, alice_client):
    page = alice_client.get(reverse("tenancy:settings", kwargs={"org_slug": org_a.slug}))
    assert _url(org_a, "preferences").encode() in page.content


def test_demo_is_idempotent(org_a, alice):
    from zgovern.alerts.models import Alert
    from zgovern.core import demo
    from zgovern.tenancy.roles import Role

    demo.populate(org_a, {Role.OWNER: alice})
    first = _count(Alert)
    demo.populate(org_a, {Role.OWNER: alice})
    assert first > 0 and _count(Alert) == first
