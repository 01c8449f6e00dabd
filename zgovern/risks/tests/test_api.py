"""The risk register API with alice (read-write token), bob (read-only) and charlie
(another organisation)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.risks.tests.conftest import actions, add_risk, count_risks, send

NEW = {"title": "Ransomware", "category": "security", "likelihood": 4, "impact": 5}


def test_create_get_list_patch_and_accept(org_a, alice, alice_api, bob_api):
    created = send(alice_api, "post", "/risks", {**NEW, "owner_email": alice.email})
    assert created.status_code == 201, created.content
    risk = created.json()
    assert risk["inherent_score"] == 20 and risk["owner_email"] == alice.email
    assert send(bob_api, "get", f"/risks/{risk['id']}").json()["title"] == "Ransomware"
    add_risk(org_a, "Alpha", likelihood=1, impact=1)
    page = send(bob_api, "get", "/risks?sort=title&limit=1").json()
    assert page["count"] == 2 and page["items"][0]["title"] == "Alpha"
    assert send(bob_api, "get", "/risks?min_score=10").json()["count"] == 1
    patched = send(alice_api, "patch", f"/risks/{risk['id']}",
                   {"residual_likelihood": 2, "residual_impact": 2})  # fmt: skip
    assert patched.status_code == 200 and patched.json()["residual_score"] == 4
    expiry = (timezone.localdate() + timedelta(days=30)).isoformat()
    accepted = send(alice_api, "post", f"/risks/{risk['id']}/acceptance",
                    {"approver_email": alice.email, "expires_on": expiry})  # fmt: skip
    assert accepted.status_code == 200
    assert accepted.json()["acceptance"]["approver"] == alice.email
    assert accepted.json()["status"] == "accepted"
    maps = send(bob_api, "get", "/risks/heat-map").json()
    assert maps["inherent"]["total"] == 2 and maps["residual"]["unrated"] == 1
    assert len(send(bob_api, "get", "/risk-scales").json()) == 10
    assert actions(org_a)[-3:] == ["risk.created", "risk.updated", "risk.accepted"]


def test_bad_input_names_the_field_and_saves_nothing(org_a, alice, alice_api):
    for body, field in (
        ({**NEW, "likelihood": 7}, "likelihood"),
        ({**NEW, "impact": "high"}, "impact"),
        ({**NEW, "treatment": "accept"}, "treatment"),
        ({**NEW, "owner_email": "ghost@x.example"}, "owner_email"),
        ({**NEW, "colour": "red"}, "colour"),
    ):
        response = send(alice_api, "post", "/risks", body)
        assert response.status_code in (400, 422), body
        assert response.json()["errors"][0]["field"] == field, response.json()
    assert count_risks(org_a) == 0
    risk = add_risk(org_a)
    for body, field in (
        ({"expires_on": "2099-01-01"}, "approver_email"),
        ({"approver_email": alice.email}, "expires_on"),
    ):
        response = send(alice_api, "post", f"/risks/{risk.pk}/acceptance", body)
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": field, "message": response.json()["detail"]}]
    patch = send(alice_api, "patch", f"/risks/{risk.pk}", {"likelihood": 7, "title": "New"})
    assert patch.status_code == 400 and patch.json()["errors"][0]["field"] == "likelihood"
    assert send(alice_api, "get", f"/risks/{risk.pk}").json()["title"] == "Stolen laptop"
    assert actions(org_a) == ["risk.created"]


def test_permissions(org_a, org_b, bob_api, charlie_api):
    risk = add_risk(org_a)
    assert send(bob_api, "post", "/risks", NEW).status_code == 403
    assert send(bob_api, "patch", f"/risks/{risk.pk}", {"title": "x"}).status_code == 403
    assert send(bob_api, "post", "/risks/assessments", {}).status_code == 403
    assert send(charlie_api, "get", f"/risks/{risk.pk}").status_code == 404
    assert send(charlie_api, "patch", f"/risks/{risk.pk}", {"title": "x"}).status_code == 404
    assert send(charlie_api, "get", "/risks").json()["count"] == 0


def test_assessment_endpoint(org_a, alice_api):
    add_risk(org_a)
    response = send(alice_api, "post", "/risks/assessments", {"title": "Risk assessment 2026"})
    assert response.status_code == 201
    assert response.json()["risks"] == 1 and len(response.json()["sha256"]) == 64
    level = {"axis": "likelihood", "level": 3, "name": "Coin toss", "description": "50/50"}
    assert send(alice_api, "put", "/risk-scales", level).json()["name"] == "Coin toss"
