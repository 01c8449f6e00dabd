"""Bundles are built here, in the worker, never inside a web request."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from zgovern.audits import services
from zgovern.monitoring.runner import worker_id


@db_task()
def build_bundle_task(bundle_id: int) -> str | None:
    """Build the bundle if it is still queued (a repeat of the task does nothing)."""
    bundle = services.build_bundle(bundle_id, worker_id())
    return bundle.status if bundle is not None else None
