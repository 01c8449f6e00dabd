"""The incidents API with alice (read-write token), bob (read-only) and charlie (another
organisation)."""

from __future__ import annotations

from zgovern.incidents.tests.conftest import actions, add_incident, ago, counts, send
from zgovern.risks.tests.conftest import add_risk

DETECTED = ago(hours=6).isoformat()
NEW = {"title": "Exposed bucket", "severity": "SEV1", "detected_at": DETECTED}


def test_log_list_change_timeline_and_figures(org_a, alice, alice_api, bob_api):
    risk = add_risk(org_a)
    created = send(alice_api, "post", "/incidents",
                   {**NEW, "owner_email": alice.email, "risk_ids": [risk.pk]})  # fmt: skip
    assert created.status_code == 201, created.content
    incident = created.json()
    assert incident["severity"] == "SEV1" and incident["risk_ids"] == [risk.pk]
    assert incident["past_target"] is False and incident["timeline"] == []
    add_incident(org_a, "Old one", detected_at=ago(days=30))
    page = send(bob_api, "get", "/incidents?sort=-detected&limit=1").json()
    assert page["count"] == 2 and page["items"][0]["title"] == "Exposed bucket"
    assert page["items"][0]["risk_ids"] == [risk.pk] and page["items"][0]["control_ids"] == []
    assert send(bob_api, "get", "/incidents?past_target=true").json()["count"] == 1
    assert send(bob_api, "get", "/incidents?severity=sev1").json()["count"] == 1
    entry = send(alice_api, "post", f"/incidents/{incident['id']}/timeline",
                 {"action": "Bucket made private", "by": "Ops"})  # fmt: skip
    assert entry.status_code == 201 and entry.json()["by"] == "Ops"
    patched = send(alice_api, "patch", f"/incidents/{incident['id']}", {"status": "resolved"})
    assert patched.status_code == 200 and patched.json()["hours_to_resolve"] >= 6
    assert len(patched.json()["timeline"]) == 1
    rows = send(bob_api, "get", "/incidents/figures").json()
    assert rows[0]["severity"] == "SEV1" and rows[0]["time_to_resolve"]["n"] == 1
    names = [s["name"] for s in send(bob_api, "get", "/incident-severities").json()]
    assert names == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert actions(org_a)[-3:] == ["incident.created", "incident.timeline_added",
                                   "incident.updated"]  # fmt: skip


def test_bad_input_names_the_field_and_saves_nothing(org_a, alice_api):
    cases = (
        ({**NEW, "resolved_at": ago(hours=7).isoformat(), "status": "resolved"}, "resolved_at"),
        ({**NEW, "severity": "SEV9"}, "severity"),
        ({**NEW, "detected_at": "yesterday"}, "detected_at"),
        ({**NEW, "customers_notified": True}, "customers_notified_at"),
    )
    for body, field in cases:
        response = send(alice_api, "post", "/incidents", body)
        assert response.status_code in (400, 422), body
        assert response.json()["errors"][0]["field"] == field, response.json()
    first = send(alice_api, "post", "/incidents", cases[0][0]).json()
    assert "resolved_at" in first["detail"] and "detected_at" in first["detail"]
    assert counts(org_a) == (0, 0)
    incident = add_incident(org_a)
    change = {"title": "New", "resolved_at": ago(days=3).isoformat(), "status": "resolved"}
    patch = send(alice_api, "patch", f"/incidents/{incident.pk}", change)
    assert patch.status_code == 400 and patch.json()["errors"][0]["field"] == "resolved_at"
    assert send(alice_api, "get", f"/incidents/{incident.pk}").json()["title"] == "Leaked key"
    empty = send(alice_api, "post", f"/incidents/{incident.pk}/timeline", {"action": ""})
    assert empty.status_code == 422 and counts(org_a) == (1, 0)


def test_permissions(org_a, org_b, bob_api, charlie_api):
    incident = add_incident(org_a)
    assert send(bob_api, "post", "/incidents", NEW).status_code == 403
    assert send(bob_api, "post", f"/incidents/{incident.pk}/timeline",
                {"action": "x"}).status_code == 403  # fmt: skip
    assert send(charlie_api, "get", f"/incidents/{incident.pk}").status_code == 404
    assert send(charlie_api, "post", f"/incidents/{incident.pk}/timeline",
                {"action": "x"}).status_code == 404  # fmt: skip
    assert send(charlie_api, "get", "/incidents").json()["count"] == 0
    assert counts(org_a) == (1, 0)


def test_an_offset_postgresql_cannot_store_is_taken_in_utc(org_a, alice):
    from zgovern.tenancy.tests.conftest import api_client, issue_token

    client = api_client(issue_token(org_a, alice, read_only=False, name="offsets"))
    # ISO 8601 allows -21:24; PostgreSQL refuses offsets beyond ±15:59.
    url = "/api/v1/incidents?detected_to=0112-12-24T07%3A13%3A38-21%3A24"
    assert client.get(url).status_code == 200
    overflow = "/api/v1/incidents?detected_to=0001-01-01T00%3A00%3A00%2B01%3A00"
    response = client.get(overflow)
    assert response.status_code == 422 and "detected_to" in response.json()["detail"]
