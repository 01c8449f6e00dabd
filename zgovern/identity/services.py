"""The identity graph's domain operations: the only code that writes accounts, aliases,
links and the organisation's identity settings. Each runs in one transaction with its
activity-log row(s); a sync logs one summary row, not one per account.

Sync contract (:func:`record_accounts`, called by providers' ``persist``):

- accounts are upserted by (organisation, system, external id);
- accounts the integration held that the sync no longer lists become ``removed``
  (``deactivated_at`` set when they leave "active"); they are never deleted;
- ``records=None`` means the system could not be synced: the integration's accounts are
  marked ``stale`` and nothing else changes; a successful sync clears ``stale``;
- afterwards accounts are linked to people by work email, then by known alias
  (case-insensitive); manual links and service-account marks are never undone.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.identity import sync
from zgovern.identity.models import Account, AccountStatus
from zgovern.identity.records import AccountRecord
from zgovern.identity.sync import SyncStats
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

__all__ = ["SyncStats", "record_accounts", "relink_all"]

_SYSTEM = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def clean_system(value: str, field_name: str = "system") -> str:
    """A system key: lower-case letters, digits, - and _ (at most 60)."""
    system = str(value or "").strip().lower()
    if not _SYSTEM.match(system):
        raise DomainError(
            "A system is 1-60 lower-case letters, digits, - or _ (e.g. okta, jira).",
            field=field_name,
        )
    return system


def record_accounts(
    integration, system: str, records: list[AccountRecord] | None, at: datetime
) -> SyncStats:
    """Store what a sync of ``system`` through ``integration`` listed (see the module's
    contract). Runs in the caller's transaction when there is one (a run's recording)."""
    org = integration.organization
    system = clean_system(system)
    stats = SyncStats()
    with organization_scope(org), transaction.atomic():
        holder = Account.objects.filter(organization=org, system=system, integration=integration)
        if records is None:
            # A removed account stays removed: only what was last seen is in doubt.
            stats.stale = holder.exclude(status=AccountStatus.REMOVED).update(stale=True)
            _log_sync(org, integration, system, "identity.accounts_stale", stats)
            return stats
        unique = sync.unique_records(records, stats)
        sync.upsert(org, system, integration, unique, at, stats)
        seen = {r.external_id for r in unique}
        stats.removed = sync.remove_missing(org, system, {"integration": integration}, seen, at)
        stats.linked = sync.relink(org, system)
        _log_sync(org, integration, system, "identity.accounts_synced", stats)
    return stats


def _log_sync(org, integration, system: str, action: str, stats: SyncStats) -> None:
    actor = Actor.system(f"integration {integration.name}")
    record(org, actor, action, integration, {"system": system, **stats.as_dict()})


def relink_all(org: Organization, actor: Actor) -> int:
    """Recompute every automatic link (after the roster or aliases changed)."""
    with transaction.atomic():
        changed = sync.relink(org)
        if changed:
            record(org, actor, "identity.relinked", None, {"accounts": changed})
    return changed
