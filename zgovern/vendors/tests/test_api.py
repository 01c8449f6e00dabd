"""The vendors API with alice (read-write token), bob (read-only) and charlie (outsider)."""

from __future__ import annotations

import json

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from zgovern.vendors.models import VendorAssessmentStatus
from zgovern.vendors.tests.conftest import (
    PDF,
    add_vendor,
    counts,
    full_answers,
    refreshed,
    start,
    submitted,
)

API = "/api/v1"


def post(client, path: str, body: dict):
    return client.post(API + path, json.dumps(body), content_type="application/json")


def test_vendor_crud_and_listing(org_a, alice_api, bob_api, charlie_api):
    body = {"name": "Okta", "criticality": "critical", "data_categories": ["credentials"],
            "owner_email": "alice@a.example", "is_subprocessor": True}  # fmt: skip
    response = post(alice_api, "/vendors", body)
    assert response.status_code == 201, response.content
    vendor = response.json()
    assert vendor["flags"] == ["no_assessment"] and vendor["owner_email"] == "alice@a.example"
    assert post(alice_api, "/vendors", body | {"name": "okta"}).status_code == 409
    assert post(bob_api, "/vendors", body | {"name": "Other"}).status_code == 403
    listing = bob_api.get(API + "/vendors?criticality=critical&sort=-name").json()
    assert listing["count"] == 1 and listing["items"][0]["name"] == "Okta"
    assert charlie_api.get(f"{API}/vendors/{vendor['id']}").status_code == 404
    assert charlie_api.get(API + "/vendors").json()["count"] == 0
    response = alice_api.patch(
        f"{API}/vendors/{vendor['id']}", json.dumps({"criticality": "low"}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["flags"] == []


def test_bad_vendor_input_is_4xx_and_saves_nothing(org_a, alice_api):
    before = counts(org_a)
    cases = [
        ({"name": "X", "criticality": "extreme"}, 422),
        ({"name": "X", "criticality": "low", "contract_start": "2025-02-01",
          "contract_end": "2025-01-01"}, 400),
        ({"name": "X", "criticality": "low", "owner_email": "charlie@b.example"}, 400),
        ({"name": "X", "criticality": "low", "unknown": 1}, 422),
    ]  # fmt: skip
    for body, status in cases:
        response = post(alice_api, "/vendors", body)
        assert response.status_code == status, (body, response.content)
        assert response.json()["detail"]
    assert counts(org_a) == before


def test_document_upload_through_the_api(org_a, alice_api, bob_api, settings):
    vendor = add_vendor(org_a)
    path = f"{API}/vendors/{vendor.pk}/documents"
    fields = {"kind": "soc2_type2", "period_start": "2025-01-01", "period_end": "2025-06-30"}
    response = alice_api.post(path, fields | {"file": SimpleUploadedFile("r.pdf", PDF)})
    assert response.status_code == 201, response.content
    assert response.json()["expires_on"] == "2026-06-30"
    document_id = response.json()["id"]
    assert bob_api.get(f"{API}/vendor-documents/{document_id}").status_code == 200
    before = counts(org_a)
    response = alice_api.post(path, fields | {"file": SimpleUploadedFile("r.exe", b"MZ")})
    assert response.status_code == 400 and "not accepted" in response.json()["detail"]
    settings.EVIDENCE_MAX_BYTES = 10
    response = alice_api.post(path, fields | {"file": SimpleUploadedFile("r.pdf", PDF)})
    assert response.status_code == 400 and "larger than the limit" in response.json()["detail"]
    response = alice_api.post(path, fields)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "file"
    assert (
        bob_api.post(path, fields | {"file": SimpleUploadedFile("r.pdf", PDF)}).status_code == 403
    )
    assert counts(org_a) == before


def test_assessment_lifecycle(org_a, alice_api, bob_api, charlie_api):
    vendor = add_vendor(org_a)
    response = post(alice_api, f"/vendors/{vendor.pk}/assessments", {})
    assert response.status_code == 201
    assessment = response.json()
    assert len(assessment["questions"]) >= 20
    aid = assessment["id"]
    response = post(alice_api, f"/vendor-assessments/{aid}/send", {"days": 3})
    assert response.status_code == 200 and "/vendor-assessment/va_" in response.json()["link"]
    assert mail.outbox[-1].to == ["sec@vendor.example"]
    assert charlie_api.get(f"{API}/vendor-assessments/{aid}").status_code == 404
    assert post(bob_api, f"/vendor-assessments/{aid}/send", {}).status_code == 403
    item = start(org_a, vendor)
    answers = full_answers(item)
    bad = dict(answers) | {"mfa": {"answer": "perhaps"}}
    before = counts(org_a)
    response = post(alice_api, f"/vendor-assessments/{aid}/answers", {"answers": bad})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "q_mfa"
    assert counts(org_a) == before
    response = post(alice_api, f"/vendor-assessments/{aid}/answers", {"answers": answers})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    response = post(
        alice_api, f"/vendor-assessments/{aid}/conclusion", {"conclusion": "acceptable"}
    )
    assert response.status_code == 200 and response.json()["evidence_id"]
    again = post(alice_api, f"/vendor-assessments/{aid}/conclusion", {"conclusion": "acceptable"})
    assert again.status_code == 409
    listing = bob_api.get(f"{API}/vendors/{vendor.pk}/assessments").json()
    assert {a["status"] for a in listing} == {"completed", "in_progress"}


def test_flags_cadence_snapshot_and_questionnaires(org_a, alice_api, bob_api):
    add_vendor(org_a, "Never assessed")
    done = submitted(org_a, add_vendor(org_a, "Done", criticality="low"))
    assert refreshed(done).status == VendorAssessmentStatus.SUBMITTED
    flags = bob_api.get(API + "/vendor-flags").json()
    assert flags["counts"]["no_assessment"] == 1 and flags["count"] == 1
    assert [v["name"] for v in flags["vendors"]] == ["Never assessed"]
    assert bob_api.get(API + "/vendor-review-cadence").json()["critical"] == 12
    response = alice_api.put(
        API + "/vendor-review-cadence", json.dumps({"critical": 6}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["critical"] == 6
    bad = alice_api.put(
        API + "/vendor-review-cadence", json.dumps({"critical": 0}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert post(bob_api, "/vendors/inventory-snapshot", {}).status_code == 403
    assert post(alice_api, "/vendors/inventory-snapshot", {}).status_code == 201
    assert bob_api.get(API + "/vendor-questionnaires").json()[0]["key"] == "security"
