"""Demo: the built-in records checks of Acme Cloud, added once after the vendors, risks,
incidents and access reviews they read."""

from __future__ import annotations

from zgovern.integrations.records.services import ensure_records_checks


def load(context) -> None:
    ensure_records_checks(context.organization, context.actor)
