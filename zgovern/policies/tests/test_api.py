"""The policies API with alice (owner), bob (read-only auditor) and charlie (outsider), an
employee acknowledging for themself, and the exports."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from conftest import make_user
from zgovern.policies.models import Acknowledgement, Policy
from zgovern.policies.tests.conftest import add_person, published_policy
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.tests.conftest import api_client, issue_token

pytestmark = pytest.mark.django_db
BASE = "/api/v1/policies"


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_approval_flow_through_the_api(alice_api, org_a):
    adopted = _post(alice_api, f"{BASE}/adopt", {"template_key": "access-control",
                                                 "company_name": "Org A Ltd"})  # fmt: skip
    assert adopted.status_code == 201, adopted.content
    policy = adopted.json()
    version_id = policy["latest_version_id"]
    for step in ("submit-for-review", "approve", "publish"):
        response = _post(alice_api, f"{BASE}/versions/{version_id}/{step}")
        assert response.status_code == 200, (step, response.content)
    body = response.json()
    assert body["status"] == "published" and body["approvals"][0]["approver_label"]
    assert "Org A Ltd" in body["body"] and "<h1>" in body["html"]
    again = _post(alice_api, f"{BASE}/versions/{version_id}/publish")
    assert again.status_code == 409 and "only a approved version" in again.json()["detail"]
    edit = alice_api.patch(f"{BASE}/versions/{version_id}", data=json.dumps({"body": "x" * 10}),
                           content_type="application/json")  # fmt: skip
    assert edit.status_code == 409 and "new version" in edit.json()["detail"]
    new = _post(alice_api, f"{BASE}/{policy['id']}/versions", {"material": False})
    assert new.status_code == 201
    diff = alice_api.get(f"{BASE}/versions/{new.json()['id']}/diff")
    assert diff.status_code == 200 and diff.json()["old_version_id"] == version_id


def test_bad_input_names_the_field_and_saves_nothing(alice_api, org_a):
    response = _post(alice_api, f"{BASE}/adopt", {"template_key": "nope"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "template_key"
    response = _post(alice_api, f"{BASE}/adopt", {"template_key": "encryption", "audience": "x"})
    assert response.status_code == 422
    with scopes_disabled():
        assert Policy.objects.count() == 0


def test_bob_reads_and_cannot_write_charlie_sees_nothing(org_a, org_b, alice, bob, charlie):
    policy = published_policy(org_a)
    bob_api = api_client(issue_token(org_a, bob, read_only=True))
    charlie_api = api_client(issue_token(org_b, charlie, read_only=False))
    assert bob_api.get(f"{BASE}/{policy.pk}").status_code == 200
    assert _post(bob_api, f"{BASE}/{policy.pk}/versions").status_code == 403
    assert charlie_api.get(f"{BASE}/{policy.pk}").status_code == 404
    assert _post(charlie_api, f"{BASE}/{policy.pk}/versions").status_code == 404
    assert charlie_api.get(f"{BASE}").json() == []


def test_an_employee_acknowledges_once_for_themself(org_a):
    eve = make_user("eve@a.example", "Eve Employee")
    with scopes_disabled():
        Membership.objects.create(organization=org_a, user=eve, role=Role.EMPLOYEE)
    add_person(org_a, "eve@a.example")
    policy = published_policy(org_a)
    with scopes_disabled():
        version_id = policy.current_version().pk
    client = api_client(issue_token(org_a, eve, read_only=True))
    mine = client.get(f"{BASE}/mine").json()
    assert [v["id"] for v in mine["versions"]] == [version_id]
    assert client.get(f"{BASE}").status_code == 403  # the library itself is not theirs
    first = client.post(f"{BASE}/versions/{version_id}/acknowledge", HTTP_USER_AGENT="Bench/1")
    second = client.post(f"{BASE}/versions/{version_id}/acknowledge")
    assert first.status_code == 201 and first.json()["user_agent"] == "Bench/1"
    assert second.status_code == 409 and "already acknowledged" in second.json()["detail"]
    assert client.get(f"{BASE}/mine").json()["versions"] == []
    with scopes_disabled():
        assert Acknowledgement.objects.count() == 1


def test_someone_not_on_the_roster_cannot_acknowledge(org_a, alice):
    add_person(org_a, "alice@a.example")
    policy = published_policy(org_a)
    with scopes_disabled():
        version_id = policy.current_version().pk
    client = api_client(issue_token(org_a, alice, read_only=False))
    restricted = api_client(issue_token(org_a, alice, read_only=True, name="ro"))
    response = restricted.post(f"{BASE}/versions/{version_id}/acknowledge")
    assert response.status_code == 403 and "read-only" in response.json()["detail"]
    assert client.post(f"{BASE}/versions/{version_id}/acknowledge").status_code == 201
    with scopes_disabled():
        Membership.objects.filter(user=alice).update(role=Role.OWNER)
        from zgovern.people.models import Person

        Person.objects.filter(work_email="alice@a.example").update(work_email="al@a.example")
    response = client.get(f"{BASE}/mine")
    assert response.json() == {"person_id": None, "versions": []}


def test_paper_acknowledgement_and_exports(alice_api, org_a):
    ann = add_person(org_a, "ann@a.example")
    policy = published_policy(org_a)
    with scopes_disabled():
        version_id = policy.current_version().pk
    url = f"{BASE}/versions/{version_id}/paper-acknowledgements"
    nobody = alice_api.post(url, data={})
    assert nobody.status_code == 400 and nobody.json()["errors"][0]["field"] == "person_id"
    missing = alice_api.post(url, data={"person_id": ann.pk})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "scan_file"
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4 scan")
    done = alice_api.post(url, data={"person_id": ann.pk, "scan": scan})
    assert done.status_code == 201 and done.json()["method"] == "paper"
    csv_text = alice_api.get(f"{BASE}/matrix.csv").content.decode("utf-8-sig")
    assert "ann@a.example" in csv_text and "acknowledged" in csv_text
    matrix = alice_api.get(f"{BASE}/matrix").json()
    assert matrix["policies"][0]["rate"] == 100.0
    acks = alice_api.get(f"{BASE}/{policy.pk}/acknowledgements").json()
    assert acks["current"]["acknowledged"] == 1 and acks["versions"][0]["acknowledgements"] == 1
    for url in (f"{BASE}/library.pdf", f"{BASE}/versions/{version_id}/pdf"):
        response = alice_api.get(url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_checks_and_reviews_endpoints(alice_api, org_a):
    integration = _post(alice_api, f"{BASE}/checks")
    assert integration.status_code == 200 and integration.json()["provider"] == "policy_program"
    assert _post(alice_api, f"{BASE}/checks").json()["id"] == integration.json()["id"]
    assert _post(alice_api, f"{BASE}/reviews/flag").json() == []


def test_a_persons_acknowledgements(alice_api, org_a):
    ann = add_person(org_a, "ann@a.example")
    published_policy(org_a)
    published_policy(org_a, "encryption")
    body = alice_api.get(f"{BASE}/people/{ann.pk}/acknowledgements").json()
    assert body["rate"] == 0.0 and body["exceptions"] == 0
    assert sorted(p["state"] for p in body["policies"]) == ["pending", "pending"]
    assert alice_api.get(f"{BASE}/people/999999/acknowledgements").status_code == 404
