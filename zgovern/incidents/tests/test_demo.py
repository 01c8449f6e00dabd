"""The demo risks and incidents: loaded once, with what the brief asks them to show."""

from __future__ import annotations

from django_scopes import scopes_disabled

from zgovern.core import demo
from zgovern.incidents.models import Incident, TimelineEntry
from zgovern.risks.models import Risk
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.roles import Role


def test_demo_risks_and_incidents_are_loaded_once(org_a, alice):
    demo.populate(org_a, {Role.OWNER: alice})
    with scopes_disabled():
        before = _ours(org_a)
    demo.populate(org_a, {Role.OWNER: alice})
    with scopes_disabled():
        assert _ours(org_a) == before
        risks = list(Risk.objects.filter(organization=org_a))
        incidents = {i.title: i for i in Incident.objects.filter(organization=org_a)}
        timeline = TimelineEntry.objects.filter(organization=org_a).count()
    assert len(risks) == 5
    assert sum(1 for r in risks if r.accepted_by_id and not r.acceptance_expired()) == 1
    assert sum(1 for r in risks if r.acceptance_expired()) == 1
    closed = incidents["Phishing email led to a compromised mailbox"]
    assert closed.status == "closed" and closed.evidence_id is not None and timeline == 5
    assert incidents["Suspicious API traffic from unknown addresses"].past_target()


def _ours(org) -> int:
    rows = ActivityLog.objects.filter(organization=org)
    return (
        rows.filter(action__startswith="risk.").count()
        + rows.filter(action__startswith="incident.").count()
    )
