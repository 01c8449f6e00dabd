"""Background work of monitoring: every minute, enqueue a run of each due integration.

Enqueueing is cheap and may repeat (a run still waiting in the queue is enqueued again a
minute later): the run task claims the integration first, and the claim only succeeds for
an integration that is due and not running, so a duplicate does nothing.
"""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zgovern.core.errors import DomainError
from zgovern.integrations.models import Integration
from zgovern.monitoring import runner
from zgovern.monitoring.models import RunTrigger

logger = logging.getLogger(__name__)


def due_integration_ids(now=None) -> list[int]:
    """Enabled integrations whose next run is due and that nobody is running."""
    now = now or timezone.now()
    free = Q(claimed_by="") | Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lte=now)
    with scopes_disabled():
        rows = Integration.objects.filter(free, enabled=True, next_run_at__lte=now)
        return list(rows.order_by("next_run_at").values_list("pk", flat=True))


@db_periodic_task(crontab(minute="*"))
def enqueue_due_runs() -> None:
    for integration_id in due_integration_ids():
        run_integration_task(integration_id, RunTrigger.SCHEDULE)


@db_task()
def run_integration_task(integration_id: int, trigger: str, started_by: str = "") -> int | None:
    """Run the integration if this worker can claim it; the run's id, or ``None``."""
    try:
        run = runner.run_integration(integration_id, trigger, started_by=started_by)
    except DomainError as exc:  # deleted meanwhile, or its checks no longer exist
        logger.warning("integration %s not run: %s", integration_id, exc.message)
        return None
    return run.pk if run is not None else None
