"""The evidence REST API with alice (owner, read-write token), bob (auditor, read-only
token) and charlie (owner of another organisation)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from zgovern.evidence.models import EvidenceItem
from zgovern.evidence.tests.conftest import (
    PDF,
    actions,
    add_link,
    add_pdf,
    add_record,
    count_items,
    pdf,
    stored_blobs,
)

API = "/api/v1/evidence"


def send(client, method: str, path: str, body=None):
    data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
    return getattr(client, method)(API + path, data=data, content_type="application/json")


def upload(client, **overrides):
    data = {"kind": "policy_approval", "title": "Signed policy", "file": pdf()}
    data.update(overrides)
    return client.post(API + "/files", {k: v for k, v in data.items() if v is not None})


# -- reads ----------------------------------------------------------------------------


def test_list_with_filters_and_paging(org_a, alice_api, bob_api, charlie_api):
    first = add_pdf(org_a, title="P1")
    add_pdf(org_a, title="P2", uploaded_file=pdf("b.pdf", PDF + b"%2"))
    add_link(org_a, title="L1")
    for client in (alice_api, bob_api):
        page = send(client, "get", "").json()
        assert page["count"] == 3
        assert [i["title"] for i in page["items"]] == ["L1", "P2", "P1"]
    assert send(alice_api, "get", "?source=link").json()["count"] == 1
    assert send(alice_api, "get", "?kind=POLICY_approval").json()["count"] == 2
    paged = send(alice_api, "get", "?limit=1&offset=2").json()
    assert [i["id"] for i in paged["items"]] == [first.pk]
    assert paged["count"] == 3
    # Another organisation sees only its own (none).
    assert send(charlie_api, "get", "").json() == {"count": 0, "items": []}


@pytest.mark.parametrize(
    "query",
    [
        "?limit=0",
        "?limit=201",
        "?offset=-1",
        "?source=nope",
        "?collected_from=x",
        "?kind=%00",
        "?kind=a%20b",
    ],
)
def test_bad_list_filters_are_422(org_a, alice_api, query):
    response = send(alice_api, "get", query)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_get_one_item(org_a, alice_api, bob_api, charlie_api):
    item = add_record(org_a, record={"x": 1}, description="About it")
    for client in (alice_api, bob_api):
        data = send(client, "get", f"/{item.pk}").json()
        assert data["sha256"] == item.sha256
        assert data["record"] == {"x": 1}
        assert data["description"] == "About it"
        assert data["corrected_by"] is None
    assert send(charlie_api, "get", f"/{item.pk}").status_code == 404
    assert send(alice_api, "get", "/999999").status_code == 404
    assert send(alice_api, "get", f"/{2**63}").status_code in (404, 422)


def test_download(org_a, alice_api, bob_api, charlie_api):
    item = add_pdf(org_a)
    for client in (alice_api, bob_api):
        response = send(client, "get", f"/{item.pk}/download")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="policy.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
    assert send(charlie_api, "get", f"/{item.pk}/download").status_code == 404
    link = add_link(org_a)
    refused = send(alice_api, "get", f"/{link.pk}/download")
    assert refused.status_code == 404
    assert "link" in refused.json()["detail"]


# -- uploads --------------------------------------------------------------------------


def test_alice_uploads_a_file(org_a, alice, alice_api):
    response = upload(
        alice_api, period_start="2026-01-01", period_end="2026-03-31", tags="board, policy"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert data["created_by"] == alice.email
    assert data["tags"] == ["board", "policy"]
    assert data["period_end"] == "2026-03-31"
    assert actions(org_a) == ["evidence.added"]


def test_bob_and_charlie_cannot_upload(org_a, bob_api, charlie_api):
    assert upload(bob_api).status_code == 403
    response = upload(charlie_api)
    assert response.status_code == 201  # into charlie's own organisation
    assert count_items(org_a) == 0


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"file": SimpleUploadedFile("x.html", b"<html>")}, 400, "file"),
        ({"file": SimpleUploadedFile("x.pdf", b"nope")}, 400, "file"),
        ({"file": None}, 400, "file"),
        ({"title": ""}, 422, "title"),
        ({"kind": "k" * 61}, 422, "kind"),
        ({"period_start": "2026-02-01", "period_end": "2026-01-01"}, 400, "period_end"),
        ({"period_start": "not a date"}, 422, "period_start"),
        ({"surprise": "extra"}, 422, "surprise"),
        ({"title": "nul\x00"}, 422, "title"),
    ],
)
def test_bad_uploads_are_refused_with_the_field_named(org_a, alice_api, overrides, status, field):
    response = upload(alice_api, **overrides)
    assert response.status_code == status, response.json()
    assert field in [e["field"] for e in response.json()["errors"]]
    assert count_items(org_a) == 0
    assert stored_blobs() == []


def test_an_upload_over_the_limit_is_refused(org_a, alice_api, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    response = upload(alice_api)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "file", "message": "The file is larger than the limit of 10 bytes."}
    ]


def test_a_json_body_to_the_upload_is_422_not_500(org_a, alice_api):
    response = send(alice_api, "post", "/files", {"kind": "x", "title": "y"})
    assert response.status_code == 422


def test_an_upload_can_correct_an_uploaded_item(org_a, alice_api, org_b):
    item = add_pdf(org_a)
    response = upload(
        alice_api, corrects=str(item.pk), reason="Signed copy", file=pdf("v2.pdf", PDF + b"%v2")
    )
    assert response.status_code == 201, response.json()
    assert response.json()["supersedes"] == item.pk
    assert actions(org_a) == ["evidence.added", "evidence.corrected"]
    again = upload(alice_api, corrects=str(item.pk), reason="x", file=pdf("v3.pdf", PDF + b"%3"))
    assert again.status_code == 409
    theirs = add_pdf(org_b)
    assert upload(alice_api, corrects=str(theirs.pk), reason="x").status_code == 404


# -- links ----------------------------------------------------------------------------


def test_alice_adds_a_link(org_a, alice_api, bob_api):
    body = {
        "kind": "access_review",
        "title": "Ticket",
        "url": "https://t.example/1",
        "tags": ["q1"],
    }
    response = send(alice_api, "post", "/links", body)
    assert response.status_code == 201
    assert response.json()["link_url"] == "https://t.example/1"
    assert response.json()["source"] == "link"
    assert send(bob_api, "post", "/links", body).status_code == 403
    assert count_items(org_a) == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"url": "javascript:alert(1)"}, 400, "url"),
        ({"url": "https://x.example/" + "a" * 1000}, 422, "url"),
        ({"extra": 1}, 422, "extra"),
        ({"title": None}, 422, "title"),
        ({"tags": ["a"] * 51}, 422, "tags"),
        ({"collected_at": "2999-01-01T00:00:00Z"}, 400, "collected_at"),
        ({"title": "bad \ud800"}, 422, "title"),
    ],
)
def test_bad_links_are_refused(org_a, alice_api, body, status, field):
    payload = {"kind": "access_review", "title": "Ticket", "url": "https://t.example/1", **body}
    response = send(alice_api, "post", "/links", payload)
    assert response.status_code == status, response.json()
    assert field in [e["field"] for e in response.json()["errors"]]
    assert count_items(org_a) == 0


def test_malformed_json_is_400(org_a, alice_api):
    response = send(alice_api, "post", "/links", "{not json")
    assert response.status_code == 400


# -- corrections ----------------------------------------------------------------------


def test_alice_corrects_a_record(org_a, alice_api, bob_api, charlie_api):
    item = add_record(org_a, record={"rows": 3})
    body = {"reason": "Miscounted", "record": {"rows": 4}}
    assert send(bob_api, "post", f"/{item.pk}/corrections", body).status_code == 403
    assert send(charlie_api, "post", f"/{item.pk}/corrections", body).status_code == 404
    response = send(alice_api, "post", f"/{item.pk}/corrections", body)
    assert response.status_code == 201, response.json()
    fixed = response.json()
    assert fixed["supersedes"] == item.pk
    assert fixed["record"] == {"rows": 4}
    assert send(alice_api, "get", f"/{item.pk}").json()["corrected_by"] == fixed["id"]
    listed = {i["id"]: i["corrected_by"] for i in send(alice_api, "get", "").json()["items"]}
    assert listed == {item.pk: fixed["id"], fixed["id"]: None}
    assert send(alice_api, "post", f"/{item.pk}/corrections", body).status_code == 409


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "reason"),
        ({"reason": "x"}, 400, None),  # changes nothing
        ({"reason": "x", "url": "https://y.example"}, 400, "url"),
        ({"reason": "x", "nope": 1}, 422, "nope"),
        ({"reason": "x", "period_start": "2026-01-01"}, 400, "period_end"),
        ({"reason": "x", "record": [1]}, 422, "record"),
    ],
)
def test_bad_corrections_are_refused(org_a, alice_api, body, status, field):
    item = add_record(org_a)
    response = send(alice_api, "post", f"/{item.pk}/corrections", body)
    assert response.status_code == status, response.json()
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields if field else fields == []
    with scopes_disabled():
        assert EvidenceItem.objects.filter(organization=org_a).count() == 1
