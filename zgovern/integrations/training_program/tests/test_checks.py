"""The built-in training checks through the real runner: findings per person and course,
the evidence snapshot linked to the training controls, and the setup being idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlEvidence
from zgovern.frameworks import services as frameworks
from zgovern.integrations.models import Integration
from zgovern.monitoring.models import CheckInterval, CheckRun, RunStatus, RunTrigger
from zgovern.monitoring.runner import run_integration
from zgovern.tenancy.scoping import organization_scope
from zgovern.training import services
from zgovern.training.tests.conftest import SYSTEM, add_person, adopt, complete

AWARENESS = "training_program.training.security_awareness"
SECURE_DEV = "training_program.training.secure_development"


def _setup(org):
    with organization_scope(org):
        frameworks.adopt_builtin(org, SYSTEM, "soc2")
        integration = services.ensure_training_checks(org, SYSTEM)
        assert services.ensure_training_checks(org, SYSTEM).pk == integration.pk
    return integration


def _open(org, check_id: str) -> dict[str, tuple[str, str]]:
    with scopes_disabled():
        rows = CheckInterval.objects.filter(
            organization=org, check_id=check_id, ended_at__isnull=True
        ).select_related("resource")
        return {r.resource.name: (r.status, r.reason) for r in rows}


def test_each_person_and_required_course_gets_a_verdict(org_a):
    integration = _setup(org_a)
    adopt(org_a, "security-awareness")
    today = timezone.localdate()
    add_person(org_a, "new@a.example", full_name="New", start_date=today - timedelta(days=5))
    add_person(org_a, "late@a.example", full_name="Late", start_date=date(2020, 1, 1))
    stale = add_person(org_a, "stale@a.example", full_name="Stale", start_date=date(2020, 1, 1))
    complete(org_a, stale, "security-awareness", today - timedelta(days=400))
    fresh = add_person(org_a, "fresh@a.example", full_name="Fresh", start_date=date(2020, 1, 1))
    complete(org_a, fresh, "security-awareness", today - timedelta(days=20))
    add_person(
        org_a, "gone@a.example", full_name="Gone", start_date=date(2020, 1, 1),
        end_date=today - timedelta(days=1),
    )  # fmt: skip
    run = run_integration(integration.pk, RunTrigger.CLI)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    found = _open(org_a, AWARENESS)
    assert {name: status for name, (status, _) in found.items()} == {
        "New: Security awareness training": "not_applicable",
        "Late: Security awareness training": "fail",
        "Stale: Security awareness training": "fail",
        "Fresh: Security awareness training": "pass",
    }
    assert "days overdue" in found["Stale: Security awareness training"][1]
    assert "In onboarding" in found["New: Security awareness training"][1]
    # Secure development is not adopted: the check says so rather than passing.
    assert _open(org_a, SECURE_DEV) == {
        "secure-development": (
            "fail",
            "The course secure-development is not adopted and assigned, so nobody is asked "
            "to complete it (Training > Library).",
        )
    }
    with scopes_disabled():
        control = Control.objects.get(organization=org_a, key="security-training")
        assert control.checks.filter(check_id=AWARENESS).exists()
        linked = ControlEvidence.objects.filter(control=control, evidence_id__in=run.evidence_ids)
        assert linked.exists()


def test_completing_the_course_turns_the_failure_into_a_pass(org_a):
    integration = _setup(org_a)
    adopt(org_a, "secure-development")
    engineer = add_person(org_a, "eng@a.example", full_name="Eng", start_date=date(2021, 1, 1))
    add_person(org_a, "sales@a.example", full_name="Sal", department="Sales")
    run_integration(integration.pk, RunTrigger.CLI)
    assert _open(org_a, SECURE_DEV)["Eng: Secure development training"][0] == "fail"
    complete(org_a, engineer, "secure-development", timezone.localdate())
    with scopes_disabled():
        Integration.objects.filter(pk=integration.pk).update(claimed_by="")
    run_integration(integration.pk, RunTrigger.CLI)
    assert set(_open(org_a, SECURE_DEV)) == {"Eng: Secure development training"}
    assert _open(org_a, SECURE_DEV)["Eng: Secure development training"][0] == "pass"
    with scopes_disabled():
        assert CheckRun.objects.filter(organization=org_a).count() == 2
