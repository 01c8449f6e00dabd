"""The training REST API with alice (read-write), bob (read-only) and charlie (another
organisation)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.people.models import TrainingCompletion
from zgovern.tenancy.models import ActivityLog
from zgovern.training.models import Course
from zgovern.training.tests.conftest import add_person, adopt, complete

API = "/api/v1/training"


def send(client, method: str, path: str, body=None):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(API + path, data=data, content_type="application/json")


def test_adopt_list_read_and_change_a_course(org_a, alice_api, bob_api):
    created = send(alice_api, "post", "/courses", {"key": "secure-development"})
    assert created.status_code == 201, created.content
    course = created.json()
    assert course["departments"] == ["Engineering"] and course["due_days"] == 30
    assert send(alice_api, "post", "/courses", {"key": "secure-development"}).status_code == 409
    unknown = send(alice_api, "post", "/courses", {"key": "juggling"})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "key"
    library = {c["key"]: c["adopted"] for c in send(bob_api, "get", "/library").json()}
    assert library["secure-development"] and not library["security-awareness"]
    assert [c["key"] for c in send(bob_api, "get", "/courses").json()] == ["secure-development"]
    path = f"/courses/{course['id']}"
    patched = send(alice_api, "patch", path, {"due_days": 14, "departments": ["Eng", "IT"]})
    assert patched.status_code == 200
    assert (patched.json()["due_days"], patched.json()["departments"]) == (14, ["Eng", "IT"])
    bad = send(alice_api, "patch", path, {"audience": "departments", "departments": []})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "departments"
    assert send(alice_api, "patch", path, {"due_days": 0}).status_code == 422
    with scopes_disabled():
        assert Course.objects.get(pk=course["id"]).due_days == 14
        logged = ActivityLog.objects.filter(organization=org_a, action__startswith="training.")
        assert list(logged.order_by("seq").values_list("action", flat=True)) == [
            "training.course_adopted", "training.course_updated",
        ]  # fmt: skip


def test_standings_filter_by_status_and_course(org_a, alice_api):
    course = adopt(org_a)
    today = timezone.localdate()
    late = add_person(org_a, "late@a.example", full_name="Late", start_date=date(2020, 1, 1))
    add_person(org_a, "new@a.example", full_name="New", start_date=today - timedelta(days=3))
    done = add_person(org_a, "done@a.example", full_name="Done", start_date=date(2020, 1, 1))
    complete(org_a, done, "security-awareness", today - timedelta(days=10))
    body = send(alice_api, "get", "/standings").json()
    assert body["counts"] == {"done": 1, "due": 1, "overdue": 1}
    assert [(i["person"]["full_name"], i["status"]) for i in body["items"]] == [
        ("Done", "done"), ("Late", "overdue"), ("New", "due"),
    ]  # fmt: skip
    overdue = send(alice_api, "get", f"/standings?status=overdue&course_id={course.pk}").json()
    assert overdue["count"] == 1 and overdue["items"][0]["person"]["id"] == late.pk
    assert overdue["items"][0]["due_on"] == "2020-01-31"
    assert send(alice_api, "get", "/standings?status=late").status_code == 422


def test_import_over_the_api(org_a, alice_api, bob_api):
    adopt(org_a)
    add_person(org_a, "ada@a.example")
    good = b"email,course,completed_on\nada@a.example,security-awareness,2026-01-05\n"
    bad = b"email,course,completed_on\nzed@a.example,security-awareness,2026-01-05\n"
    refused = alice_api.post(
        API + "/completions/import", {"file": SimpleUploadedFile("x.csv", bad)}
    )
    assert refused.status_code == 400
    assert refused.json()["problems"] == [
        {"line": 2, "column": "email", "message": "'zed@a.example' is not on the roster"}
    ]
    missing = alice_api.post(API + "/completions/import")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
    ok = alice_api.post(API + "/completions/import", {"file": SimpleUploadedFile("x.csv", good)})
    assert ok.json() == {"imported": 1, "already_recorded": 0}
    again = bob_api.post(API + "/completions/import", {"file": SimpleUploadedFile("x.csv", good)})
    assert again.status_code == 403
    with scopes_disabled():
        assert TrainingCompletion.objects.filter(organization=org_a).count() == 1


def test_bob_reads_but_cannot_write_and_charlie_sees_nothing(org_a, bob_api, charlie_api):
    course = adopt(org_a)
    assert send(bob_api, "get", f"/courses/{course.pk}").status_code == 200
    assert send(bob_api, "post", "/courses", {"key": "code-of-conduct"}).status_code == 403
    assert send(bob_api, "patch", f"/courses/{course.pk}", {"due_days": 5}).status_code == 403
    assert send(charlie_api, "get", f"/courses/{course.pk}").status_code == 404
    assert send(charlie_api, "patch", f"/courses/{course.pk}", {"due_days": 5}).status_code == 404
    assert send(charlie_api, "get", "/courses").json() == []
    assert send(charlie_api, "get", f"/standings?course_id={course.pk}").status_code == 404


def test_the_api_choices_match_the_models():
    from typing import get_args

    from zgovern.training import schemas
    from zgovern.training.models import Audience, Cadence

    assert list(get_args(schemas.CourseAudience)) == Audience.values
    assert list(get_args(schemas.CourseCadence)) == Cadence.values
