"""``zgovern.people.hr.sync_people``: the roster rules applied to HR records."""

from __future__ import annotations

from datetime import date

from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.people import services as people
from zgovern.people.hr import HrPerson, sync_people
from zgovern.people.models import Person
from zgovern.tenancy.scoping import organization_scope

ACTOR = Actor.system("tests")


def hr(email: str, **fields) -> HrPerson:
    values = {
        "external_id": email.split("@")[0], "work_email": email, "full_name": email.title(),
        "employment_type": "employee", "start_date": date(2024, 1, 8),
    }  # fmt: skip
    values.update(fields)
    return HrPerson(**values)


def test_a_person_entered_by_hand_is_updated_and_stays_on_leave(org_a):
    with organization_scope(org_a):
        pat = people.create_person(
            org_a, ACTOR, full_name="Pat", work_email="pat@a.example", employment_type="employee",
            start_date=date(2024, 1, 8), status="on_leave",
        )  # fmt: skip
        report = sync_people(org_a, ACTOR, [hr("PAT@a.example", full_name="Pat Doe")])
    assert (report.updated, report.problems) == (1, [])
    with scopes_disabled():
        stored = Person.objects.get(pk=pat.pk)
    assert (stored.full_name, stored.status, stored.source) == ("Pat Doe", "on_leave", "manual")


def test_an_unknown_employment_type_is_refused_and_the_rest_applied(org_a):
    with organization_scope(org_a):
        report = sync_people(org_a, ACTOR, [
            hr("a@a.example", employment_type="freelancer"), hr("b@a.example"),
        ])  # fmt: skip
    assert report.created == 1
    [(who, why)] = report.problems
    assert who == "a@a.example (HR id a)" and why.startswith("employment_type: Choose one of")
    with scopes_disabled():
        assert list(
            Person.objects.filter(organization=org_a).values_list("work_email", flat=True)
        ) == ["b@a.example"]


def test_managers_are_set_whatever_the_order_of_the_records(org_a):
    with organization_scope(org_a):
        sync_people(org_a, ACTOR, [
            hr("report@a.example", manager_email="boss@a.example"), hr("boss@a.example"),
        ])  # fmt: skip
        again = sync_people(org_a, ACTOR, [
            hr("report@a.example", manager_email="boss@a.example"), hr("boss@a.example"),
        ])  # fmt: skip
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    with scopes_disabled():
        report = Person.objects.select_related("manager").get(work_email="report@a.example")
    assert report.manager.work_email == "boss@a.example"


def test_a_loop_of_managers_is_reported_and_cut(org_a):
    with organization_scope(org_a):
        report = sync_people(org_a, ACTOR, [
            hr("a@a.example", manager_email="b@a.example"),
            hr("b@a.example", manager_email="a@a.example"),
        ])  # fmt: skip
    assert report.created == 2
    [(_, why)] = report.problems
    assert why == "manager_email: That would make a loop of managers."
