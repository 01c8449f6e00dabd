"""The risk register's rules: scores, residual pairs, acceptance, scales and the yearly
assessment recorded as evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlEvidence
from zgovern.core.errors import DomainError
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks.yamlsource import LibraryError
from zgovern.risks import queries, scales, services
from zgovern.risks.models import RiskStatus
from zgovern.risks.tests.conftest import SYSTEM, actions, add_risk, count_risks, reload
from zgovern.tenancy.scoping import organization_scope


def test_scores_are_kept_and_changes_logged(org_a):
    risk = add_risk(org_a, residual_likelihood=1, residual_impact=2, treatment="mitigate")
    assert (risk.inherent_score, risk.residual_score, risk.status) == (12, 2, "treating")
    with organization_scope(org_a):
        services.update_risk(org_a, SYSTEM, risk.pk, likelihood=5)
        services.update_risk(org_a, SYSTEM, risk.pk, likelihood=5)  # no change, no row
    assert reload(risk).inherent_score == 20
    assert actions(org_a) == ["risk.created", "risk.updated"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"likelihood": 7}, "likelihood"),
        ({"impact": 0}, "impact"),
        ({"likelihood": True}, "likelihood"),
        ({"residual_likelihood": 2}, "residual_impact"),
        ({"residual_likelihood": 6, "residual_impact": 1}, "residual_likelihood"),
        ({"category": "weather"}, "category"),
        ({"treatment": "accept"}, "treatment"),
        ({"title": "  "}, "title"),
        ({"owner_email": "nobody@x.example"}, "owner_email"),
        ({"control_ids": [999999]}, "control_ids"),
    ],
)
def test_bad_risks_are_refused_whole(org_a, fields, field):
    with pytest.raises(DomainError) as caught:
        add_risk(org_a, **fields)
    assert caught.value.field == field
    assert count_risks(org_a) == 0 and actions(org_a) == []


def test_acceptance_needs_an_approver_and_a_future_expiry(org_a, alice, bob):
    risk = add_risk(org_a)
    later = timezone.localdate() + timedelta(days=90)
    cases = [
        ({"expires_on": later}, "approver_email"),
        ({"approver_email": "stranger@x.example", "expires_on": later}, "approver_email"),
        ({"approver_email": bob.email, "expires_on": later}, "approver_email"),  # auditor
        ({"approver_email": alice.email}, "expires_on"),
        ({"approver_email": alice.email, "expires_on": timezone.localdate()}, "expires_on"),
    ]
    with organization_scope(org_a):
        for fields, field in cases:
            with pytest.raises(DomainError) as caught:
                services.accept_risk(org_a, SYSTEM, risk.pk, **fields)
            assert caught.value.field == field, fields
        assert reload(risk).accepted_by_id is None
        services.accept_risk(org_a, SYSTEM, risk.pk, approver_email=alice.email, expires_on=later)
    accepted = reload(risk)
    assert accepted.status == RiskStatus.ACCEPTED and accepted.treatment == "accept"
    assert accepted.accepted_by == alice and accepted.accepted_at is not None
    assert actions(org_a) == ["risk.created", "risk.accepted"]


def test_an_expired_acceptance_is_flagged_and_ends_with_another_treatment(org_a, alice):
    risk = add_risk(org_a)
    today = timezone.localdate()
    with organization_scope(org_a):
        services.accept_risk(
            org_a, SYSTEM, risk.pk, approver_email=alice.email,
            approved_on=today - timedelta(days=400), expires_on=today - timedelta(days=1),
        )  # fmt: skip
        assert reload(risk).acceptance_expired()
        assert list(queries.risks(org_a, flag="acceptance_expired")) == [risk]
        assert queries.flag_counts(org_a)["acceptance_expired"] == 1
        services.update_risk(org_a, SYSTEM, risk.pk, treatment="mitigate")
    after = reload(risk)
    assert after.accepted_by_id is None and after.status == RiskStatus.TREATING
    assert not after.acceptance_expired()


def test_filters_sorts_and_heat_maps(org_a):
    add_risk(org_a, "Alpha", likelihood=1, impact=1, category="vendor")
    add_risk(org_a, "Beta", likelihood=5, impact=5, residual_likelihood=2, residual_impact=2)
    add_risk(org_a, "Gamma", likelihood=3, impact=2, status="closed")
    with organization_scope(org_a):
        titles = [r.title for r in queries.risks(org_a)]
        assert titles == ["Beta", "Gamma", "Alpha"]
        assert [r.title for r in queries.risks(org_a, sort="title")] == ["Alpha", "Beta", "Gamma"]
        assert [r.title for r in queries.risks(org_a, category="vendor")] == ["Alpha"]
        assert [r.title for r in queries.risks(org_a, min_score=6)] == ["Beta", "Gamma"]
        maps = queries.heat_maps(org_a)
    inherent = maps["inherent"]
    assert inherent.total == 2 and inherent.rows[0][4].count == 1  # impact 5, likelihood 5
    assert inherent.rows[4][0].count == 1 and inherent.rows[0][4].band == "critical"
    assert maps["residual"].unrated == 1 and maps["residual"].rows[3][1].count == 1


def test_scales_default_and_reworded(org_a, tmp_path):
    with organization_scope(org_a):
        assert scales.levels(org_a)[("likelihood", 1)].name == "Rare"
        services.define_level(org_a, SYSTEM, axis="impact", level=5, name="Fatal",
                              description="The end.")  # fmt: skip
        assert scales.levels(org_a)[("impact", 5)].name == "Fatal"
        with pytest.raises(DomainError) as caught:
            services.define_level(org_a, SYSTEM, axis="impact", level=6, name="x",
                                  description="y")  # fmt: skip
    assert caught.value.field == "level"
    bad = tmp_path / "scales.yaml"
    bad.write_text("likelihood:\n  - level: 9\n    name: x\n    description: y\nimpact: []\n")
    with pytest.raises(LibraryError) as error:
        scales.load(bad)
    assert "likelihood[0].level: must be between 1 and 5" in str(error.value)


def test_assessment_is_recorded_as_evidence_linked_to_risk_controls(org_a):
    with scopes_disabled():
        for key in ("risk-assessment-annual", "risk-register-maintained"):
            Control.objects.create(organization=org_a, key=key, name=key)
    add_risk(org_a, "Alpha")
    add_risk(org_a, "Beta", likelihood=5, impact=5)
    with organization_scope(org_a):
        item = services.record_assessment(org_a, SYSTEM)
    assert item.kind == "risk_assessment" and item.record["summary"]["risks"] == 2
    assert item.record["risks"][0][1] == "Beta" and item.record["heat_maps"]["inherent"][0][4] == 1
    with scopes_disabled():
        links = ControlEvidence.objects.filter(evidence=item)
        linked = set(links.values_list("control__key", flat=True))
        assert EvidenceItem.objects.filter(organization=org_a).count() == 1
    assert linked == {"risk-assessment-annual", "risk-register-maintained"}
    assert actions(org_a)[-1] == "risk.assessment_recorded"
