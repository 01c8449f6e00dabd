"""The OSCAL assessment results: valid for compliance-trestle's models (generated from the
official OSCAL schema), in the bundle and over the API, with the period, a finding per
in-scope control and criterion, and an observation per evidence item of the period."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from trestle.oscal.assessment_results import AssessmentResults

from zgovern.audits import oscal, services
from zgovern.audits.tests.conftest import SYSTEM, add_evidence_file
from zgovern.audits.tests.test_bundle import build
from zgovern.controls.models import Control
from zgovern.evidence.models import EvidenceItem
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token


def load(document: dict) -> AssessmentResults:
    """Raises when the document does not match the OSCAL assessment-results model."""
    return AssessmentResults.model_validate(document["assessment-results"])


@pytest.fixture
def evidenced(audit_org):
    inside = add_evidence_file(audit_org, "incident-tracking", "log.txt", b"in", "Incident log")
    old = add_evidence_file(audit_org, "incident-tracking", "old.txt", b"old", "Old log")
    with organization_scope(audit_org):
        EvidenceItem.objects.filter(pk=old.pk).update(
            collected_at=timezone.now() - timedelta(days=400)
        )
    return inside, old


def test_the_bundle_holds_valid_oscal_for_the_period(audit_org, audit, evidenced):
    inside, _old = evidenced
    built = build(audit_org, audit)
    with zipfile.ZipFile(services.bundle_path(built)) as archive:
        names = set(archive.namelist())
        document = json.loads(archive.read(oscal.PATH))
    model = load(document)
    result = model.results[0]
    assert result.start.date() == audit.period_start and result.end.date() == audit.period_end
    assert model.import_ap.href
    observed = {p.value for o in result.observations for p in o.props if p.name == "sha256"}
    assert observed == {inside.sha256}  # the item collected before the period is left out
    resources = {r.uuid: r for r in model.back_matter.resources}
    (observation,) = result.observations
    resource = resources[observation.relevant_evidence[0].href.lstrip("#")]
    assert resource.rlinks[0].hashes[0].value == inside.sha256
    assert resource.rlinks[0].href in names  # the evidence file inside the bundle
    with organization_scope(audit_org):
        keys = {c.key for c in audit_org_controls(audit_org, audit)}
    finding_controls = {p.value for f in result.findings for p in f.props if p.name == "control"}
    assert finding_controls == keys
    targets = {f.target.type.value for f in result.findings}
    assert targets == {"objective-id"}
    states = {f.target.status.state.value for f in result.findings}
    assert states <= {"satisfied", "not-satisfied"}
    tracking = [f for f in result.findings if f.title.startswith("incident-tracking ")]
    assert tracking and tracking[0].related_observations[0].observation_uuid == observation.uuid
    selected = result.reviewed_controls.control_selections[0].include_controls
    assert {c.control_id for c in selected} == {f.target.target_id for f in result.findings}


def audit_org_controls(org, audit):
    from zgovern.audits.builder import controls_in_scope

    return controls_in_scope(org, audit)


def test_token_makes_any_reference_an_oscal_token():
    assert oscal.token("CC6.1") == "CC6.1"
    assert oscal.token("1.2 a/b") == "_1.2_a_b"
    assert oscal.token("") == "_"


def test_a_not_satisfied_control_is_reported_with_its_reasons(audit_org, audit):
    with organization_scope(audit_org):
        control = Control.objects.get(organization=audit_org, key="mfa-enforced")
        document = oscal.assessment_results(oscal.context_for(audit_org, audit))
    load(document)
    findings = document["assessment-results"]["results"][0]["findings"]
    mine = [f for f in findings if f["props"][0]["value"] == control.key]
    assert mine and all(f["target"]["status"]["state"] == "not-satisfied" for f in mine)
    assert all(f["target"]["status"].get("remarks") for f in mine)


def test_api_exports_oscal_to_readers_only_of_the_organisation(
    audit_org, audit, alice, bob, org_b, charlie, evidenced
):
    owner = api_client(issue_token(audit_org, alice, read_only=False))
    response = owner.get(f"/api/v1/audits/{audit.pk}/oscal")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    load(json.loads(response.content))
    auditor = api_client(issue_token(audit_org, bob, read_only=True))
    assert auditor.get(f"/api/v1/audits/{audit.pk}/oscal").status_code == 200
    outsider = api_client(issue_token(org_b, charlie, read_only=False))
    assert outsider.get(f"/api/v1/audits/{audit.pk}/oscal").status_code == 404
    with scopes_disabled():
        logged = ActivityLog.objects.filter(organization=audit_org, action="audit.oscal_exported")
        assert logged.count() == 2


def test_api_refuses_oscal_for_an_audit_without_period(audit_org, alice):
    with organization_scope(audit_org):
        undated = services.create_audit(
            audit_org, SYSTEM, {"name": "T1", "framework": "soc2", "audit_type": "type1"}
        )
    client = api_client(issue_token(audit_org, alice, read_only=False))
    response = client.get(f"/api/v1/audits/{undated.pk}/oscal")
    assert response.status_code == 400 and "period" in response.json()["detail"]


def test_the_model_check_rejects_a_document_that_breaks_the_schema(audit_org, audit):
    from pydantic import ValidationError

    with organization_scope(audit_org):
        document = oscal.assessment_results(oscal.context_for(audit_org, audit))
    document["assessment-results"]["results"][0]["findings"][0]["target"]["type"] = "control"
    with pytest.raises(ValidationError):
        load(document)
    del document["assessment-results"]["import-ap"]
    with pytest.raises(ValidationError):
        load(document)
