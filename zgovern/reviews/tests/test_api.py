"""Access-review API: alice's token works, bob's read-only token reads and gets 403 on
writes, charlie's token gets 404 on org A's objects; bad input answers 4xx with the reason
and writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.reviews.models import Campaign, ReviewItem
from zgovern.reviews.tests.conftest import decide_all, item, start

BASE = "/api/v1/reviews"


def _post(client, path: str, body: dict):
    return client.post(f"{BASE}{path}", json.dumps(body), content_type="application/json")


@pytest.fixture
def campaign(world, alice, dave):
    return start(world, alice, assignments=[{"system": "github", "reviewer": dave.pk}])


def test_start_list_and_read(alice_api, world, alice, dave):
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = _post(alice_api, "/campaigns", {
        "title": "API review", "systems": ["github", "jira"], "due_date": due,
        "default_reviewer": alice.pk, "reviewer_mode": "manager",
        "assignments": [{"system": "jira", "reviewer": dave.pk, "owner": alice.pk}],
    })  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total"], body["decided"], body["late"], body["cadence"]) == (
        9,
        0,
        False,
        "quarterly",
    )
    assert body["assignments"][1] == {
        "system": "jira",
        "reviewer_id": dave.pk,
        "owner_id": alice.pk,
    }
    listed = alice_api.get(f"{BASE}/campaigns").json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == "API review"
    assert alice_api.get(f"{BASE}/campaigns", {"late": "true"}).json()["count"] == 0
    assert alice_api.get(f"{BASE}/campaigns/{body['id']}").json()["id"] == body["id"]


def test_items_filter_and_decide(alice_api, world, campaign):
    rows = alice_api.get(f"{BASE}/campaigns/{campaign.pk}/items", {"flag": "unlinked"}).json()
    assert [r["username"] for r in rows["items"]] == ["gone", "svc-bot"]
    assert rows["items"][1]["flags"] == ["No linked person", "Privileged"]
    jira = alice_api.get(f"{BASE}/campaigns/{campaign.pk}/items", {"system": "jira"}).json()
    assert jira["count"] == 3
    bot = item(campaign, "jira", "svc-bot")
    response = _post(
        alice_api, f"/items/{bot.pk}/decision", {"decision": "REVOKE", "note": "orphan"}
    )
    assert response.status_code == 200
    assert (response.json()["decision"], response.json()["revocation"]) == ("revoke", "pending")
    assert response.json()["task_id"] is not None
    revoked = alice_api.get(f"{BASE}/campaigns/{campaign.pk}/items", {"decision": "revoke"})
    assert revoked.json()["count"] == 1
    assert alice_api.get(f"{BASE}/items/{bot.pk}").json()["note"] == "orphan"


def test_bad_decisions(alice_api, world, campaign):
    own = item(campaign, "github", "alice")
    response = _post(alice_api, f"/items/{own.pk}/decision", {"decision": "approve"})
    assert response.status_code == 403 and "own account" in response.json()["detail"]
    erin = item(campaign, "jira", "erin")
    response = _post(alice_api, f"/items/{erin.pk}/decision", {"decision": "later"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "decision"
    response = _post(alice_api, f"/campaigns/{campaign.pk}/complete", {})
    assert response.status_code == 409 and "undecided" in response.json()["detail"]
    with scopes_disabled():
        assert not ReviewItem.objects.exclude(decision="").exists()


def test_complete_then_locked(alice_api, world, campaign):
    decide_all(world, campaign)
    response = _post(alice_api, f"/campaigns/{campaign.pk}/complete", {})
    assert response.status_code == 200
    assert response.json()["status"] == "completed" and response.json()["evidence_csv_id"]
    erin = item(campaign, "jira", "erin")
    response = _post(alice_api, f"/items/{erin.pk}/decision", {"decision": "revoke"})
    assert response.status_code == 409 and "locked" in response.json()["detail"]
    assert item(campaign, "jira", "erin").decision == "approve"


def test_verify_and_exceptions(alice_api, world, campaign):
    erin = item(campaign, "jira", "erin")
    _post(alice_api, f"/items/{erin.pk}/decision", {"decision": "revoke"})
    with scopes_disabled():
        ReviewItem.objects.filter(pk=erin.pk).update(revoke_by=timezone.now() - timedelta(hours=1))
    response = _post(alice_api, "/verify-revocations", {})
    assert response.json() == {"verified": 0, "exceptions": 1, "waiting": 0}
    listed = alice_api.get(f"{BASE}/campaigns/{campaign.pk}/exceptions").json()
    assert [r["username"] for r in listed] == ["erin"]


def test_start_refuses_bad_input(alice_api, world, alice, bob):
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    body = {"title": "x", "systems": ["github"], "due_date": due, "default_reviewer": bob.pk}
    response = _post(alice_api, "/campaigns", body)
    assert (
        response.status_code == 400 and response.json()["errors"][0]["field"] == "default_reviewer"
    )
    response = _post(
        alice_api, "/campaigns", {**body, "default_reviewer": alice.pk, "due_date": "2001-01-01"}
    )
    assert response.status_code == 400 and "past" in response.json()["detail"]
    response = _post(alice_api, "/campaigns", {**body, "extra": 1})
    assert response.status_code == 422
    with scopes_disabled():
        assert Campaign.objects.count() == 0


def test_bob_reads_and_cannot_write(bob_api, world, campaign, alice):
    assert bob_api.get(f"{BASE}/campaigns").status_code == 200
    assert bob_api.get(f"{BASE}/campaigns/{campaign.pk}/items").status_code == 200
    erin = item(campaign, "jira", "erin")
    assert _post(bob_api, f"/items/{erin.pk}/decision", {"decision": "approve"}).status_code == 403
    assert _post(bob_api, f"/campaigns/{campaign.pk}/complete", {}).status_code == 403
    assert _post(bob_api, "/verify-revocations", {}).status_code == 403


def test_charlie_gets_404(charlie_api, world, campaign):
    erin = item(campaign, "jira", "erin")
    assert charlie_api.get(f"{BASE}/campaigns/{campaign.pk}").status_code == 404
    assert charlie_api.get(f"{BASE}/items/{erin.pk}").status_code == 404
    response = _post(charlie_api, f"/items/{erin.pk}/decision", {"decision": "approve"})
    assert response.status_code == 404
    assert charlie_api.get(f"{BASE}/campaigns").json()["count"] == 0
