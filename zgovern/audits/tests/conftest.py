"""An organisation with SOC 2 and its default controls adopted, an audit over the last
six months, evidence files linked to controls, and a check history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from zgovern.audits import services
from zgovern.controls import services as controls
from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.evidence import services as evidence
from zgovern.frameworks import services as frameworks
from zgovern.monitoring.models import CheckInterval, Resource
from zgovern.tenancy.scoping import organization_scope

SYSTEM = Actor.system("tests")


@pytest.fixture
def audit_org(org_a):
    with organization_scope(org_a):
        frameworks.adopt_framework(org_a, SYSTEM, frameworks.builtin("soc2"))
        frameworks.adopt_default_controls(org_a, SYSTEM)
    return org_a


@pytest.fixture
def audit(audit_org):
    today = timezone.localdate()
    return services.create_audit(
        audit_org,
        SYSTEM,
        {
            "name": "SOC 2 Type 2 2026",
            "framework": "soc2",
            "audit_type": "type2",
            "period_start": today - timedelta(days=200),
            "period_end": today,
            "firm": "Example & Co",
        },
    )


def add_evidence_file(org, control_key: str, name: str, data: bytes, title: str = "Evidence"):
    with organization_scope(org):
        control = Control.objects.get(organization=org, key=control_key)
        item = evidence.add_file(
            org, SYSTEM, kind="report", title=title, uploaded_file=ContentFile(data, name=name)
        )
        controls.link_evidence(org, SYSTEM, control.pk, item.pk)
    return item


def add_history(org, check_id: str, status: str, days_ago: int) -> None:
    with organization_scope(org):
        resource, _ = Resource.objects.get_or_create(
            organization=org,
            provider="aws",
            resource_type="aws.iam.user",
            external_id=f"arn:{check_id}",
            defaults={"name": "alice"},
        )
        start = timezone.now() - timedelta(days=days_ago)
        CheckInterval.objects.create(
            organization=org,
            check_id=check_id,
            resource=resource,
            status=status,
            started_at=start,
            confirmed_at=start,
        )
