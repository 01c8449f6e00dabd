"""Background work of the portal: the reminder emails. Tasks take ids and may run twice:
every email is recorded before it counts as sent (see :mod:`zgovern.portal.reminders`)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zgovern.portal import reminders
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="7", minute="0"))
def enqueue_reminders() -> None:
    """Every morning, one reminder task per organisation."""
    for org_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        send_org_reminders(org_id)


@db_task()
def send_org_reminders(organization_id: int) -> dict | None:
    """Announce, remind and digest in one organisation; what was sent, by kind."""
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return None
    with organization_scope(org):
        sent = reminders.send_reminders(org)
    logger.info("organisation %s reminders: %s", org.pk, sent)
    return sent.__dict__


@db_task()
def announce_version(organization_id: int, version_id: int) -> int:
    """At publication: tell everyone who has to acknowledge the version (once each)."""
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return 0
    with organization_scope(org):
        return reminders.announce_version(org, version_id)
