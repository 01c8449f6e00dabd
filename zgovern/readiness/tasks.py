"""Background work of the readiness module: one snapshot per organisation per day."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zgovern.readiness import services
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope


@db_periodic_task(crontab(minute="15", hour="*"))
def snapshot_all() -> None:
    """Hourly, so a day is recorded even when the worker was down at midnight; taking a
    snapshot twice on one day replaces that day's figures, so repeats are harmless."""
    for org_id in Organization.objects.values_list("id", flat=True):
        snapshot_organization(org_id)


@db_task()
def snapshot_organization(org_id: int) -> None:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return
    with organization_scope(org):
        services.take_snapshot(org)
