"""The fieldwork REST API as alice (read-write), bob (read-only auditor), charlie
(another organisation) and dave (auditor invited to one audit)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from zgovern.fieldwork.models import AuditorGrant, Comment, Sample
from zgovern.fieldwork.tests.conftest import count, expire, views_of


def _base(audit) -> str:
    return f"/api/v1/audits/{audit.pk}/fieldwork"


def send(client, method: str, path: str, body=None):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(path, data=data, content_type="application/json")


def test_workspace_controls_and_populations(audit_org, audit, records, alice_api, bob_api):
    controls = bob_api.get(f"{_base(audit)}/controls")
    assert controls.status_code == 200 and controls.json()
    first = controls.json()[0]
    detail = bob_api.get(f"{_base(audit)}/controls/{first['id']}").json()
    assert detail["key"] == first["key"] and "check_history_total" in detail
    assert bob_api.get(f"{_base(audit)}/controls/999999").status_code == 404
    counts = {p["kind"]: p["count"] for p in bob_api.get(f"{_base(audit)}/populations").json()}
    assert counts == {
        "new_hires": 2,
        "terminations": 1,
        "changes": 2,
        "incidents": 1,
        "access_changes": 2,
        "vendor_reviews": 1,
    }
    hires = alice_api.get(f"{_base(audit)}/populations/new_hires").json()
    assert [i["label"] for i in hires["items"]] == ["Hana Hire", "Ivy Intern"]
    assert hires["items"][0]["columns"]["work email"] == "hana@a.example"
    assert alice_api.get(f"{_base(audit)}/populations/payroll").status_code == 422


def test_samples_create_list_get(audit_org, audit, records, alice_api, bob_api):
    org = audit_org
    too_big = send(
        alice_api, "post", f"{_base(audit)}/samples", {"population": "changes", "size": 3}
    )
    assert too_big.status_code == 400
    assert too_big.json()["errors"] == [{"field": "size", "message": too_big.json()["detail"]}]
    assert "larger than the population: 2 production changes" in too_big.json()["detail"]
    assert count(Sample, org) == 0
    assert (
        send(
            bob_api, "post", f"{_base(audit)}/samples", {"population": "changes", "size": 1}
        ).status_code
        == 403
    )
    made = send(
        alice_api,
        "post",
        f"{_base(audit)}/samples",
        {"population": "changes", "size": 2, "seed": 5},
    )
    assert made.status_code == 201, made.content
    sample = made.json()
    assert sample["seed"] == 5 and len(sample["items"]) == 2 and sample["created_by"]
    assert {i["verdict"] for i in sample["items"]} == {"operated", "exception"}
    listed = bob_api.get(f"{_base(audit)}/samples").json()
    assert [s["id"] for s in listed] == [sample["id"]]
    got = bob_api.get(f"{_base(audit)}/samples/{sample['id']}").json()
    assert got["chosen_keys"] == sample["chosen_keys"]
    hand = send(
        alice_api, "post", f"{_base(audit)}/samples", {"population": "new_hires", "keys": ["nope"]}
    )
    assert hand.status_code == 400 and hand.json()["errors"][0]["field"] == "keys"


def test_grants_and_comments(
    audit_org, audit, records, alice_api, bob_api, django_capture_on_commit_callbacks
):
    org = audit_org
    until = (timezone.now() + timedelta(days=5)).isoformat()
    body = {"email": "erin@firm.example", "expires_at": until}
    assert send(bob_api, "post", f"{_base(audit)}/auditors", body).status_code == 403
    bad = send(alice_api, "post", f"{_base(audit)}/auditors", {**body, "expires_at": "soon"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "expires_at"
    with django_capture_on_commit_callbacks(execute=True):
        made = send(alice_api, "post", f"{_base(audit)}/auditors", body)
    assert made.status_code == 201 and made.json()["active"] is True
    grant_id = made.json()["id"]
    assert [g["email"] for g in bob_api.get(f"{_base(audit)}/auditors").json()] == [
        "erin@firm.example"
    ]
    revoked = send(alice_api, "post", f"{_base(audit)}/auditors/{grant_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    again = send(alice_api, "post", f"{_base(audit)}/auditors/{grant_id}/revoke")
    assert again.status_code == 409
    control = bob_api.get(f"{_base(audit)}/controls").json()[0]["id"]
    note = {"target_kind": "control", "target_id": control, "body": "Who owns this?"}
    assert send(bob_api, "post", f"{_base(audit)}/comments", note).status_code == 403
    assert (
        send(
            alice_api, "post", f"{_base(audit)}/comments", {**note, "target_id": 999999}
        ).status_code
        == 404
    )
    added = send(alice_api, "post", f"{_base(audit)}/comments", note)
    assert added.status_code == 201 and added.json()["author"]
    listed = bob_api.get(f"{_base(audit)}/comments?target_kind=control&target_id={control}")
    assert [c["body"] for c in listed.json()] == ["Who owns this?"]
    assert count(Comment, org) == 1 and count(AuditorGrant, org) == 1


def test_outsider_gets_404(audit_org, audit, records, charlie_api):
    for path in (
        "/controls",
        "/populations",
        "/populations/new_hires",
        "/samples",
        "/auditors",
        "/comments",
    ):
        assert charlie_api.get(_base(audit) + path).status_code == 404, path


def test_invited_auditor_api(audit_org, audit, other_audit, records, dave, dave_api, dave_grant):
    org = audit_org
    listed = dave_api.get("/api/v1/audits")
    assert listed.status_code == 200 and [a["id"] for a in listed.json()] == [audit.pk]
    assert dave_api.get(f"{_base(audit)}/controls").status_code == 200
    assert dave_api.get(f"/api/v1/audits/{audit.pk}").status_code == 200
    assert dave_api.get(f"{_base(other_audit)}/controls").status_code == 404
    assert dave_api.get(f"/api/v1/audits/{other_audit.pk}").status_code == 404
    assert dave_api.get("/api/v1/people").status_code == 404
    assert dave_api.get("/api/v1/fieldwork/access-log").status_code == 404
    assert dave_api.get(f"{_base(audit)}/auditors").status_code == 404
    paths = [row["path"] for row in views_of(org, dave)]
    assert f"{_base(audit)}/controls" in paths and "/api/v1/audits" in paths
    expire(dave_grant)
    ended = dave_api.get(f"{_base(audit)}/controls")
    assert ended.status_code == 403 and "ended" in ended.json()["detail"]


def test_access_log_api(audit_org, audit, dave, dave_api, alice_api, bob_api):
    dave_api.get(f"{_base(audit)}/controls")
    page = alice_api.get(f"/api/v1/fieldwork/access-log?auditor_id={dave.pk}&audit_id={audit.pk}")
    assert page.status_code == 200
    assert [row["path"] for row in page.json()["items"]] == [f"{_base(audit)}/controls"]
    assert page.json()["items"][0]["audit_id"] == audit.pk
    assert bob_api.get("/api/v1/fieldwork/access-log").status_code == 200
