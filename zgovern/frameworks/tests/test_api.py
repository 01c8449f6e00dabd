"""The frameworks REST API with alice (owner, read-write token), bob (auditor, read-only
token) and charlie (owner of another organisation)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlStatus
from zgovern.frameworks import services
from zgovern.frameworks.models import Criterion, Framework, SystemDescription
from zgovern.frameworks.tests.conftest import (
    BROKEN,
    CUSTOM,
    SYSTEM,
    actions,
    category,
    criterion,
)
from zgovern.tenancy.scoping import organization_scope

API = "/api/v1"


def send(client, method: str, path: str, body=None):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(API + path, data=data, content_type="application/json")


def _count(model, org) -> int:
    with scopes_disabled():
        return model.objects.filter(organization=org).count()


# -- frameworks -----------------------------------------------------------------------


def test_library_lists_builtins_and_what_is_adopted(org_a, soc2, alice_api, bob_api):
    for client in (alice_api, bob_api):
        response = send(client, "get", "/frameworks/library")
        assert response.status_code == 200
        by_key = {f["key"]: f for f in response.json()}
        assert set(by_key) == {"soc2", "iso27001"}
        assert by_key["soc2"]["adopted"] and not by_key["iso27001"]["adopted"]
        assert by_key["soc2"]["criteria"] == 61
        assert {"key": "security", "name": "Security", "always_in_scope": True} in by_key["soc2"][
            "categories"
        ]


def test_adopt_with_default_controls(org_a, alice_api):
    response = send(alice_api, "post", "/frameworks", {"key": "soc2"})
    assert response.status_code == 201
    body = response.json()
    assert body["controls_created"] == _count(Control, org_a) > 50
    framework = body["framework"]
    assert framework["key"] == "soc2" and framework["categories_in_scope"] == ["security"]
    assert framework["criteria_in_scope"] == 33 and framework["score"] == 0
    listed = send(alice_api, "get", "/frameworks").json()
    assert [f["id"] for f in listed] == [framework["id"]]


def test_adopt_without_controls_then_conflict(org_a, alice_api):
    response = send(
        alice_api, "post", "/frameworks", {"key": "iso27001", "with_default_controls": False}
    )
    assert response.status_code == 201 and response.json()["controls_created"] == 0
    assert _count(Control, org_a) == 0
    again = send(alice_api, "post", "/frameworks", {"key": "iso27001"})
    assert again.status_code == 409
    assert again.json()["errors"] == [{"field": "framework", "message": again.json()["detail"]}]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"key": "pci"}, 404, None),
        ({"key": "SOC 2"}, 422, "key"),
        ({"key": "soc2", "extra": 1}, 422, "extra"),
        ({"key": "soc2", "with_default_controls": "yes"}, 422, "with_default_controls"),
        ({}, 422, "key"),
    ],
)
def test_adopt_refuses_bad_input(org_a, alice_api, body, status, field):
    response = send(alice_api, "post", "/frameworks", body)
    assert response.status_code == status
    if field:
        assert field in [e["field"] for e in response.json()["errors"]]
    assert _count(Framework, org_a) == 0


def test_custom_upload(org_a, alice_api):
    upload = SimpleUploadedFile("acme.yaml", CUSTOM.encode())
    response = alice_api.post(API + "/frameworks/custom", {"file": upload})
    assert response.status_code == 201
    body = response.json()
    assert body["key"] == "acme-sec" and body["is_custom"]
    assert body["categories_in_scope"] == ["core"] and body["criteria_in_scope"] == 2
    assert actions(org_a)[-1] == "framework.adopted"


def test_bad_custom_upload_names_each_problem_and_stores_nothing(org_a, alice_api):
    upload = SimpleUploadedFile("broken.yaml", BROKEN.encode())
    response = alice_api.post(API + "/frameworks/custom", {"file": upload})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The file has 2 problems; nothing was stored."
    assert body["errors"] == [
        {
            "field": "file.nodes[0].children[1].id",
            "message": "line 13: duplicate id 'AC-1' (first defined on line 11)",
        },
        {"field": "file.nodes[1].parent", "message": "line 17: unknown parent 'NOPE'"},
    ]
    assert _count(Framework, org_a) == _count(Criterion, org_a) == 0


def test_custom_upload_without_file_or_with_builtin_id(org_a, alice_api):
    missing = alice_api.post(API + "/frameworks/custom", {})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
    builtin = SimpleUploadedFile("x.yaml", CUSTOM.replace("acme-sec", "soc2").encode())
    response = alice_api.post(API + "/frameworks/custom", {"file": builtin})
    assert response.status_code == 409
    assert _count(Framework, org_a) == 0


def test_framework_detail_has_categories_and_criteria_with_flags(org_a, soc2, bob_api):
    with organization_scope(org_a):
        services.set_criterion_applicability(
            org_a, SYSTEM, criterion(org_a, soc2, "CC6.4").pk,
            not_applicable=True, justification="AWS carve-out",
        )  # fmt: skip
    response = send(bob_api, "get", f"/frameworks/{soc2.pk}")
    assert response.status_code == 200
    body = response.json()
    cats = {c["key"]: c for c in body["categories"]}
    assert cats["security"]["in_scope"] and cats["security"]["scope_reason"] == "Always in scope."
    assert not cats["privacy"]["in_scope"]
    nodes = {c["ref"]: c for c in body["criteria"]}
    assert len(nodes) == 61 + 20  # criteria and their series (CC1-CC9, A1, C1, PI1, P1-P8)
    assert nodes["CC6"]["assessable"] is False and nodes["CC6"]["parent_id"] is None
    assert nodes["CC6.1"]["parent_id"] == nodes["CC6"]["id"] and nodes["CC6.1"]["in_scope"]
    assert nodes["CC6.4"]["not_applicable"] and not nodes["CC6.4"]["in_scope"]
    assert nodes["CC6.4"]["na_justification"] == "AWS carve-out"
    assert not nodes["A1.1"]["in_scope"]
    assert body["criteria_in_scope"] == 32


def test_readiness(org_a, soc2, alice_api):
    response = send(alice_api, "get", f"/frameworks/{soc2.pk}/readiness")
    assert response.status_code == 200
    body = response.json()
    assert body["framework_id"] == soc2.pk and body["score"] == 0
    assert [c["key"] for c in body["categories"]] == ["security"]
    assert set(body["controls_by_status"]) == {s.value for s in ControlStatus}
    assert body["controls_by_status"]["missing"] == len(body["gaps"]) > 0
    assert body["criteria_uncovered"] == []
    with scopes_disabled():
        ids = set(Control.objects.filter(organization=org_a).values_list("pk", flat=True))
    assert set(body["gaps"]) <= ids


def test_another_organisations_objects_are_404(org_a, soc2, charlie_api, soc2_b):
    cat = category(org_a, soc2, "availability")
    crit = criterion(org_a, soc2, "CC6.4")
    for path in (f"/frameworks/{soc2.pk}", f"/frameworks/{soc2.pk}/readiness"):
        assert send(charlie_api, "get", path).status_code == 404
    patched = send(charlie_api, "patch", f"/categories/{cat.pk}", {"in_scope": True, "reason": "x"})
    assert patched.status_code == 404
    marked = send(
        charlie_api, "patch", f"/criteria/{crit.pk}", {"not_applicable": True, "justification": "x"}
    )
    assert marked.status_code == 404
    assert not category(org_a, soc2, "availability").in_scope
    assert [f["id"] for f in send(charlie_api, "get", "/frameworks").json()] == [soc2_b.pk]


def test_read_only_token_reads_but_cannot_write(org_a, soc2, bob_api):
    assert send(bob_api, "get", "/frameworks").status_code == 200
    assert send(bob_api, "post", "/frameworks", {"key": "iso27001"}).status_code == 403
    cat = category(org_a, soc2, "availability")
    body = {"in_scope": True, "reason": "x"}
    assert send(bob_api, "patch", f"/categories/{cat.pk}", body).status_code == 403
    assert send(bob_api, "post", "/system-description", {"services": "x"}).status_code == 403
    upload = SimpleUploadedFile("acme.yaml", CUSTOM.encode())
    assert bob_api.post(API + "/frameworks/custom", {"file": upload}).status_code == 403
    assert _count(Framework, org_a) == 1 and _count(SystemDescription, org_a) == 0


@pytest.mark.parametrize("framework_id", ["0", "99999999999999999999", "x"])
def test_out_of_range_ids_are_refused(org_a, alice_api, framework_id):
    assert send(alice_api, "get", f"/frameworks/{framework_id}").status_code in (404, 422)


# -- scoping --------------------------------------------------------------------------


def test_scope_a_category(org_a, soc2, alice_api):
    cat = category(org_a, soc2, "availability")
    response = send(
        alice_api, "patch", f"/categories/{cat.pk}", {"in_scope": True, "reason": "SLA"}
    )
    assert response.status_code == 200
    assert response.json()["in_scope"] and response.json()["scope_reason"] == "SLA"
    readiness = send(alice_api, "get", f"/frameworks/{soc2.pk}/readiness").json()
    assert [c["key"] for c in readiness["categories"]] == ["security", "availability"]
    assert actions(org_a)[-1] == "framework.category_scoped"


@pytest.mark.parametrize(
    ("key", "body", "status", "field"),
    [
        ("availability", {"in_scope": True, "reason": ""}, 422, "reason"),
        ("availability", {"in_scope": True, "reason": "   "}, 400, "reason"),
        ("availability", {"in_scope": True}, 422, "reason"),
        ("availability", {"in_scope": True, "reason": "a\u0000b"}, 422, "reason"),
        ("availability", {"in_scope": 1, "reason": "x"}, 422, "in_scope"),
        ("security", {"in_scope": False, "reason": "no"}, 400, "in_scope"),
    ],
)
def test_scope_refusals_name_the_field(org_a, soc2, alice_api, key, body, status, field):
    cat = category(org_a, soc2, key)
    response = send(alice_api, "patch", f"/categories/{cat.pk}", body)
    assert response.status_code == status
    assert field in [e["field"] for e in response.json()["errors"]]
    assert category(org_a, soc2, key).in_scope == (key == "security")


def test_mark_a_criterion_not_applicable(org_a, soc2, alice_api):
    cc64 = criterion(org_a, soc2, "CC6.4")
    refused = send(alice_api, "patch", f"/criteria/{cc64.pk}", {"not_applicable": True})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "justification"
    response = send(
        alice_api,
        "patch",
        f"/criteria/{cc64.pk}",
        {"not_applicable": True, "justification": "AWS carve-out"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["not_applicable"] and not body["in_scope"]
    assert body["na_justification"] == "AWS carve-out"
    back = send(alice_api, "patch", f"/criteria/{cc64.pk}", {"not_applicable": False}).json()
    assert back["in_scope"] and back["na_justification"] == ""


def test_a_group_cannot_be_marked(org_a, soc2, alice_api):
    group = criterion(org_a, soc2, "CC6")
    body = {"not_applicable": True, "justification": "x"}
    assert send(alice_api, "patch", f"/criteria/{group.pk}", body).status_code == 404


# -- system description ---------------------------------------------------------------


def test_system_description_versions(org_a, alice, alice_api, bob_api):
    assert send(bob_api, "get", "/system-description").status_code == 404
    first = send(alice_api, "post", "/system-description", {"services": "Billing", "data": "x"})
    assert first.status_code == 201
    assert first.json()["version"] == 1 and first.json()["created_by"] == alice.email
    # Fields left out keep their text; "" clears one.
    second = send(alice_api, "post", "/system-description", {"services": "Billing v2", "data": ""})
    assert second.status_code == 201
    body = second.json()
    assert (body["version"], body["services"], body["data"]) == (2, "Billing v2", "")
    third = send(alice_api, "post", "/system-description", {"people": "42"}).json()
    assert third["services"] == "Billing v2" and third["people"] == "42"
    current = send(bob_api, "get", "/system-description").json()
    assert current["version"] == 3
    versions = send(bob_api, "get", "/system-description/versions").json()
    assert [v["version"] for v in versions] == [3, 2, 1]
    old = send(bob_api, "get", f"/system-description/versions/{versions[2]['id']}").json()
    assert old["services"] == "Billing" and old["data"] == "x"
    assert actions(org_a)[-3:] == ["system_description.saved"] * 3


@pytest.mark.parametrize(
    "body",
    [{"colour": "blue"}, {"data": "x" * 20_001}, {"people": 3}, {"people": "\u0000"}],
)
def test_system_description_refuses_bad_fields(org_a, alice_api, body):
    response = send(alice_api, "post", "/system-description", body)
    assert response.status_code == 422
    assert next(iter(body)) in [e["field"] for e in response.json()["errors"]]
    assert _count(SystemDescription, org_a) == 0


def test_another_organisations_version_is_404(org_a, org_b, alice_api):
    with organization_scope(org_b):
        theirs = services.save_system_description(org_b, SYSTEM, {"services": "B"})
    assert send(alice_api, "get", f"/system-description/versions/{theirs.pk}").status_code == 404
    assert send(alice_api, "get", "/system-description/versions").json() == []
