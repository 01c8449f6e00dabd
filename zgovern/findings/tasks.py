"""Findings scans run here, in the worker, never inside a web request."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from zgovern.findings import services
from zgovern.monitoring.runner import worker_id


@db_task()
def run_scan_task(scan_id: int) -> str | None:
    """Run the scan if it is still queued (a repeat of the task does nothing)."""
    scan = services.run_scan(scan_id, worker_id())
    return scan.status if scan is not None else None
