"""The REST API: alice works, bob (read-only auditor) reads but every write is 403,
charlie's token from another organisation gets 404, and bad input is a 4xx naming it
with nothing half-saved."""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zgovern.pbc.models import AuditException, AuditRequest, RequestEvidence
from zgovern.pbc.tests.conftest import csv_bytes
from zgovern.tenancy.scoping import organization_scope

API = "/api/v1"


def _post(client, url, body, method="post"):
    return getattr(client, method)(
        f"{API}{url}", data=json.dumps(body), content_type="application/json"
    )


def _count(world, model) -> int:
    with organization_scope(world["org"]):
        return model.objects.count()


def test_request_lifecycle(world, alice_api):
    audit = world["audit"].pk
    made = _post(
        alice_api,
        f"/audits/{audit}/requests",
        {
            "reference": "PBC-1",
            "title": "Access reviews",
            "criteria": ["CC6.2"],
            "assignee_email": "alice@a.example",
            "origin": "auditor",
        },
    )
    assert made.status_code == 201, made.content
    req = made.json()
    assert req["late"] is False and req["assignee_email"] == "alice@a.example"
    suggestions = alice_api.get(f"{API}/audit-requests/{req['id']}/suggestions").json()
    assert suggestions[0]["evidence_id"] == world["review"].pk and suggestions[0]["reasons"]
    confirmed = _post(
        alice_api,
        f"/audit-requests/{req['id']}/suggestions/confirm",
        {"evidence_id": world["review"].pk},
    )
    assert confirmed.json()["evidence_ids"] == [world["review"].pk]
    upload = alice_api.post(
        f"{API}/audit-requests/{req['id']}/evidence/upload",
        {"file": SimpleUploadedFile("list.txt", b"users")},
    )
    assert upload.status_code == 200 and len(upload.json()["evidence_ids"]) == 2
    answered = _post(alice_api, f"/audit-requests/{req['id']}/answer", {"answer": "Attached."})
    assert answered.json()["status"] == "answered"
    rejected = _post(
        alice_api, f"/audit-requests/{req['id']}/decision", {"accept": False, "note": "Q2 missing"}
    )
    assert rejected.json()["status"] == "reopened"
    listed = alice_api.get(f"{API}/audits/{audit}/requests?status=reopened").json()
    assert listed["count"] == 1
    settings = _post(alice_api, f"/audits/{audit}/request-settings", {"target_hours": 72}, "put")
    assert settings.json()["target_hours"] == 72


def test_bad_request_input_is_a_400_naming_the_field(world, alice_api, charlie):
    audit = world["audit"].pk
    base = {"reference": "PBC-1", "title": "Access reviews"}
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    for extra, field in (
        ({"criteria": ["CC6.2", "XX1"]}, "criteria"),
        ({"due_date": past}, "due_date"),
        ({"assignee_email": charlie.email}, "assignee_email"),
    ):
        response = _post(alice_api, f"/audits/{audit}/requests", {**base, **extra})
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["field"] == field
    assert _count(world, AuditRequest) == 0


def test_bad_import_lists_every_row(world, alice_api):
    data = csv_bytes("PBC-1,,,,,", "PBC-2,Logs,,XX1,,")
    response = alice_api.post(
        f"{API}/audits/{world['audit'].pk}/requests/import",
        {"file": SimpleUploadedFile("l.csv", data)},
    )
    assert response.status_code == 400
    assert [p["line"] for p in response.json()["problems"]] == [2]
    assert _count(world, AuditRequest) == 0
    good = csv_bytes("PBC-1,Logs,,CC7.3,,")
    for expected in (1, 0):
        response = alice_api.post(
            f"{API}/audits/{world['audit'].pk}/requests/import",
            {"file": SimpleUploadedFile("l.csv", good)},
        )
        assert response.json()["created"] == expected


def test_exceptions_and_exports(world, alice_api):
    audit = world["audit"].pk
    today = timezone.localdate()
    body = {
        "control": "access-reviews-quarterly",
        "description": "=HYPERLINK(evil)",
        "period_from": (today - timedelta(days=30)).isoformat(),
        "period_to": (today - timedelta(days=20)).isoformat(),
        "severity": "high",
    }
    bad = _post(alice_api, f"/audits/{audit}/exceptions", {**body, "control": "nope"})
    assert bad.status_code == 400 and _count(world, AuditException) == 0
    made = _post(alice_api, f"/audits/{audit}/exceptions", body)
    assert made.status_code == 201
    exc = made.json()["id"]
    response = _post(
        alice_api,
        f"/audit-exceptions/{exc}/response",
        {
            "kind": "compensating",
            "text": "Weekly log review covers it.",
            "evidence_ids": [world["log"].pk],
        },
        "put",
    )
    assert response.status_code == 200 and response.json()["evidence_ids"] == [world["log"].pk]
    csv = alice_api.get(f"{API}/audits/{audit}/exceptions/export?format=csv")
    assert b"'=HYPERLINK" in csv.content and b"Compensating control" in csv.content
    pdf = alice_api.get(f"{API}/audits/{audit}/exceptions/export?format=pdf")
    assert pdf.content.startswith(b"%PDF")
    xlsx = alice_api.get(f"{API}/audits/{audit}/exceptions/export?format=xlsx")
    assert xlsx.content.startswith(b"PK")


def test_bob_reads_but_cannot_write(world, bob_api, alice_api):
    audit = world["audit"].pk
    _post(alice_api, f"/audits/{audit}/requests", {"reference": "PBC-1", "title": "Logs"})
    assert bob_api.get(f"{API}/audits/{audit}/requests").status_code == 200
    response = _post(bob_api, f"/audits/{audit}/requests", {"reference": "P2", "title": "x"})
    assert response.status_code == 403
    with organization_scope(world["org"]):
        req = AuditRequest.objects.get()
    response = _post(
        bob_api, f"/audit-requests/{req.pk}/evidence", {"evidence_id": world["log"].pk}
    )
    assert response.status_code == 403
    assert _count(world, AuditRequest) == 1 and _count(world, RequestEvidence) == 0


def test_charlie_gets_404(world, charlie_api, alice_api):
    audit = world["audit"].pk
    _post(alice_api, f"/audits/{audit}/requests", {"reference": "PBC-1", "title": "Logs"})
    with organization_scope(world["org"]):
        req = AuditRequest.objects.get()
    assert charlie_api.get(f"{API}/audits/{audit}/requests").status_code == 404
    assert charlie_api.get(f"{API}/audit-requests/{req.pk}").status_code == 404
    response = _post(charlie_api, f"/audit-requests/{req.pk}/answer", {"answer": "x"})
    assert response.status_code == 404
