"""The people pages with alice (owner), bob (read-only auditor) and charlie (outsider)."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from zgovern.people.models import Person
from zgovern.people.tests.conftest import GOOD_CSV, actions, add_person, count_people, csv_bytes


def url(org, path: str = "") -> str:
    return f"/o/{org.slug}/people/{path}"


def upload(client, org, data: bytes, name: str = "roster.csv"):
    return client.post(url(org, "import/"), {"file": SimpleUploadedFile(name, data)})


def test_list_filters_and_search(org_a, alice_client, bob_client):
    add_person(org_a, "ann@a.example", full_name="Ann Alpha", department="Sales")
    add_person(org_a, "cat@a.example", full_name="Cat Contractor", employment_type="contractor")
    add_person(
        org_a, "lea@a.example", full_name="Lea Leaver", end_date=date(2023, 1, 31),
        start_date=date(2020, 1, 1),
    )  # fmt: skip
    for client in (alice_client, bob_client):
        page = client.get(url(org_a)).content.decode()
        assert "Ann Alpha" in page and "Cat Contractor" in page and "Lea Leaver" in page
    cases = {
        "?employment_type=contractor": ["Cat Contractor"],
        "?status=terminated": ["Lea Leaver"],
        "?status=active": ["Ann Alpha", "Cat Contractor"],
        "?department=sales": ["Ann Alpha"],
        "?q=cat%40a": ["Cat Contractor"],
    }
    for query, names in cases.items():
        page = alice_client.get(url(org_a) + query).content.decode()
        shown = [n for n in ("Ann Alpha", "Cat Contractor", "Lea Leaver") if n in page]
        assert shown == names, query
    assert alice_client.get(url(org_a) + "?status=bogus").status_code == 400


def test_list_of_5000_people_is_paginated_in_few_queries(
    org_a, alice_client, django_assert_max_num_queries
):
    with scopes_disabled():
        Person.objects.bulk_create(
            Person(organization=org_a, full_name=f"Person {i:05d}", work_email=f"p{i}@a.example",
                   employment_type="employee", start_date=date(2022, 1, 1), source="csv")
            for i in range(5000)
        )  # fmt: skip
    with django_assert_max_num_queries(15):
        response = alice_client.get(url(org_a) + "?page=100")
    assert response.status_code == 200
    assert "Person 04950" in response.content.decode()
    assert "Page 100 of 100" in response.content.decode()


def test_person_page_shows_manager_reports_checks_and_training(org_a, alice_client, bob_client):
    boss = add_person(org_a, "boss@a.example", full_name="Bea Boss")
    worker = add_person(
        org_a, "w@a.example", full_name="Will Worker", manager_email="boss@a.example"
    )
    alice_client.post(
        url(org_a, f"{worker.pk}/background-checks/new/"),
        {"status": "clear", "completed_on": "2024-01-02", "provider": "Checkr"},
    )
    alice_client.post(url(org_a, f"{worker.pk}/training/new/"), {"course_key": "sec-101"})
    page = bob_client.get(url(org_a, f"{worker.pk}/")).content.decode()
    assert "Bea Boss" in page and "Checkr" in page and "sec-101" in page
    assert "Will Worker" in bob_client.get(url(org_a, f"{boss.pk}/")).content.decode()


def test_add_and_edit_person(org_a, alice_client):
    data = {
        "full_name": "New Hire", "work_email": "New@A.example", "employment_type": "intern",
        "start_date": "2025-01-06",
    }  # fmt: skip
    response = alice_client.post(url(org_a, "new/"), data)
    assert response.status_code == 302
    with scopes_disabled():
        person = Person.objects.get(organization=org_a)
    assert person.work_email == "new@a.example"
    again = alice_client.post(url(org_a, "new/"), {**data, "work_email": "new@a.example"})
    assert again.status_code == 409
    assert "already on the roster" in again.content.decode()
    bad = alice_client.post(url(org_a, f"{person.pk}/edit/"), {**data, "end_date": "2024-01-01"})
    assert bad.status_code == 400 and "before the start date" in bad.content.decode()
    ok = alice_client.post(url(org_a, f"{person.pk}/edit/"), {**data, "department": "Ops"})
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.department == "Ops"
    assert actions(org_a) == ["person.created", "person.updated"]


def test_forms_refuse_bad_input_with_the_field_named(org_a, alice_client):
    person = add_person(org_a)
    check = alice_client.post(
        url(org_a, f"{person.pk}/background-checks/new/"), {"status": "clear"}
    )
    assert check.status_code == 400 and "When was the check completed?" in check.content.decode()
    future = alice_client.post(
        url(org_a, f"{person.pk}/training/new/"), {"course_key": "x", "completed_on": "2999-01-01"}
    )
    assert future.status_code == 400 and "in the future" in future.content.decode()


def test_upload_page_documents_columns_and_imports(org_a, alice_client):
    page = alice_client.get(url(org_a, "import/")).content.decode()
    for column in ("work_email", "full_name", "employment_type", "manager_email", "external_id"):
        assert f"<code>{column}</code>" in page
    response = upload(alice_client, org_a, GOOD_CSV)
    assert response.status_code == 200
    assert "<strong>3</strong> added" in response.content.decode()
    assert count_people(org_a) == 3
    again = upload(alice_client, org_a, GOOD_CSV).content.decode()
    assert "<strong>3</strong> unchanged" in again


def test_bad_upload_answers_400_with_every_problem(org_a, alice_client):
    data = csv_bytes(
        "ada@a.example,Ada,employee,,,2021-03-01,2020-01-01,",
        "ada@a.example,Ada,employee,,,2021-03-01,,",
    )
    response = upload(alice_client, org_a, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "The roster has 2 problems; nothing was imported." in body
    assert "2020-01-01 is before the start date 2021-03-01" in body
    assert "duplicate of line 2" in body
    assert count_people(org_a) == 0
    assert alice_client.post(url(org_a, "import/")).status_code == 400


def test_reader_sees_pages_but_cannot_write(org_a, bob_client):
    person = add_person(org_a)
    for path in ("", f"{person.pk}/"):
        assert bob_client.get(url(org_a, path)).status_code == 200
    for path in ("new/", "import/", f"{person.pk}/edit/", f"{person.pk}/training/new/"):
        assert bob_client.get(url(org_a, path)).status_code == 302
        assert bob_client.post(url(org_a, path), {}).status_code == 403
    assert upload(bob_client, org_a, GOOD_CSV).status_code == 403
    assert count_people(org_a) == 1


def test_outsider_gets_404(org_a, charlie_client):
    person = add_person(org_a)
    for path in ("", f"{person.pk}/", "import/", f"{person.pk}/edit/"):
        assert charlie_client.get(url(org_a, path)).status_code == 404
    assert upload(charlie_client, org_a, GOOD_CSV).status_code == 404
    assert count_people(org_a) == 1


def test_navigation_points_at_the_roster(org_a, alice_client):
    page = alice_client.get(f"/o/{org_a.slug}/").content.decode()
    assert f'href="/o/{org_a.slug}/people/"' in page
