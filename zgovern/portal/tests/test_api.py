"""The portal API: the caller's own tasks and training completion."""

from __future__ import annotations

import json

from django_scopes import scopes_disabled

from zgovern.people.models import TrainingCompletion
from zgovern.portal.tests.conftest import version_of
from zgovern.tenancy.tests.conftest import api_client, issue_token

API = "/api/v1/portal"


def post(client, path: str, body=None):
    return client.post(API + path, data=json.dumps(body or {}), content_type="application/json")


def test_my_tasks_are_mine_only(org_a, cast, eric_api):
    body = eric_api.get(API + "/tasks").json()
    assert body["person"]["work_email"] == "eric@a.example"
    assert [p["title"] for p in body["policies"]] == ["Acceptable Use Policy"]
    version = version_of(cast.everyone)
    assert body["policies"][0]["acknowledge_path"] == (
        f"/api/v1/policies/versions/{version.pk}/acknowledge"
    )
    assert [t["key"] for t in body["training"]] == ["security-awareness"]
    assert body["onboarding"][0]["status"] == "not_started"
    assert body["open_count"] == 3
    acked = eric_api.post(body["policies"][0]["acknowledge_path"])
    assert acked.status_code == 201
    assert eric_api.get(API + "/tasks").json()["policies"][0]["state"] == "acknowledged"


def test_completing_my_course_and_refusals(org_a, cast, eric_api, bob_api):
    done = post(eric_api, f"/training/{cast.course.pk}/complete", {})
    assert done.status_code == 201 and done.json()["course_key"] == "security-awareness"
    assert post(eric_api, f"/training/{cast.course.pk}/complete").status_code == 409
    other = post(eric_api, f"/training/{cast.sales_course.pk}/complete")
    assert other.status_code == 403 and "not assigned to you" in other.json()["detail"]
    bad = post(eric_api, f"/training/{cast.course.pk}/complete", {"person_id": cast.pia.pk})
    assert bad.status_code == 422  # there is no way to name someone else
    assert post(bob_api, f"/training/{cast.course.pk}/complete").status_code == 403
    with scopes_disabled():
        assert TrainingCompletion.objects.filter(organization=org_a).count() == 1


def test_not_on_the_roster_and_outsiders(org_a, org_b, charlie, cast, bob_api):
    assert bob_api.get(API + "/tasks").json() == {
        "person": None, "open_count": 0, "policies": [], "training": [], "onboarding": [],
    }  # fmt: skip
    charlie_api = api_client(issue_token(org_b, charlie, read_only=False, name="c"))
    assert post(charlie_api, f"/training/{cast.course.pk}/complete").status_code == 404
    assert charlie_api.get(API + "/tasks").json()["person"] is None
    assert api_client("nonsense").get(API + "/tasks").status_code == 401
