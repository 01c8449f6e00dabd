"""BambooHR through zGovern's services: settings, "Test connection", and runs from the
runner into the roster — bad records reported and skipped, a re-run changing nothing, a
failed run leaving the roster alone, and accounts relinked to the people it adds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django_scopes import scopes_disabled

from zgovern.core.errors import DomainError
from zgovern.identity.models import Account
from zgovern.identity.records import AccountRecord
from zgovern.identity.services import record_accounts
from zgovern.integrations import services as integrations
from zgovern.integrations.hr.client import ACCESS
from zgovern.integrations.hr.tests.conftest import SYSTEM
from zgovern.integrations.hr.tests.replay import CREDENTIALS
from zgovern.integrations.models import Integration
from zgovern.monitoring import runner
from zgovern.monitoring.models import RunStatus, RunTrigger
from zgovern.people.models import Person
from zgovern.tenancy.models import ActivityLog


def roster(org) -> dict[str, Person]:
    with scopes_disabled():
        people = Person.objects.filter(organization=org).select_related("manager")
        return {p.work_email: p for p in people}


def synced_rows(org) -> list[ActivityLog]:
    with scopes_disabled():
        return list(ActivityLog.objects.filter(organization=org, action="person.hr_synced"))


def people_log(org) -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action__startswith="person.")
        return list(rows.order_by("seq").values_list("action", flat=True))


@pytest.mark.parametrize(
    ("config", "credentials"),
    [
        ({"company_domain": "acme corp"}, CREDENTIALS),
        ({"company_domain": "acme", "extra": 1}, CREDENTIALS),
        ({"company_domain": "acme"}, {"api_key": "short"}),
        ({"company_domain": "acme"}, {"api_key": "k" * 20 + "!@#$"}),
    ],
)
def test_bad_settings_are_refused(org_a, config, credentials):
    with pytest.raises(DomainError):
        integrations.create_integration(
            org_a, SYSTEM, provider="hr", name="HR", config=config, credentials=credentials
        )


def test_the_company_address_may_be_pasted_whole(org_a):
    integration = integrations.create_integration(
        org_a, SYSTEM, provider="hr", name="HR",
        config={"company_domain": "https://Acme.bamboohr.com/home"}, credentials=CREDENTIALS,
    )  # fmt: skip
    assert integration.config == {"company_domain": "acme"}


def test_connection_counts_the_employees(org_a, bamboo, world):
    report = integrations.test_connection(org_a, SYSTEM, bamboo.pk)
    assert report.ok and report.checks[0][2] == "8 employees"


def test_connection_names_the_access_a_refused_key_needs(org_a, bamboo, world):
    world.deny(403)
    report = integrations.test_connection(org_a, SYSTEM, bamboo.pk)
    assert not report.ok and report.missing_permissions == (ACCESS,)


def test_a_run_fills_the_roster_reporting_the_records_it_cannot_take(org_a, bamboo, world):
    # An Okta account waiting for its person: linked once the HR sync adds her.
    record_accounts(bamboo, "okta", [AccountRecord("u1", "ben", email="ben@acme.example")],
                    datetime(2026, 11, 1, tzinfo=UTC))  # fmt: skip
    run = runner.run_integration(bamboo.pk, RunTrigger.CLI)
    assert run.status == RunStatus.SUCCEEDED, run.errors

    people = roster(org_a)
    assert set(people) == {
        "ann@acme.example", "ben@acme.example", "carl@acme.example", "ivy@acme.example",
    }  # fmt: skip
    ann, ben, carl, ivy = (people[f"{n}@acme.example"] for n in ("ann", "ben", "carl", "ivy"))
    assert (ann.source, ann.external_id, ann.department) == ("hr", "101", "Engineering")
    assert (ben.employment_type, ben.manager_id) == ("contractor", ann.pk)
    assert (carl.status, carl.end_date, carl.employment_type) == (
        "terminated", date(2026, 9, 1), "employee",
    )  # fmt: skip
    assert ivy.manager_id is None  # the manager is not on the roster: reported instead

    [summary] = synced_rows(org_a)
    assert summary.changes["created"] == 4
    problems = "\n".join(summary.changes["problem_list"])
    assert "Gus (HR id 105): no work email" in problems
    assert "dora@acme.example (HR id 104): end_date: A terminated person needs an end date." in (
        problems
    )
    assert "jo@acme.example (HR id 107): end_date: The end date is before the start date." in (
        problems
    )
    assert "ann@acme.example (HR id 108): ann@acme.example is also the email of" in problems
    assert "ivy@acme.example (HR id 106): manager_email: boss@elsewhere.example is not on" in (
        problems
    )
    with scopes_disabled():
        assert Account.objects.get(organization=org_a, external_id="u1").person_id == ben.pk

    # The same data again: nothing changes, nothing new is logged about people.
    logged = people_log(org_a)
    again = runner.run_integration(bamboo.pk, RunTrigger.CLI)
    assert again.status == RunStatus.SUCCEEDED
    # Only the summary naming the same refused records again.
    assert people_log(org_a) == [*logged, "person.hr_synced"]
    assert roster(org_a).keys() == people.keys()


def test_a_change_in_bamboohr_updates_the_person(org_a, bamboo, world):
    runner.run_integration(bamboo.pk, RunTrigger.CLI)
    ben = next(e for e in world.report["employees"] if e["id"] == "102")
    ben.update(status="Inactive", terminationDate="2026-11-20", department="Design")
    runner.run_integration(bamboo.pk, RunTrigger.CLI)
    stored = roster(org_a)["ben@acme.example"]
    assert (stored.status, stored.end_date, stored.department) == (
        "terminated", date(2026, 11, 20), "Design",
    )  # fmt: skip


def test_a_failed_report_leaves_the_roster_as_it_was(org_a, bamboo, world):
    runner.run_integration(bamboo.pk, RunTrigger.CLI)
    before = {email: p.updated_at for email, p in roster(org_a).items()}
    world.deny(401)
    run = runner.run_integration(bamboo.pk, RunTrigger.CLI)
    assert run.status == RunStatus.FAILED
    assert {e["permission"] for e in run.errors if e["scope"] == "employees"} == {ACCESS}
    assert {email: p.updated_at for email, p in roster(org_a).items()} == before


def test_the_add_page_takes_the_settings(org_a, alice_client):
    page = alice_client.get(f"/o/{org_a.slug}/monitoring/integrations/new/?provider=hr")
    assert page.status_code == 200
    assert 'type="password" name="credentials__api_key"' in page.content.decode()
    response = alice_client.post(f"/o/{org_a.slug}/monitoring/integrations/new/", {
        "provider": "hr", "name": "BambooHR", "interval_hours": "24",
        "config__company_domain": "acme", "credentials__api_key": CREDENTIALS["api_key"],
    })  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        assert Integration.objects.get(organization=org_a, provider="hr").config == {
            "company_domain": "acme"
        }
