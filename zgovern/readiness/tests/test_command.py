"""``zgovern readiness ORG [--format json|table]``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zgovern.controls.models import Control
from zgovern.readiness.engine import assess_organization
from zgovern.readiness.tests.conftest import make_evidenced, seed_history
from zgovern.tenancy.scoping import organization_scope


def run(*args: str) -> str:
    out = StringIO()
    call_command("readiness", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def org(soc2_org):
    with organization_scope(soc2_org):
        make_evidenced(soc2_org, Control.objects.get(organization=soc2_org, key="mfa-enforced"))
        seed_history(soc2_org, [0.3] * 10)
        (soc2,) = assess_organization(soc2_org).frameworks
    return soc2_org, soc2


def test_json(org):
    org, soc2 = org
    body = json.loads(run(org.slug, "--format", "json"))
    (fw,) = body["frameworks"]
    assert fw["key"] == "soc2" and fw["score"] == round(soc2.score, 4)
    assert set(fw) >= {"categories", "controls_by_status", "gaps", "projection"}
    gap = fw["gaps"][0]
    assert set(gap) == {"id", "key", "name", "severity", "status", "reasons"}
    assert gap["id"] == soc2.gaps[0].control.id and gap["reasons"]
    assert fw["projection"]["status"] == "not_converging"  # 30% flat, then a drop
    assert fw["projection"]["date"] is None


def test_table(org):
    org, soc2 = org
    out = run(org.slug)
    assert f"SOC 2 Trust Services Criteria: {soc2.score:.0%} ready" in out
    assert f"{soc2.criteria_ready} of {soc2.criteria_in_scope} criteria" in out
    assert "Projection (not converging)" in out
    assert "Controls by status" in out and "Implemented and evidenced" in out
    assert soc2.gaps[0].control.key in out
    assert "\x1b[" not in out  # no colour codes when not on a terminal


@pytest.mark.django_db
def test_unknown_organisation_exits_1():
    with pytest.raises(CommandError) as raised:
        call_command("readiness", "no-such-org")
    assert raised.value.returncode == 1
    assert "No organisation with the slug 'no-such-org'" in str(raised.value)


@pytest.mark.django_db
def test_bad_format_is_refused():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("readiness", "x", "--format", "yaml")
