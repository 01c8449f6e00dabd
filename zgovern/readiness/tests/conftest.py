"""Fixtures of the readiness surfaces: an organisation with SOC 2 adopted and its default
controls, and helpers to give it check results, evidence and history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zgovern.controls.models import Control, ControlEvidence
from zgovern.core.actor import Actor
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks import services as frameworks
from zgovern.frameworks.models import Framework
from zgovern.monitoring.models import CheckInterval, Resource
from zgovern.readiness.models import ReadinessSnapshot
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")


@pytest.fixture
def soc2_org(org_a):
    with organization_scope(org_a):
        frameworks.adopt_framework(org_a, SYSTEM, frameworks.builtin("soc2"))
        frameworks.adopt_default_controls(org_a, SYSTEM)
    return org_a


def check_result(org, check_id: str, status: str = "pass", name: str = "r1") -> None:
    """An open interval: ``check_id`` currently has ``status`` on resource ``name``."""
    resource, _ = Resource.objects.get_or_create(
        organization=org, provider="aws", resource_type="user", external_id=name,
        defaults={"name": name},
    )  # fmt: skip
    now = timezone.now()
    CheckInterval.objects.create(
        organization=org, check_id=check_id, resource=resource, status=status,
        started_at=now, confirmed_at=now,
    )  # fmt: skip


def make_evidenced(org, control: Control) -> None:
    """Pass every check of ``control`` and give each requirement a fresh linked item."""
    for check in control.checks.all():
        check_result(org, check.check_id, name=f"{control.key}-{check.check_id}")
    for requirement in control.evidence_requirements.all():
        item = EvidenceItem.objects.create(
            organization=org, kind=requirement.kind, title=requirement.description,
            source="record", sha256="0" * 64,
        )  # fmt: skip
        ControlEvidence.objects.create(organization=org, control=control, evidence=item)


def seed_history(org, scores: list[float], today: date | None = None) -> None:
    """Daily snapshots of every framework ending yesterday, oldest first."""
    today = today or timezone.localdate()

    rows = [
        ReadinessSnapshot(
            organization=org,
            framework=framework,
            day=today - timedelta(days=len(scores) - i),
            score=score,
            criteria_in_scope=33,
            criteria_ready=int(33 * score),
        )
        for framework in Framework.objects.filter(organization=org)
        for i, score in enumerate(scores)
    ]
    ReadinessSnapshot.objects.bulk_create(rows)


@pytest.fixture
def alice_api(org_a, alice):
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob):
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie):
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
