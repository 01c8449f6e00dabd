"""The policy checks through the engine: approval within cadence per policy, and
acknowledgement within the window per person and policy, with evidence linked to the
controls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.integrations import registry
from zgovern.monitoring.checkspec import load_checks
from zgovern.monitoring.models import CheckInterval
from zgovern.monitoring.runner import run_integration
from zgovern.policies import services
from zgovern.policies.models import Policy, PolicyVersion
from zgovern.policies.tests.conftest import SYSTEM, add_person, published_policy
from zgovern.tenancy.scoping import organization_scope

pytestmark = pytest.mark.django_db


def test_the_metadata_matches_the_evaluators():
    specs = load_checks(registry.get("policy_program"))
    assert {s.id for s in specs} == {
        "policy_program.policies.approved_within_cadence",
        "policy_program.acknowledgements.security_policies",
        "policy_program.acknowledgements.code_of_conduct",
    }


def _statuses(org, check_id: str) -> dict[str, str]:
    with scopes_disabled():
        rows = CheckInterval.objects.filter(
            organization=org, check_id=check_id, ended_at__isnull=True
        ).select_related("resource")
        return {row.resource.external_id: row.status for row in rows}


def test_a_run_judges_policies_and_people(org_a):
    ann = add_person(org_a, "ann@a.example")
    add_person(org_a, "ben@a.example")
    published_policy(org_a, "acceptable-use")
    conduct = published_policy(org_a, "code-of-conduct")
    with organization_scope(org_a):
        services.adopt_template(org_a, SYSTEM, template_key="encryption")  # draft only
        version = conduct.current_version()
        PolicyVersion.objects.filter(pk=version.pk).update(
            published_at=timezone.now() - timedelta(days=60)
        )
        services.acknowledge(org_a, SYSTEM, person=ann, version_id=version.pk)
        Policy.objects.filter(pk=conduct.pk).update(
            next_review_date=timezone.localdate() - timedelta(days=1)
        )
        integration = services.ensure_policy_checks(org_a, SYSTEM)
        assert services.ensure_policy_checks(org_a, SYSTEM).pk == integration.pk
    run = run_integration(integration.pk, "cli")
    assert run is not None and run.status == "succeeded", run.errors
    approvals = _statuses(org_a, "policy_program.policies.approved_within_cadence")
    assert approvals == {
        "policy:acceptable-use": "pass", "policy:code-of-conduct": "fail",
        "policy:encryption": "fail",
    }  # fmt: skip
    conduct_acks = _statuses(org_a, "policy_program.acknowledgements.code_of_conduct")
    ben = conduct_acks.pop(next(k for k in conduct_acks if not k.endswith(f":{ann.pk}")))
    assert (conduct_acks, ben) == ({f"ack:code-of-conduct:{ann.pk}": "pass"}, "fail")
    security = _statuses(org_a, "policy_program.acknowledgements.security_policies")
    assert set(security.values()) == {"pass"} and len(security) == 2  # inside the window
    assert run.evidence_ids


def test_a_run_over_the_demo_links_evidence_to_the_policy_controls(org_a, alice):
    from zgovern.controls.models import ControlEvidence
    from zgovern.core import demo
    from zgovern.integrations.models import Integration
    from zgovern.tenancy.roles import Role

    demo.populate(org_a, {Role.OWNER: alice})
    with scopes_disabled():
        integration = Integration.objects.get(organization=org_a, provider="policy_program")
    run = run_integration(integration.pk, "cli")
    assert run is not None and run.status == "succeeded", run.errors
    approvals = _statuses(org_a, "policy_program.policies.approved_within_cadence")
    assert approvals["policy:access-control"] == "fail"  # past its review
    assert approvals["policy:acceptable-use"] == "pass"
    assert approvals["policy:encryption"] == "fail"  # still a draft
    conduct = _statuses(org_a, "policy_program.acknowledgements.code_of_conduct")
    assert "fail" in conduct.values() and "pass" in conduct.values()
    with scopes_disabled():
        linked = set(
            ControlEvidence.objects.filter(
                organization=org_a, evidence_id__in=run.evidence_ids
            ).values_list("control__key", flat=True)
        )
    assert {"policies-approved", "code-of-conduct-acknowledged"} <= linked
