"""The demo's access reviews: last quarter's completed campaign and this quarter's open
one, loaded once however often the demo runs."""

from __future__ import annotations

from django_scopes import scopes_disabled

from zgovern.core import demo
from zgovern.reviews import schedule
from zgovern.reviews.models import Campaign, ReviewItem
from zgovern.tenancy.roles import Role


def _counts(org) -> tuple[int, int]:
    with scopes_disabled():
        return (
            Campaign.objects.filter(organization=org).count(),
            ReviewItem.objects.filter(organization=org).count(),
        )


def test_demo_has_a_completed_and_an_open_campaign_once(org_a, alice, bob):
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    with scopes_disabled():
        done, open_ = Campaign.objects.filter(organization=org_a).order_by("started_at")
        assert done.is_locked and done.evidence_csv_id and done.items.filter(decision="revoke")
        assert not done.items.filter(decision="").exists()
        assert not open_.is_locked and open_.previous == done
        assert open_.items.exclude(decision="").count() == 2
    counts = _counts(org_a)
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    assert _counts(org_a) == counts
    assert schedule.schedule_due_campaigns() == []  # the open one is last quarter's successor
