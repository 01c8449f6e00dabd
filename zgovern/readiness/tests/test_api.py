"""The readiness REST API with alice (owner), bob (auditor: read-only) and charlie (owner
of another organisation)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import Control
from zgovern.readiness.engine import assess_organization
from zgovern.readiness.models import ReadinessSnapshot
from zgovern.readiness.tests.conftest import make_evidenced, seed_history
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope

BASE = "/api/v1/readiness"


def test_readiness_summary(soc2_org, alice_api, bob_api, charlie_api):
    with organization_scope(soc2_org):
        make_evidenced(soc2_org, Control.objects.get(organization=soc2_org, key="mfa-enforced"))
        seed_history(soc2_org, [0.01 * i for i in range(10)])
        (soc2,) = assess_organization(soc2_org).frameworks
    body = alice_api.get(BASE).json()
    assert body["organization"] == soc2_org.slug
    (fw,) = body["frameworks"]
    assert fw["key"] == "soc2" and fw["score"] == round(soc2.score, 4)
    assert fw["criteria_in_scope"] == soc2.criteria_in_scope == 33
    assert [c["key"] for c in fw["categories"]] == ["security"]
    assert sum(fw["controls_by_status"].values()) == sum(soc2.controls_by_status.values())
    assert [g["id"] for g in fw["gaps"]] == [s.control.id for s in soc2.gaps]
    assert fw["gaps"][0]["reasons"] == list(soc2.gaps[0].verdict.reasons)
    assert fw["projection"]["status"] == "projected" and fw["projection"]["date"]
    assert bob_api.get(BASE).json()["frameworks"][0]["id"] == fw["id"]
    assert charlie_api.get(BASE).json()["frameworks"] == []  # charlie sees his own org only


def test_snapshot_list_filters_and_pages(soc2_org, alice_api, charlie_api):
    today = timezone.localdate()
    with organization_scope(soc2_org):
        seed_history(soc2_org, [0.1, 0.2, 0.3, 0.4, 0.5])
        framework_id = ReadinessSnapshot.objects.first().framework_id
    body = alice_api.get(f"{BASE}/snapshots").json()
    assert body["count"] == 5
    assert [s["score"] for s in body["items"]] == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert body["items"][0]["framework_key"] == "soc2"
    since = (today - timedelta(days=2)).isoformat()
    body = alice_api.get(f"{BASE}/snapshots", {"day_from": since, "framework": framework_id})
    assert [s["score"] for s in body.json()["items"]] == [0.4, 0.5]
    until = (today - timedelta(days=4)).isoformat()
    body = alice_api.get(f"{BASE}/snapshots", {"day_to": until, "limit": 1}).json()
    assert body["count"] == 2 and [s["score"] for s in body["items"]] == [0.1]
    assert (
        alice_api.get(f"{BASE}/snapshots", {"framework": framework_id + 999}).json()["count"] == 0
    )
    assert charlie_api.get(f"{BASE}/snapshots").json()["count"] == 0


def test_bad_snapshot_filters_are_422(soc2_org, alice_api):
    for query in ({"day_from": "yesterday"}, {"limit": 0}, {"framework": -1}):
        response = alice_api.get(f"{BASE}/snapshots", query)
        assert response.status_code == 422, query
        assert response.json()["errors"][0]["field"] in query


def test_one_snapshot(soc2_org, alice_api, bob_api, charlie_api):
    with organization_scope(soc2_org):
        seed_history(soc2_org, [0.25])
        snapshot = ReadinessSnapshot.objects.get()
    url = f"{BASE}/snapshots/{snapshot.pk}"
    body = alice_api.get(url).json()
    assert body["id"] == snapshot.pk and body["score"] == 0.25
    assert body["day"] == snapshot.day.isoformat()
    assert bob_api.get(url).status_code == 200
    assert charlie_api.get(url).status_code == 404
    assert alice_api.get(f"{BASE}/snapshots/{snapshot.pk + 1000}").status_code == 404


def test_take_a_snapshot_now(soc2_org, alice_api, bob_api, charlie_api):
    response = alice_api.post(f"{BASE}/snapshots")
    assert response.status_code == 201
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["day"] == timezone.localdate().isoformat()
    assert alice_api.post(f"{BASE}/snapshots").status_code == 201  # same day: replaced
    with scopes_disabled():
        assert ReadinessSnapshot.objects.filter(organization=soc2_org).count() == 1
        logged = ActivityLog.objects.filter(
            organization=soc2_org, action="readiness.snapshot_taken"
        )
        assert logged.count() == 2 and logged.first().actor_label.startswith("alice@a.example")
    refused = bob_api.post(f"{BASE}/snapshots")
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert charlie_api.post(f"{BASE}/snapshots").json()["count"] == 0  # no frameworks in B
    with scopes_disabled():
        assert ReadinessSnapshot.objects.filter(organization=soc2_org).count() == 1


def test_anonymous_gets_401(soc2_org, client):
    assert client.get(BASE).status_code == 401
    assert client.post(f"{BASE}/snapshots").status_code == 401
