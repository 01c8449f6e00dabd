"""The change records API with alice (read-write token), bob (read-only) and charlie
(another organisation)."""

from __future__ import annotations

import csv
import io

from zgovern.changes.tests.conftest import sample

API = "/api/v1/changes"


def test_list_with_filters_sort_and_paging(org_a, bob_api):
    sample(org_a)
    page = bob_api.get(API).json()
    assert page["count"] == 4 and [c["number"] for c in page["items"]] == [4, 2, 1, 3]
    flagged = bob_api.get(API, {"approval": "unapproved", "sort": "number"}).json()
    assert [(c["number"], c["flagged_reason"]) for c in flagged["items"]] == [
        (2, "merged without an approving review"),
        (3, "approved only by its author (adam)"),
    ]
    assert bob_api.get(API, {"repository": "acme/web"}).json()["count"] == 1
    assert bob_api.get(API, {"author": "ERIC"}).json()["count"] == 1
    period = bob_api.get(API, {"merged_from": "2026-11-21", "merged_to": "2026-11-30"}).json()
    assert {c["number"] for c in period["items"]} == {2, 4}
    second = bob_api.get(API, {"sort": "number", "limit": 2, "offset": 2}).json()
    assert [c["number"] for c in second["items"]] == [3, 4]


def test_get_one_record(org_a, alice_api, charlie_api):
    approved, *_ = sample(org_a)
    body = alice_api.get(f"{API}/{approved.pk}").json()
    assert body["approvers"] == ["raj"] and body["approved"] is True
    assert (body["checks"], body["checks_passed"]) == ("passed", True)
    assert charlie_api.get(f"{API}/{approved.pk}").status_code == 404
    assert alice_api.get(f"{API}/999999").status_code == 404


def test_bad_filters_answer_422_naming_them(org_a, alice_api):
    response = alice_api.get(API, {"merged_from": "2026-11-21", "merged_to": "2026-11-01"})
    assert response.status_code == 422 and "merged_to" in response.content.decode()
    assert alice_api.get(API, {"sort": "colour"}).status_code == 422
    assert alice_api.get(API, {"approval": "maybe"}).status_code == 422
    assert alice_api.get(API, {"limit": 0}).status_code == 422


def test_export_csv_and_xlsx(org_a, bob_api, charlie_api):
    sample(org_a)
    response = bob_api.get(f"{API}/export", {"approval": "approved"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r[1] for r in rows[1:]) == ["1", "4"]
    xlsx = bob_api.get(f"{API}/export", {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert bob_api.get(f"{API}/export", {"format": "pdf"}).status_code == 422
    # Charlie's organisation has no records: his export is empty, never org A's.
    other = charlie_api.get(f"{API}/export").content.decode("utf-8-sig")
    assert other.strip().count("\n") == 0


def test_writes_are_not_offered(org_a, alice_api):
    assert alice_api.post(API, {}, content_type="application/json").status_code == 405


def test_anonymous_is_refused():
    from django.test import Client

    assert Client().get(API).status_code == 401
