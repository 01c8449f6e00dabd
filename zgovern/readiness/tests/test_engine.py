"""Readiness over a real adopted framework and default controls, on the database."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zgovern.controls.models import Control, ControlEvidence, ControlStatus
from zgovern.core.actor import Actor
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks import services as frameworks
from zgovern.frameworks.models import Category, Criterion
from zgovern.monitoring.models import CheckInterval, Resource
from zgovern.readiness import services
from zgovern.readiness.engine import assess_organization
from zgovern.readiness.models import ReadinessSnapshot
from zgovern.tenancy.scoping import organization_scope

SYSTEM = Actor.system("tests")


@pytest.fixture
def soc2_org(org_a):
    with organization_scope(org_a):
        frameworks.adopt_framework(org_a, SYSTEM, frameworks.builtin("soc2"))
        frameworks.adopt_default_controls(org_a, SYSTEM)
        yield org_a


def _pass(org, check_id: str, status: str = "pass", name: str = "r1") -> None:
    resource, _ = Resource.objects.get_or_create(
        organization=org, provider="aws", resource_type="user", external_id=name,
        defaults={"name": name},
    )  # fmt: skip
    now = timezone.now()
    CheckInterval.objects.create(
        organization=org, check_id=check_id, resource=resource, status=status,
        started_at=now, confirmed_at=now,
    )  # fmt: skip


def test_fresh_adoption_scopes_security_only_and_everything_is_missing(soc2_org):
    result = assess_organization(soc2_org)
    (soc2,) = result.frameworks
    assert [c.category.key for c in soc2.categories] == ["security"]
    assert soc2.criteria_in_scope == 33  # CC1.1 .. CC9.2
    assert soc2.score == 0
    assert set(soc2.controls_by_status) <= {ControlStatus.MISSING, ControlStatus.PARTIAL}
    assert not soc2.criteria_uncovered


def test_scoping_availability_adds_its_criteria(soc2_org):
    availability = Category.objects.get(organization=soc2_org, key="availability")
    frameworks.set_category_scope(
        soc2_org, SYSTEM, availability.pk, in_scope=True, reason="Uptime SLA in contracts"
    )
    (soc2,) = assess_organization(soc2_org).frameworks
    assert soc2.criteria_in_scope == 36


def test_passing_check_and_fresh_evidence_make_a_control_evidenced(soc2_org):
    control = Control.objects.get(organization=soc2_org, key="mfa-enforced")
    for check in control.checks.all():
        _pass(soc2_org, check.check_id)
    for requirement in control.evidence_requirements.all():
        item = EvidenceItem.objects.create(
            organization=soc2_org, kind=requirement.kind, title="x", source="record",
            sha256="0" * 64,
        )  # fmt: skip
        ControlEvidence.objects.create(organization=soc2_org, control=control, evidence=item)
    control.policies.all().delete()  # policies are not tracked by this module
    state = assess_organization(soc2_org).controls[control.id]
    assert state.verdict.status == ControlStatus.EVIDENCED, state.verdict.reasons


def test_a_failing_resource_is_named_in_the_reason(soc2_org):
    control = Control.objects.get(organization=soc2_org, key="mfa-enforced")
    check_id = control.checks.first().check_id
    _pass(soc2_org, check_id, "pass", "alice")
    _pass(soc2_org, check_id, "fail", "bob")
    state = assess_organization(soc2_org).controls[control.id]
    assert state.verdict.status != ControlStatus.EVIDENCED
    assert any("1 of 2 resources fail" in r for r in state.verdict.reasons)


def test_not_applicable_criterion_leaves_scope(soc2_org):
    criterion = Criterion.objects.get(organization=soc2_org, ref="CC9.2")
    frameworks.set_criterion_applicability(
        soc2_org, SYSTEM, criterion.pk, not_applicable=True, justification="No vendors"
    )
    (soc2,) = assess_organization(soc2_org).frameworks
    assert soc2.criteria_in_scope == 32


def test_query_count_does_not_grow_with_controls_or_results(soc2_org):
    with CaptureQueriesContext(connection) as small:
        assess_organization(soc2_org)
    for control in Control.objects.filter(organization=soc2_org)[:20]:
        for index, check in enumerate(control.checks.all()):
            _pass(soc2_org, check.check_id, name=f"{control.key}-{index}")
    frameworks.adopt_framework(soc2_org, SYSTEM, frameworks.builtin("iso27001"))
    frameworks.adopt_default_controls(soc2_org, SYSTEM)
    with CaptureQueriesContext(connection) as large:
        result = assess_organization(soc2_org)
    assert len(result.frameworks) == 2
    assert len(large.captured_queries) == len(small.captured_queries)


def test_snapshot_is_one_row_per_framework_per_day(soc2_org):
    services.take_snapshot(soc2_org)
    services.take_snapshot(soc2_org)
    yesterday = timezone.localdate() - timedelta(days=1)
    services.take_snapshot(soc2_org, day=yesterday)
    assert ReadinessSnapshot.objects.filter(organization=soc2_org).count() == 2


def test_a_correction_replaces_its_original_for_every_control(soc2_org):
    """Correcting evidence moves the control's link to the correction, and only the
    correction's collection date counts."""
    from zgovern.controls import services as controls
    from zgovern.evidence import services as evidence

    control = Control.objects.get(organization=soc2_org, key="mfa-enforced")
    requirement = control.evidence_requirements.first()
    old = timezone.now() - timedelta(days=requirement.freshness_days + 30)
    original = evidence.add_record(
        soc2_org, SYSTEM, kind=requirement.kind, title="MFA report", record={"users": 3},
        collected_at=old,
    )  # fmt: skip
    controls.link_evidence(soc2_org, SYSTEM, control.pk, original.pk)
    before = assess_organization(soc2_org).controls[control.id].verdict.reasons
    assert any("days old" in reason for reason in before)

    fixed = evidence.correct(
        soc2_org, SYSTEM, original.pk, reason="re-run today", record={"users": 4},
        collected_at=timezone.now(),
    )  # fmt: skip
    linked = set(
        ControlEvidence.objects.filter(organization=soc2_org, control=control).values_list(
            "evidence_id", flat=True
        )
    )
    assert linked == {original.pk, fixed.pk}
    after = assess_organization(soc2_org).controls[control.id].verdict.reasons
    expected = f"collected {timezone.now():%Y-%m-%d}"
    assert any(requirement.description in r and expected in r for r in after), after

    # A correction that dates the evidence further back makes the control stale again:
    # the superseded item's later date no longer counts.
    evidence.correct(
        soc2_org, SYSTEM, fixed.pk, reason="report was from last year", collected_at=old
    )
    again = assess_organization(soc2_org).controls[control.id].verdict.reasons
    assert any(requirement.description in r and "days old" in r for r in again), again
