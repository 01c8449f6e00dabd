"""The identity REST API with alice (read-write token), bob (read-only) and charlie."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zgovern.identity.services import record_accounts
from zgovern.identity.tests.conftest import (
    accounts,
    actions,
    add_person,
    count_accounts,
    holder,
    rec,
)

API = "/api/v1"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def send(client, method: str, path: str, body=None):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(API + path, data=data, content_type="application/json")


@pytest.fixture
def graph(org_a):
    ada = add_person(org_a, "ada@a.example")
    record_accounts(holder(org_a), "okta", [
        rec("u1", username="ada", email="ada@a.example", mfa="enabled"),
        rec("u2", username="bot", mfa="disabled"),
    ], T0)  # fmt: skip
    keys_only = rec("k1", username="deployer", mfa="disabled", attributes={"console_access": False})
    record_accounts(holder(org_a, "AWS"), "aws", [keys_only], T0)
    return {"ada": ada, **accounts(org_a)}


def test_list_get_filter_and_coverage(graph, alice_api, bob_api):
    page = send(bob_api, "get", "/accounts?linked=no&system=okta").json()
    assert page["count"] == 1 and page["items"][0]["username"] == "bot"
    got = send(bob_api, "get", f"/accounts/{graph['u1'].pk}").json()
    assert got["person_email"] == "ada@a.example" and got["link_method"] == "email"
    coverage = send(bob_api, "get", "/accounts/mfa-coverage").json()
    assert (coverage["total"], coverage["enabled"], coverage["percent"]) == (2, 1, 50.0)
    assert [a["username"] for a in coverage["exceptions"]] == ["bot"]
    assert send(bob_api, "get", "/accounts?linked=maybe").status_code == 422


def test_link_service_and_aliases(org_a, graph, alice_api, bob_api, charlie_api):
    u2, ada = graph["u2"], graph["ada"]
    assert (
        send(bob_api, "post", f"/accounts/{u2.pk}/link", {"person_id": ada.pk}).status_code == 403
    )
    assert (
        send(charlie_api, "post", f"/accounts/{u2.pk}/link", {"person_id": ada.pk}).status_code
        == 404
    )
    assert send(charlie_api, "get", f"/accounts/{u2.pk}").status_code == 404
    linked = send(alice_api, "post", f"/accounts/{u2.pk}/link", {"person_id": ada.pk})
    assert linked.status_code == 200 and linked.json()["link_method"] == "manual"
    assert send(alice_api, "post", f"/accounts/{u2.pk}/unlink").json()["person_id"] is None
    bad = send(alice_api, "post", f"/accounts/{u2.pk}/service", {"owner_id": 99999})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "owner_id"
    marked = send(
        alice_api, "post", f"/accounts/{u2.pk}/service", {"owner_id": ada.pk, "note": "ci"}
    )
    assert marked.json()["is_service"] and marked.json()["service_owner_id"] == ada.pk
    assert send(alice_api, "delete", f"/accounts/{u2.pk}/service").json()["is_service"] is False
    assert send(alice_api, "delete", f"/accounts/{u2.pk}/service").status_code == 409

    added = send(alice_api, "post", "/aliases", {"person_id": ada.pk, "alias": "BOT"})
    assert added.status_code == 201 and added.json()["alias"] == "bot"
    assert accounts(org_a)["u2"].person_id == ada.pk
    assert (
        send(alice_api, "post", "/aliases", {"person_id": ada.pk, "alias": "bot"}).status_code
        == 409
    )
    assert send(bob_api, "get", f"/aliases?person_id={ada.pk}").json()[0]["alias"] == "bot"
    assert send(charlie_api, "delete", f"/aliases/{added.json()['id']}").status_code == 404
    assert send(alice_api, "delete", f"/aliases/{added.json()['id']}").status_code == 204


def test_import_and_windows(org_a, alice_api, bob_api):
    bad = alice_api.post(API + "/accounts/import", {"file": SimpleUploadedFile(
        "u.csv", b"system,username\njira,\n")})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["problems"][0]["line"] == 2
    assert count_accounts(org_a) == 0 and actions(org_a) == []
    missing = alice_api.post(API + "/accounts/import")
    assert missing.status_code == 400
    good = alice_api.post(API + "/accounts/import", {"file": SimpleUploadedFile(
        "u.csv", b"system,username,mfa\njira,ada,yes\n")})  # fmt: skip
    assert good.status_code == 200 and good.json()["systems"]["jira"]["created"] == 1
    assert bob_api.post(API + "/accounts/import").status_code == 403

    assert send(bob_api, "get", "/identity/settings").json()["revocation_business_days"] == 1
    assert (
        send(
            bob_api,
            "put",
            "/identity/settings",
            {"revocation_business_days": 2, "onboarding_days": 10},
        ).status_code
        == 403
    )
    changed = send(alice_api, "put", "/identity/settings", {"revocation_business_days": 2,
                                                            "onboarding_days": 10})  # fmt: skip
    assert changed.json() == {"revocation_business_days": 2, "onboarding_days": 10}
    assert (
        send(
            alice_api,
            "put",
            "/identity/settings",
            {"revocation_business_days": 99, "onboarding_days": 10},
        ).status_code
        == 422
    )
