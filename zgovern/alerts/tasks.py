"""Background work of alerts: delivery, the check-run hook, the periodic sweep of
overdue and due things, the daily digest and the weekly summary.

Every task can run twice: alerts are keyed per event and claimed before sending, digests
claim their rows in one UPDATE, and summaries write a row per week and admin.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zgovern.alerts import delivery, digest, sources
from zgovern.monitoring.models import CheckRun
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)


@db_task()
def deliver_task(alert_ids: list[int]) -> int:
    """Send the given alerts (those still pending); how many were sent."""
    return delivery.deliver(alert_ids)


@db_task()
def check_run_task(run_id: int) -> int:
    """Alert the checks that run ``run_id`` found newly failing."""
    with scopes_disabled():
        run = CheckRun.objects.select_related("organization").filter(pk=run_id).first()
    if run is None:
        return 0
    with organization_scope(run.organization):
        return sources.check_failures(run)


@db_periodic_task(crontab(minute="*/15"))
def sweep_task() -> None:
    """Every quarter hour: overdue tasks and requests, due reviews, closed acknowledgement
    windows and new findings in every organisation, then retry what is left unsent."""
    now = timezone.now()
    with scopes_disabled():
        orgs = list(Organization.objects.order_by("pk"))
    for org in orgs:
        with organization_scope(org):
            try:
                sources.sweep(org, now)
            except Exception:  # one organisation's bad row must not stop the others
                logger.exception("alert sweep failed for %s", org.slug)
    delivery.deliver(delivery.retry_ids(now))


@db_periodic_task(crontab(minute="0", hour="7"))
def daily_digest_task() -> int:
    """Each morning: one email per user with the alerts waiting for the digest."""
    return digest.send_digests()


@db_periodic_task(crontab(minute="0", hour="7", day_of_week="1"))
def weekly_summary_task() -> int:
    """Monday morning: the week's summary to each organisation's owners and admins."""
    return digest.send_summaries()
