"""The periodic tasks: the next campaign once its cadence is due, and revocations checked
for every organisation that has some waiting."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.reviews import tasks
from zgovern.reviews.models import Campaign
from zgovern.reviews.tests.conftest import ACCOUNTS, decide, item, start, sync


def test_periodic_tasks_are_idempotent(world, alice, dave):
    started = timezone.now() - timedelta(days=95)
    campaign = start(world, alice, at=started, due_date=(started + timedelta(days=7)).date(),
                     assignments=[{"system": "github", "reviewer": dave.pk}])  # fmt: skip
    assert tasks.start_due_campaigns.call_local() == 1
    assert tasks.start_due_campaigns.call_local() == 0
    with scopes_disabled():
        assert Campaign.objects.count() == 2
    decide(world, dave, item(campaign, "github", "frank"), "revoke")
    assert tasks.verify_all_revocations.call_local() == 0
    sync(world, [row for row in ACCOUNTS if row[1] != "frank"])
    assert tasks.verify_all_revocations.call_local() == 1
    assert tasks.verify_all_revocations.call_local() == 0
