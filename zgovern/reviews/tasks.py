"""Background work of access reviews: start the campaigns their cadence makes due, and
verify revocations against the latest syncs.

Both are idempotent: a campaign has one successor at most, and a verified revocation is
not looked at again, so a repeated or concurrent run changes nothing more.
"""

from __future__ import annotations

from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zgovern.reviews import revocations, schedule
from zgovern.reviews.models import ReviewItem, Revocation
from zgovern.tenancy.models import Organization


@db_periodic_task(crontab(minute="5", hour="*"))
def start_due_campaigns() -> int:
    return len(schedule.schedule_due_campaigns())


@db_periodic_task(crontab(minute="*/15"))
def verify_all_revocations() -> int:
    """Verify the open revocations of every organisation that has some."""
    waiting = (Revocation.PENDING, Revocation.EXCEPTION)
    with scopes_disabled():
        org_ids = set(
            ReviewItem.objects.filter(revocation__in=waiting).values_list(
                "organization_id", flat=True
            )
        )
        orgs = list(Organization.objects.filter(pk__in=org_ids))
    return sum(revocations.verify_revocations(org).verified for org in orgs)
