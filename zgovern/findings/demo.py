"""Demo findings: one scan of the last 6 months, run inline, over whatever the other demo
modules recorded (a leaver's accounts, people not yet trained, unassessed vendors...).
Runs only when the organisation has no finished scan, so loading twice changes nothing."""

from __future__ import annotations

from zgovern.findings import queries, services


def load(context) -> None:
    org, actor = context.organization, context.actor
    if queries.latest_scan(org, done=True) is not None:
        return
    scan = services.request_scan(org, actor, enqueue=False)
    services.run_scan(scan.pk, "demo")
