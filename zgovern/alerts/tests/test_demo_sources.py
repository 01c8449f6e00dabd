"""The sources over the demo records: overdue audit requests, new findings (exceptions
only), closed acknowledgement windows and due review campaigns, each alerted once."""

from __future__ import annotations

from datetime import timedelta

from django_scopes import scopes_disabled

from zgovern.alerts import sources
from zgovern.alerts.models import Alert, Kind
from zgovern.core import demo
from zgovern.findings.models import Finding
from zgovern.findings.models import Kind as FindingKind
from zgovern.pbc.models import AuditRequest
from zgovern.pbc.queries import overdue_q
from zgovern.policies.queries import matrix
from zgovern.reviews.models import Campaign, CampaignStatus
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope


def _keys(org, kind) -> list[str]:
    with scopes_disabled():
        return sorted(
            Alert.objects.filter(organization=org, kind=kind).values_list("key", flat=True)
        )


def test_demo_sources_alert_each_event_once(org_a, alice, bob):
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    with organization_scope(org_a):
        overdue = list(AuditRequest.objects.filter(overdue_q(), organization=org_a))
        exceptions = Finding.objects.filter(organization=org_a, kind=FindingKind.EXCEPTION).count()
        assert len(_keys(org_a, Kind.REQUEST_OVERDUE)) == len(overdue) > 0
        assert len(_keys(org_a, Kind.FINDING)) == exceptions > 0  # summaries are not alerted

        standing = _an_overdue_acknowledgement(org_a)
        assert sources.ack_windows_closed(org_a, standing.due + timedelta(days=1)) >= 1
        assert sources.ack_windows_closed(org_a, standing.due + timedelta(days=1)) == 0

        campaign = Campaign.objects.filter(organization=org_a, status=CampaignStatus.OPEN).first()
        if campaign is not None:
            assert sources.reviews_due(org_a, campaign.due_date) >= 1
            assert sources.reviews_due(org_a, campaign.due_date) == 0

        before = Alert.objects.count()
        assert sum(sources.sweep(org_a).values()) == 0  # the demo's sweep found them all
        assert Alert.objects.count() == before


def _an_overdue_acknowledgement(org):
    for rate in matrix(org).rates:
        for _, standing in rate.exceptions:
            if standing.state == "overdue":
                return standing
    raise AssertionError("the demo has no overdue acknowledgement")
