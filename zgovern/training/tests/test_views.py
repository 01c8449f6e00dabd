"""The training pages with alice (owner), bob (auditor, read-only), charlie (another
organisation) and an employee."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from conftest import make_user
from zgovern.people.models import TrainingCompletion
from zgovern.tenancy.models import Membership
from zgovern.training.models import Course
from zgovern.training.tests.conftest import add_person, adopt


def url(org, path: str = "") -> str:
    return f"/o/{org.slug}/training/{path}"


def test_owner_adopts_edits_and_sees_who_is_due(org_a, alice_client):
    assert alice_client.get(url(org_a)).status_code == 200
    response = alice_client.post(url(org_a, "adopt/"), {"key": "all"})
    assert response.status_code == 302
    with scopes_disabled():
        course = Course.objects.get(organization=org_a, key="security-awareness")
        assert Course.objects.filter(organization=org_a).count() >= 6
    add_person(org_a, "late@a.example", full_name="Lena Late", start_date=date(2020, 1, 1))
    page = alice_client.get(url(org_a, f"{course.pk}/"))
    assert b"Lena Late" in page.content and b"Overdue" in page.content
    bad = alice_client.post(url(org_a, f"{course.pk}/edit/"), {
        "title": "x", "audience": "departments", "departments": "", "cadence": "yearly",
        "due_days": 10,
    })  # fmt: skip
    assert bad.status_code == 400 and b"Name at least one department" in bad.content
    good = alice_client.post(url(org_a, f"{course.pk}/edit/"), {
        "title": "Awareness", "audience": "everyone", "cadence": "yearly", "due_days": 10,
        "active": "on",
    })  # fmt: skip
    assert good.status_code == 302
    with scopes_disabled():
        assert Course.objects.get(pk=course.pk).due_days == 10


def test_status_page_and_exports(org_a, alice_client, bob_client):
    adopt(org_a)
    add_person(org_a, "eve@a.example", full_name="=cmd|' /C calc'!A0", start_date=date(2020, 1, 1))
    assert b"calc" in bob_client.get(url(org_a, "status/")).content
    exported = bob_client.get(url(org_a, "export/?status=overdue"))
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["person", "work_email", "department", "course_key", "course", "status"]
    assert rows[1][0].startswith("'=") and rows[1][5] == "overdue"
    xlsx = bob_client.get(url(org_a, "export/?format=xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(2, 6).value == "overdue"
    assert bob_client.get(url(org_a, "status/?status=bogus")).status_code == 400


def test_import_page_shows_every_problem_and_imports_nothing(org_a, alice_client):
    adopt(org_a)
    add_person(org_a, "ada@a.example")
    bad = (
        b"email,course,completed_on\nada@a.example,security-awareness,2026-01-05\n"
        b"zed@x.example,nope,x\n"
    )
    response = alice_client.post(url(org_a, "import/"), {"file": SimpleUploadedFile("a.csv", bad)})
    assert response.status_code == 400
    assert (
        b"is not on the roster" in response.content and b"not an adopted course" in response.content
    )
    with scopes_disabled():
        assert TrainingCompletion.objects.filter(organization=org_a).count() == 0
    good = b"email,course,completed_on\nada@a.example,security-awareness,2026-01-05\n"
    response = alice_client.post(url(org_a, "import/"), {"file": SimpleUploadedFile("a.csv", good)})
    assert response.status_code == 200 and b"recorded" in response.content
    with scopes_disabled():
        assert TrainingCompletion.objects.filter(organization=org_a).count() == 1


def test_readers_cannot_write_outsiders_and_employees_cannot_enter(
    org_a, bob_client, charlie_client, client
):
    course = adopt(org_a)
    assert bob_client.post(url(org_a, "adopt/"), {"key": "all"}).status_code == 403
    assert bob_client.post(url(org_a, f"{course.pk}/edit/"), {}).status_code == 403
    assert bob_client.get(url(org_a, f"{course.pk}/edit/")).status_code == 302
    assert charlie_client.get(url(org_a)).status_code == 404
    assert charlie_client.get(url(org_a, f"{course.pk}/")).status_code == 404
    employee = make_user("emma@a.example")
    with scopes_disabled():
        Membership.objects.create(organization=org_a, user=employee, role="employee")
    client.force_login(employee)
    for path in ("", f"{course.pk}/", "status/", "export/", "import/"):
        assert client.get(url(org_a, path)).status_code == 403, path
