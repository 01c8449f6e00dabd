"""Demo alerts of Acme Cloud: the sweep run once over the demo records (overdue tasks,
due reviews, closed acknowledgement windows, new findings), so the alerts page has rows.

Idempotent: every alert is keyed by its event, so a second run writes nothing. Immediate
alerts are queued for delivery after the demo's transaction commits, as in production.
"""

from __future__ import annotations

from zgovern.alerts import sources


def load(context) -> None:
    sources.sweep(context.organization)
