"""The controls and remediation API with alice (read-write token), bob (read-only) and
charlie (another organisation)."""

from __future__ import annotations

import json

import pytest
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, RemediationTask
from zgovern.controls.tests.conftest import SYSTEM, adopt_soc2, in_days, make_control, make_task
from zgovern.evidence import services as evidence
from zgovern.frameworks.models import Criterion
from zgovern.tenancy.scoping import organization_scope

API = "/api/v1"


def post(client, path: str, body: dict | None = None, method: str = "post"):
    return getattr(client, method)(
        API + path, data=json.dumps(body or {}), content_type="application/json"
    )


def errors(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# -- controls -------------------------------------------------------------------------


def test_list_controls_with_status_and_filters(alice_api, org_a, control, alice):
    make_control(org_a, "other", name="Other", owner=alice.pk, severity="low")
    body = alice_api.get(f"{API}/controls").json()
    assert body["count"] == 2
    first = body["items"][0]
    assert (first["key"], first["status"], first["manual"]) == ("mfa", "missing", False)
    assert alice_api.get(f"{API}/controls?severity=low").json()["count"] == 1
    owned = alice_api.get(f"{API}/controls?owner={alice.pk}").json()
    assert [i["owner"]["email"] for i in owned["items"]] == [alice.email]
    assert alice_api.get(f"{API}/controls?owner=0").json()["count"] == 1
    assert alice_api.get(f"{API}/controls?status=evidenced").json()["count"] == 0
    assert alice_api.get(f"{API}/controls?severity=extreme").status_code == 422


def test_create_control(alice_api, org_a, alice):
    response = post(alice_api, "/controls", {"key": "new", "name": "New", "owner": alice.pk})
    assert response.status_code == 201
    body = response.json()
    assert (body["key"], body["owner"]["email"], body["status"]) == ("new", alice.email, "missing")
    assert "Nothing tests this control yet" in body["reasons"][-1]
    again = post(alice_api, "/controls", {"key": "new", "name": "Again"})
    assert again.status_code == 409 and "key" in errors(again)


def test_create_control_refuses_an_outsider_owner_and_unknown_fields(alice_api, charlie):
    response = post(alice_api, "/controls", {"key": "k", "name": "K", "owner": charlie.pk})
    assert response.status_code == 400
    assert "not a member" in errors(response)["owner"]
    assert post(alice_api, "/controls", {"key": "k", "name": "K", "x": 1}).status_code == 422
    assert (
        post(alice_api, "/controls", {"key": "k", "name": "K", "frequency": "x"}).status_code == 422
    )


def test_get_and_patch_a_control(alice_api, control, alice):
    assert alice_api.get(f"{API}/controls/{control.pk}").json()["name"] == control.name
    response = post(
        alice_api, f"/controls/{control.pk}", {"name": "Renamed", "owner": alice.pk}, "patch"
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["owner"]["id"]) == ("Renamed", alice.pk)
    cleared = post(alice_api, f"/controls/{control.pk}", {"owner": None}, "patch").json()
    assert cleared["owner"] is None and cleared["name"] == "Renamed"


def test_status_and_override(alice_api, control, alice):
    status = alice_api.get(f"{API}/controls/{control.pk}/status").json()
    assert (status["status"], status["manual"], status["score"]) == ("missing", False, 0.0)
    path = f"/controls/{control.pk}/override"
    refused = post(alice_api, path, {"status": "evidenced", "justification": " "}, "put")
    assert refused.status_code == 400
    assert errors(refused) == {"justification": "Give the justification."}
    response = post(alice_api, path, {"status": "evidenced", "justification": "Seen"}, "put")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["manual"]) == ("evidenced", True)
    assert body["override"]["set_by"] == alice.email
    assert body["reasons"] == [
        f"Set manually by {alice.email} {body['override']['set_at'][:10]}: Seen"
    ]
    assert post(alice_api, path, method="delete").json()["manual"] is False
    assert post(alice_api, path, method="delete").status_code == 409


def test_checks_policies_and_requirements(alice_api, control):
    base = f"/controls/{control.pk}"
    added = post(alice_api, f"{base}/checks", {"check_id": "aws.iam.console_mfa"})
    assert added.status_code == 201
    assert added.json()["checks"][0] == {
        "check_id": "aws.iam.console_mfa",
        "state": "no_data",
        "passing": 0,
        "failing": 0,
        "errors": 0,
        "other": 0,
    }
    assert post(alice_api, f"{base}/checks", {"check_id": "nodots"}).status_code == 400
    removed = post(alice_api, f"{base}/checks/remove", {"check_id": "aws.iam.console_mfa"})
    assert removed.status_code == 200 and removed.json()["checks"] == []
    assert (
        post(alice_api, f"{base}/checks/remove", {"check_id": "aws.iam.console_mfa"}).status_code
        == 404
    )
    assert post(alice_api, f"{base}/policies", {"policy_key": "encryption"}).status_code == 201
    assert (
        post(alice_api, f"{base}/policies/remove", {"policy_key": "encryption"}).status_code == 200
    )
    req = post(
        alice_api,
        f"{base}/requirements",
        {"kind": "review", "description": "Review", "freshness_days": 90},
    )
    assert req.status_code == 201
    req_id = req.json()["id"]
    assert req.json()["fresh"] is False
    zero = post(
        alice_api, f"{base}/requirements", {"kind": "x", "description": "y", "freshness_days": 0}
    )
    assert zero.status_code == 422 and "freshness_days" in errors(zero)
    patched = post(alice_api, f"/requirements/{req_id}", {"freshness_days": 30}, "patch")
    assert patched.json()["freshness_days"] == 30
    assert post(alice_api, f"/requirements/{req_id}", method="delete").status_code == 204
    assert post(alice_api, f"/requirements/{req_id}", method="delete").status_code == 404


def test_criteria_and_evidence(alice_api, org_a, org_b, control):
    adopt_soc2(org_a)
    adopt_soc2(org_b)
    with scopes_disabled():
        mine = Criterion.objects.get(organization=org_a, ref="CC6.1")
        theirs = Criterion.objects.get(organization=org_b, ref="CC6.1")
    base = f"/controls/{control.pk}"
    assert post(alice_api, f"{base}/criteria", {"criterion_ids": [theirs.pk]}).status_code == 404
    assert post(alice_api, f"{base}/criteria", {"criterion_ids": []}).status_code == 400
    mapped = post(alice_api, f"{base}/criteria", {"criterion_ids": [mine.pk]}).json()
    assert mapped["mapped_criteria"][0]["ref"] == "CC6.1"
    assert mapped["mapped_criteria"][0]["framework"] == "soc2"
    after = post(alice_api, f"{base}/criteria/remove", {"criterion_ids": [mine.pk]}).json()
    assert after["mapped_criteria"] == []
    with organization_scope(org_a):
        item = evidence.add_link(org_a, SYSTEM, kind="review", title="T", url="https://t.example")
    linked = post(alice_api, f"{base}/evidence", {"evidence_id": item.pk})
    assert linked.status_code == 201 and linked.json()["evidence"][0]["id"] == item.pk
    assert post(alice_api, f"{base}/evidence", {"evidence_id": item.pk}).status_code == 409
    assert (
        post(alice_api, f"{base}/evidence/remove", {"evidence_id": item.pk}).json()["evidence"]
        == []
    )


def test_reader_reads_and_cannot_write(bob_api, control):
    assert bob_api.get(f"{API}/controls/{control.pk}").status_code == 200
    assert bob_api.get(f"{API}/tasks").status_code == 200
    assert post(bob_api, f"/controls/{control.pk}/checks", {"check_id": "a.b"}).status_code == 403
    assert post(bob_api, "/tasks", {"title": "x"}).status_code == 403
    assert post(bob_api, "/tasks/generate").status_code == 403


def test_outsider_gets_404(charlie_api, control, task):
    assert charlie_api.get(f"{API}/controls/{control.pk}").status_code == 404
    assert charlie_api.get(f"{API}/controls/{control.pk}/status").status_code == 404
    assert (
        post(charlie_api, f"/controls/{control.pk}/checks", {"check_id": "a.b"}).status_code == 404
    )
    assert charlie_api.get(f"{API}/tasks/{task.pk}").status_code == 404
    assert post(charlie_api, f"/tasks/{task.pk}", {"title": "Mine"}, "patch").status_code == 404
    assert charlie_api.get(f"{API}/controls").json()["count"] == 0


# -- tasks ----------------------------------------------------------------------------


def test_create_task_refuses_a_past_target_date(alice_api, control):
    response = post(alice_api, "/tasks", {"title": "Late", "target_date": str(in_days(-1))})
    assert response.status_code == 400
    assert "past" in errors(response)["target_date"]
    ok = post(
        alice_api,
        "/tasks",
        {
            "title": "On time",
            "control": control.pk,
            "priority": "urgent",
            "target_date": str(in_days(3)),
        },
    )
    assert ok.status_code == 201
    body = ok.json()
    assert (body["priority"], body["status"], body["control"]["key"]) == ("urgent", "open", "mfa")


def test_task_owner_from_another_organisation(alice_api, charlie):
    response = post(alice_api, "/tasks", {"title": "x", "owner": charlie.pk})
    assert response.status_code == 400 and "owner" in errors(response)


def test_tasks_overdue_first_and_status_changes(alice_api, org_a, task):
    late = make_task(org_a, title="Late one", priority=4, target_date=in_days(1))
    with scopes_disabled():
        RemediationTask.objects.filter(pk=late.pk).update(target_date=in_days(-2))
    items = alice_api.get(f"{API}/tasks").json()["items"]
    assert [(i["title"], i["overdue"]) for i in items] == [("Late one", True), (task.title, False)]
    assert alice_api.get(f"{API}/tasks?overdue=true").json()["count"] == 1
    done = post(alice_api, f"/tasks/{task.pk}", {"status": "done"}, "patch").json()
    assert done["status"] == "done" and done["completed_at"] is not None
    reopened = post(alice_api, f"/tasks/{task.pk}", {"status": "open"}, "patch").json()
    assert reopened["completed_at"] is None
    past = post(alice_api, f"/tasks/{task.pk}", {"target_date": str(in_days(-1))}, "patch")
    assert past.status_code == 400
    kept = post(
        alice_api,
        f"/tasks/{late.pk}",
        {"title": "Renamed", "target_date": str(in_days(-2))},
        "patch",
    )
    assert kept.status_code == 200
    assert alice_api.get(f"{API}/tasks?status=active").json()["count"] == 2
    assert alice_api.get(f"{API}/tasks?priority=low").json()["items"][0]["title"] == "Renamed"


def test_generate_tasks_is_idempotent(alice_api, org_a):
    adopt_soc2(org_a)
    first = post(alice_api, "/tasks/generate")
    assert first.status_code == 201
    created = first.json()["created"]
    assert created > 0 and len(first.json()["tasks"]) == created
    assert post(alice_api, "/tasks/generate").json()["created"] == 0
    with scopes_disabled():
        assert RemediationTask.objects.filter(organization=org_a).count() == created
        assert (
            Control.objects.filter(organization=org_a, tasks__isnull=False).distinct().count()
            == created
        )
    assert post(alice_api, "/tasks/generate", {"framework_id": 999_999}).status_code == 404


@pytest.mark.parametrize("path", ["/controls/0", "/tasks/0", "/requirements/0"])
def test_zero_ids_are_refused(alice_api, path):
    assert alice_api.get(API + path).status_code in (404, 405, 422)
