"""Monitoring's writes on a person's behalf: "Run now", and importing a scanner's findings.

(The scheduled and command-line runs are :func:`zgovern.monitoring.runner.run_integration`;
integrations themselves are changed through :mod:`zgovern.integrations.services`.)
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError, NotFound
from zgovern.integrations import services as integrations
from zgovern.integrations.models import Integration
from zgovern.monitoring import ocsf, recorder, runner, snapshot, tasks
from zgovern.monitoring.models import CheckRun, RunStatus, RunTrigger
from zgovern.tenancy import activity
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

MAX_IMPORT_BYTES = 50 * 1024 * 1024


def request_run(org: Organization, actor: Actor, integration_id: Any) -> Integration:
    """Make the integration due now and enqueue its run (the worker runs it as soon as it
    is free; a run already under way is not doubled)."""
    integration = integrations.request_run(org, actor, integration_id)
    tasks.run_integration_task(integration.pk, RunTrigger.MANUAL, actor.label)
    return integration


def import_ocsf(
    org: Organization,
    actor: Actor,
    data: bytes,
    *,
    integration_id: Any = None,
    integration_name: str | None = None,
) -> CheckRun:
    """Record a scanner's OCSF findings (``monitoring.findings_imported``) as a run with
    trigger ``import``, optionally as seen by one of the organisation's integrations.
    Refuses a file that is not OCSF, naming what is wrong; then nothing is recorded."""
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError(f"The file is larger than {MAX_IMPORT_BYTES // 2**20} MiB.", field="file")
    scan = ocsf.parse(data)
    with organization_scope(org):
        integration = _integration(org, integration_id, integration_name)
        if integration is not None and scan.provider not in (integration.provider, "ocsf"):
            raise DomainError(
                f"The findings are about {scan.provider!r}, but {integration.name} is a "
                f"{integration.provider!r} integration.",
                field="integration",
            )
        with transaction.atomic():
            run = _record(org, actor, scan, integration, hashlib.sha256(data).hexdigest())
    return run


def _integration(org, integration_id: Any, name: str | None) -> Integration | None:
    if integration_id in (None, "") and not name:
        return None
    rows = Integration.objects.filter(organization=org)
    found = rows.filter(name=name).first() if name else rows.filter(pk=_pk(integration_id)).first()
    if found is None:
        raise NotFound(f"No integration {name or integration_id!r}.", field="integration")
    return found


def _pk(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _record(org, actor: Actor, scan: ocsf.Scan, integration: Integration | None, sha256: str):
    now = timezone.now()
    run = CheckRun.objects.create(
        organization=org,
        integration=integration,
        integration_name=integration.name if integration else f"{scan.product} import",
        provider=scan.provider,
        trigger=RunTrigger.IMPORT,
        started_by=actor.label[:300],
        started_at=now,
        checks=[obs.check_id for obs in scan.observations],
    )
    stats = recorder.record(
        org, provider=scan.provider, integration_id=integration.pk if integration else None,
        observations=scan.observations, at=now,
    )  # fmt: skip
    runner.apply_stats(run, stats)
    source = {"product": scan.product, "file_sha256": sha256, "mapped": scan.mapped,
              "unmapped": scan.unmapped}  # fmt: skip
    run.evidence_ids = snapshot.add_run_evidence(run, {"import": source}, scan.observations)
    run.finished_at = timezone.now()
    run.duration_seconds = (run.finished_at - now).total_seconds()
    run.status = RunStatus.PARTIAL if run.errors else RunStatus.SUCCEEDED
    run.save()
    activity.record(org, actor, "monitoring.findings_imported", run, {
        **source, "checks": len(scan.observations), "findings": sum(run.counts().values()),
    })  # fmt: skip
    return run
