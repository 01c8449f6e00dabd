"""The records checks over real records: the collectors on each side of a boundary (a
vendor assessed 364 or 366 days ago, an incident exactly at its target), then whole runs
through the engine, with the evidence reaching the controls, and over the demo."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import ControlCheck, ControlEvidence
from zgovern.core.actor import Actor
from zgovern.frameworks import services as frameworks
from zgovern.identity import services as identity
from zgovern.identity.models import Account
from zgovern.incidents import services as incidents
from zgovern.integrations.base import Inventory
from zgovern.integrations.models import Integration
from zgovern.integrations.records import checks, collect
from zgovern.integrations.records.services import ensure_records_checks
from zgovern.monitoring.models import CheckInterval, RunStatus, RunTrigger
from zgovern.monitoring.runner import run_integration
from zgovern.people import services as people
from zgovern.people.models import Person
from zgovern.reviews import services as reviews
from zgovern.risks import services as risks
from zgovern.tenancy.scoping import organization_scope
from zgovern.vendors import services as vendors
from zgovern.vendors.tests.conftest import full_answers

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
USERS = (
    "system,username,email,display_name,status,privileged,last_login_at\n"
    "expenses,ann,ann@a.example,Ann,active,no,\n"
    "expenses,shared,,Shared login,active,no,\n"
    "expenses,svc-backup,,Backup job,active,yes,\n"
)
REVIEWED = (
    "system,username,email,display_name,status,privileged,last_login_at\n"
    "expenses,ann,ann@a.example,Ann,active,no,\n"
    "wiki,ann,ann@a.example,Ann,active,no,\n"
)


def _assessed(org, name: str, criticality: str, days_ago: int) -> None:
    vendor = vendors.create_vendor(org, SYSTEM, name=name, criticality=criticality)
    assessment = vendors.start_assessment(org, SYSTEM, vendor.pk)
    vendors.submit_answers(org, SYSTEM, assessment.pk, answers=full_answers(assessment))
    vendors.conclude(org, SYSTEM, assessment.pk, conclusion="acceptable",
                     assessed_at=timezone.now() - timedelta(days=days_ago))  # fmt: skip


def _open(org, check_id: str) -> dict[str, tuple[str, str]]:
    with scopes_disabled():
        rows = CheckInterval.objects.filter(
            organization=org, check_id=check_id, ended_at__isnull=True
        ).select_related("resource")
        return {r.resource.name: (r.status, r.reason) for r in rows}


def _statuses(org, check_id: str) -> dict[str, str]:
    return {name: status for name, (status, _) in _open(org, check_id).items()}


def test_a_vendor_assessed_364_days_ago_is_current_and_366_is_not(org_a):
    with organization_scope(org_a):
        _assessed(org_a, "Fresh", "critical", 364)
        _assessed(org_a, "Stale", "critical", 366)
        _assessed(org_a, "Stale but low", "low", 366)  # not in scope of the check
        vendors.create_vendor(org_a, SYSTEM, name="Never", criticality="high")
        data = collect.collect_vendors(org_a)
    found = {
        f.resource.name: (f.status, f.reason)
        for f in checks.vendors_assessed(Inventory(data={"vendors": data}))
    }
    assert {name: status for name, (status, _) in found.items()} == {
        "Fresh": "pass", "Stale": "fail", "Never": "fail"
    }  # fmt: skip
    assert found["Stale"][1].startswith(
        "Critical vendor's last assessment is over a year old; Next review is overdue ("
    )
    assert found["Never"][1].startswith("High vendor never assessed (")


def test_an_incident_exactly_at_its_target_passes_and_a_moment_later_fails(org_a):
    with organization_scope(org_a):
        incident = incidents.create_incident(
            org_a, SYSTEM, title="Leaked key", severity="SEV2",
            detected_at=timezone.now() - timedelta(hours=2),
        )  # fmt: skip
        at_target = collect.collect_incidents(org_a, now=incident.due_at)
        after = collect.collect_incidents(org_a, now=incident.due_at + timedelta(seconds=1))
    [on_time] = checks.incidents_within_target(Inventory(data={"incidents": at_target}))
    [late] = checks.incidents_within_target(Inventory(data={"incidents": after}))
    assert (on_time.status, late.status) == ("pass", "fail")
    assert late.reason.startswith("Still open past its SEV2 target of ")


def test_a_risk_reviewed_today_passes_and_yesterday_fails(org_a):
    today = timezone.localdate()
    with organization_scope(org_a):
        for title, review in (("Today", today), ("Yesterday", today - timedelta(days=1))):
            risks.create_risk(org_a, SYSTEM, title=title, category="security", likelihood=2,
                              impact=2, review_date=review)  # fmt: skip
        risks.create_risk(
            org_a, SYSTEM, title="Closed", category="security", likelihood=2, impact=2,
            review_date=today - timedelta(days=9), status="closed",
        )  # fmt: skip
        data = collect.collect_risks(org_a)
    found = checks.risk_register_reviewed(Inventory(data={"risks": data}))
    assert {f.resource.name: f.status for f in found} == {"Today": "pass", "Yesterday": "fail"}


def _reviewed(org, alice, system: str, due: date, completed: date) -> None:
    """A campaign over ``system`` started 20 days before ``due``, every account approved,
    completed at noon on ``completed``."""
    noon = timezone.make_aware(datetime.combine(completed, time(12)))
    campaign = reviews.start_campaign(
        org, SYSTEM, title=f"{system} review", systems=[system], due_date=due,
        default_reviewer=alice.pk, at=noon - timedelta(days=20),
    )  # fmt: skip
    reviewer = Actor(kind="user", label=alice.email, user=alice)
    for item in campaign.items.all():
        reviews.decide(org, reviewer, item.pk, decision="approve", at=noon - timedelta(days=1))
    reviews.complete_campaign(org, reviewer, campaign.pk, at=noon)


def test_a_review_completed_on_its_due_date_passes_and_a_day_late_fails(org_a, alice):
    today = timezone.localdate()
    due = today - timedelta(days=10)
    with organization_scope(org_a):
        identity.import_accounts(org_a, SYSTEM, "users.csv", REVIEWED.encode())
        _reviewed(org_a, alice, "expenses", due, due)
        _reviewed(org_a, alice, "wiki", due, due + timedelta(days=1))
        data = collect.collect_reviews(org_a)
    found = {
        f.resource.name: (f.status, f.reason)
        for f in checks.reviews_campaign_completed(Inventory(data={"reviews": data}))
    }
    assert found["expenses"] == ("pass", (
        f"Reviewed in 'expenses review', completed {due} (due {due}); next review due by "
        f"{data['systems']['expenses']['campaigns'][0]['next_due']}."
    ))  # fmt: skip
    assert found["wiki"][0] == "fail"
    assert "1 days after its due date" in found["wiki"][1]


def _records(org, alice) -> None:
    """One of each record, some passing and some not."""
    today = timezone.localdate()
    frameworks.adopt_builtin(org, SYSTEM, "soc2")
    _assessed(org, "Hosting", "critical", 30)
    vendors.create_vendor(org, SYSTEM, name="Payroll", criticality="high")
    vendors.snapshot_inventory(org, SYSTEM)
    risks.create_risk(org, SYSTEM, title="Phishing", category="security", likelihood=4,
                      impact=4, review_date=today + timedelta(days=60))  # fmt: skip
    risks.create_risk(org, SYSTEM, title="Unreviewed", category="security", likelihood=2,
                      impact=2)  # fmt: skip
    incidents.create_incident(org, SYSTEM, title="Lost laptop", severity="SEV2",
                              detected_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    for email, name, manager in (("boss@a.example", "Boss", ""),
                                 ("ann@a.example", "Ann", "boss@a.example"),
                                 ("solo@a.example", "Solo", "")):  # fmt: skip
        people.create_person(org, SYSTEM, full_name=name, work_email=email,
                             employment_type="employee", start_date=date(2021, 1, 4),
                             manager_email=manager)  # fmt: skip
    identity.import_accounts(org, SYSTEM, "users.csv", USERS.encode())
    backup = Account.objects.get(organization=org, username="svc-backup")
    boss = Person.objects.get(organization=org, work_email="boss@a.example")
    identity.mark_service(org, SYSTEM, backup.pk, owner_id=boss.pk, note="nightly backups")
    reviews.start_campaign(
        org, SYSTEM, title="Expenses review", systems=["expenses"],
        due_date=today + timedelta(days=14), default_reviewer=alice.pk,
    )  # fmt: skip


def test_a_run_judges_every_record_and_links_its_evidence_to_the_controls(org_a, alice):
    with organization_scope(org_a):
        _records(org_a, alice)
        risks.record_assessment(org_a, SYSTEM)  # after the risks, so the register is in it
        integration = ensure_records_checks(org_a, SYSTEM)
        assert ensure_records_checks(org_a, SYSTEM).pk == integration.pk
    run = run_integration(integration.pk, RunTrigger.CLI)
    assert run is not None and run.status == RunStatus.SUCCEEDED, run.errors
    assert _statuses(org_a, "records.vendors.assessed") == {"Hosting": "pass", "Payroll": "fail"}
    assert _statuses(org_a, "records.vendors.inventory_reviewed") == {"Vendor inventory": "pass"}
    assert _statuses(org_a, "records.risks.assessment_current") == {"Risk assessment": "pass"}
    assert _statuses(org_a, "records.risks.register_reviewed") == {
        "Phishing": "pass", "Unreviewed": "fail"
    }  # fmt: skip
    assert _statuses(org_a, "records.incidents.within_target") == {"Lost laptop": "pass"}
    assert _statuses(org_a, "records.reviews.campaign_completed") == {"expenses": "not_applicable"}
    assert _statuses(org_a, "records.people.accounts_linked") == {
        "ann (expenses)": "pass", "shared (expenses)": "fail", "svc-backup (expenses)": "pass",
    }  # fmt: skip
    assert _statuses(org_a, "records.people.managers_assigned") == {
        "Boss <boss@a.example>": "pass", "Ann <ann@a.example>": "pass",
        "Solo <solo@a.example>": "fail",
    }  # fmt: skip
    with scopes_disabled():
        linked = set(
            ControlEvidence.objects.filter(
                organization=org_a, evidence_id__in=run.evidence_ids
            ).values_list("control__key", flat=True)
        )
    assert {
        "vendor-assessments", "subservice-reports-reviewed", "vendor-inventory",
        "risk-assessment-annual", "risk-register-maintained", "access-reviews-quarterly",
        "incident-tracking", "unique-accounts", "org-chart",
    } <= linked  # fmt: skip


def test_missing_records_fail_and_a_second_setup_adds_nothing(org_a):
    with organization_scope(org_a):
        frameworks.adopt_builtin(org_a, SYSTEM, "soc2")
        integration = ensure_records_checks(org_a, SYSTEM)
        checks_before = ControlCheck.objects.filter(organization=org_a).count()
        ensure_records_checks(org_a, SYSTEM)
        assert ControlCheck.objects.filter(organization=org_a).count() == checks_before
        assert Integration.objects.filter(organization=org_a, provider="records").count() == 1
        assert ControlCheck.objects.filter(
            organization=org_a, control__key="org-chart",
            check_id="records.people.managers_assigned",
        ).exists()  # fmt: skip
    run = run_integration(integration.pk, RunTrigger.CLI)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert _statuses(org_a, "records.risks.register_reviewed") == {"Risk register": "fail"}
    [(status, reason)] = _open(org_a, "records.vendors.inventory_reviewed").values()
    assert status == "fail" and reason.startswith("No vendor inventory snapshot has been recorded")
    assert _open(org_a, "records.vendors.assessed") == {}  # nothing to judge


def test_a_run_over_the_demo_flags_what_the_demo_leaves_undone(org_a, alice):
    from zgovern.core import demo
    from zgovern.tenancy.roles import Role

    demo.populate(org_a, {Role.OWNER: alice})
    with scopes_disabled():
        integration = Integration.objects.get(organization=org_a, provider="records")
    run = run_integration(integration.pk, RunTrigger.CLI)
    assert run is not None and run.status == RunStatus.SUCCEEDED, run.errors
    found = _statuses(org_a, "records.vendors.assessed")
    assert (found["Amazon Web Services"], found["Okta"], found["GitHub"]) == (
        "pass",
        "fail",
        "fail",
    )
    register = _statuses(org_a, "records.risks.register_reviewed")
    assert register["Loss of key engineering staff"] == "fail"  # review overdue
    assert register["Legacy reporting server runs without vendor support"] == "fail"  # expired
    assert register["Phishing leads to stolen employee credentials"] == "pass"
    chart = _statuses(org_a, "records.people.managers_assigned")
    assert chart["Olivia Owner <olivia@acme.example>"] == "pass"
    assert set(chart.values()) == {"pass"}
    assert "pass" in _statuses(org_a, "records.reviews.campaign_completed").values()
