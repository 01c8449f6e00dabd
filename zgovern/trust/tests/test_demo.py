"""The demo Trust Center: on, with chosen items and one pending request; loading twice
changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from zgovern.core import demo
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope
from zgovern.trust.models import ReportRequest, RequestStatus, TrustCenter

pytestmark = pytest.mark.django_db


def test_demo_loads_once(org_a, alice, bob):
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    with organization_scope(org_a):
        center = TrustCenter.objects.get(organization=org_a)
        log_rows = ActivityLog.objects.filter(organization=org_a).count()
    assert center.enabled and center.report_id and center.controls and center.policies
    assert center.show_subprocessors
    with organization_scope(org_a):
        assert list(ReportRequest.objects.values_list("status", flat=True)) == [
            RequestStatus.PENDING
        ]
    body = Client().get(f"/trust/{org_a.slug}/").content.decode()
    assert "Request the report" in body and "Every sign-in" in body
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    with organization_scope(org_a):
        assert ReportRequest.objects.count() == 1
        assert ActivityLog.objects.filter(
            organization=org_a, action__startswith="trust."
        ).count() == (
            ActivityLog.objects.filter(
                organization=org_a, action__startswith="trust.", seq__lte=log_rows
            ).count()
        )
