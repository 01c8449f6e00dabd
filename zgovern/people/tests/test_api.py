"""The people REST API with alice (read-write token), bob (read-only) and charlie (another
organisation)."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from zgovern.people.tests.conftest import (
    GOOD_CSV,
    actions,
    add_person,
    count_people,
    csv_bytes,
    xlsx_bytes,
)

API = "/api/v1/people"
NEW = {
    "full_name": "Ada Lovelace",
    "work_email": "Ada@A.example",
    "employment_type": "employee",
    "start_date": "2021-03-01",
}


def send(client, method: str, path: str = "", body=None):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(API + path, data=data, content_type="application/json")


def upload(client, data: bytes, name: str = "roster.csv"):
    return client.post(API + "/import", {"file": SimpleUploadedFile(name, data)})


def test_create_read_list_and_patch(org_a, alice_api, bob_api):
    boss = add_person(org_a, "boss@a.example", full_name="Bea Boss")
    created = send(alice_api, "post", "", {**NEW, "manager_email": "BOSS@a.example"})
    assert created.status_code == 201, created.content
    person = created.json()
    assert person["work_email"] == "ada@a.example" and person["manager_id"] == boss.pk
    assert person["status"] == "active" and person["source"] == "manual"
    got = send(bob_api, "get", f"/{person['id']}").json()
    assert got["full_name"] == "Ada Lovelace"
    assert send(bob_api, "get", f"/{boss.pk}").json()["report_ids"] == [person["id"]]
    page = send(bob_api, "get", "?q=ada&limit=1").json()
    assert page["count"] == 1 and page["items"][0]["id"] == person["id"]
    patched = send(alice_api, "patch", f"/{person['id']}", {"end_date": "2022-01-31"})
    assert patched.status_code == 200
    assert patched.json()["status"] == "terminated"
    assert send(alice_api, "get", "?status=terminated").json()["count"] == 1
    assert actions(org_a) == ["person.created", "person.created", "person.updated"]


def test_bad_input_names_the_field(org_a, alice_api):
    add_person(org_a, "ada@a.example")
    conflict = send(alice_api, "post", "", NEW)
    assert conflict.status_code == 409
    assert conflict.json()["errors"] == [
        {"field": "work_email", "message": "ada@a.example is already on the roster."}
    ]
    extra = send(alice_api, "post", "", {**NEW, "work_email": "x@a.example", "salary": 1})
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "salary"
    leaver = {**NEW, "work_email": "y@a.example", "status": "terminated"}
    terminated = send(alice_api, "post", "", leaver)
    assert terminated.status_code == 400
    assert terminated.json()["errors"][0]["field"] == "end_date"
    long_name = send(alice_api, "post", "", {**NEW, "full_name": "x" * 201})
    assert long_name.status_code == 422


def test_background_check_and_training(org_a, alice_api, bob_api):
    person = add_person(org_a)
    done = {"status": "clear", "completed_on": "2024-02-01", "provider": "Checkr"}
    check = send(alice_api, "post", f"/{person.pk}/background-checks", done)
    assert check.status_code == 201 and check.json()["status"] == "clear"
    pending = send(alice_api, "post", f"/{person.pk}/background-checks", {"status": "clear"})
    assert pending.status_code == 400
    assert pending.json()["errors"][0]["field"] == "completed_on"
    body = {"course_key": "security-101", "completed_on": "2024-03-01"}
    assert send(alice_api, "post", f"/{person.pk}/training", body).status_code == 201
    assert send(alice_api, "post", f"/{person.pk}/training", body).status_code == 409
    got = send(bob_api, "get", f"/{person.pk}").json()
    assert got["background_checks"][0]["provider"] == "Checkr"
    assert got["training"][0]["course_title"] == "security 101"
    assert send(bob_api, "post", f"/{person.pk}/training", body).status_code == 403


def test_import_good_and_bad_files(org_a, alice_api, bob_api):
    assert upload(alice_api, GOOD_CSV).json() == {"created": 3, "updated": 0, "unchanged": 0}
    assert upload(alice_api, GOOD_CSV).json() == {"created": 0, "updated": 0, "unchanged": 3}
    bad = upload(alice_api, csv_bytes("z@a.example,Zed,robot,,,2021-03-01,,"))
    assert bad.status_code == 400
    assert bad.json()["problems"] == [
        {
            "line": 2,
            "column": "employment_type",
            "message": "unknown employment type 'robot' (use employee, contractor, intern, "
            "temporary)",
        }
    ]
    assert bad.json()["total"] == 1
    formula = xlsx_bytes([["work_email"], ["=HYPERLINK(1)"]])
    refused = upload(alice_api, formula, "r.xlsx")
    assert refused.status_code == 400
    assert "cell A2 holds a formula" in refused.json()["problems"][0]["message"]
    assert alice_api.post(API + "/import").status_code == 400
    assert count_people(org_a) == 3
    assert upload(bob_api, GOOD_CSV).status_code == 403


def test_import_over_the_size_limit(org_a, alice_api, settings):
    settings.ROSTER_MAX_BYTES = 1024
    big = GOOD_CSV + b"\n" * 50_000
    response = upload(alice_api, big)
    assert response.status_code == 400
    assert response.json()["problems"][0]["message"] == (
        "the file is larger than the limit of 1,024 bytes"
    )
    assert count_people(org_a) == 0


def test_outsider_gets_404(org_a, charlie_api):
    person = add_person(org_a)
    assert send(charlie_api, "get", f"/{person.pk}").status_code == 404
    assert send(charlie_api, "patch", f"/{person.pk}", {"department": "X"}).status_code == 404
    check = send(charlie_api, "post", f"/{person.pk}/background-checks", {"status": "pending"})
    assert check.status_code == 404
    assert send(charlie_api, "get", "").json() == {"count": 0, "items": []}
    assert actions(org_a) == ["person.created"]


def test_nul_in_filters_is_refused(org_a, alice_api, alice_client):
    for param in ("q", "department"):
        response = alice_api.get(API, {param: "a\x00b"})
        assert response.status_code == 422, param
        page = alice_client.get(f"/o/{org_a.slug}/people/", {param: "a\x00b"})
        assert page.status_code == 400, param
