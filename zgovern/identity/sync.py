"""The bulk upsert behind :func:`zgovern.identity.services.record_accounts` and the CSV
import: records are compared with what is stored one page at a time, so the memory a sync
needs beyond its input is bounded by the page size, not by the number of accounts.

Only :mod:`zgovern.identity.services` calls these; they write, but never log: the caller
logs one summary row per sync.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Q

from zgovern.identity.models import Account, AccountStatus, LinkMethod, MfaState, PersonAlias
from zgovern.identity.records import AccountRecord
from zgovern.people.models import Person

PAGE = 1000  # accounts compared, created or updated per query
T = TypeVar("T")

# Fields a record sets on its account; a change to any of them counts as an update.
RECORD_FIELDS = (
    "username",
    "email",
    "display_name",
    "status",
    "mfa",
    "privileged",
    "last_login_at",
    "attributes",
)
_LIMITS = {"external_id": 255, "username": 255, "email": 254, "display_name": 200}


@dataclass
class SyncStats:
    """What a sync (or an import) did to the accounts of one system."""

    seen: int = 0  # records received (after dropping duplicates)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # no longer listed: now status "removed"
    stale: int = 0  # kept as they were because the system could not be synced
    linked: int = 0  # accounts whose person changed by email or alias
    duplicates: int = 0  # records repeating an external id already given (first kept)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def pages(items: Sequence[T], size: int = PAGE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def normalised(record: AccountRecord) -> dict[str, Any]:
    """The stored values of a record: trimmed, bounded, lower-cased email, known
    status and MFA state (anything else becomes suspended / unknown)."""
    status = record.status if record.status in AccountStatus.values else AccountStatus.SUSPENDED
    return {
        "username": str(record.username or record.external_id).strip()[: _LIMITS["username"]],
        "email": str(record.email or "").strip().lower()[: _LIMITS["email"]],
        "display_name": str(record.display_name or "").strip()[: _LIMITS["display_name"]],
        "status": status,
        "mfa": record.mfa if record.mfa in MfaState.values else MfaState.UNKNOWN,
        "privileged": bool(record.privileged),
        "last_login_at": record.last_login_at,
        "attributes": dict(record.attributes or {}),
    }


def unique_records(records: Iterable[AccountRecord], stats: SyncStats) -> list[AccountRecord]:
    """The records with a usable external id, the first of each id kept."""
    kept: dict[str, AccountRecord] = {}
    for record in records:
        key = str(record.external_id or "").strip()[: _LIMITS["external_id"]]
        if not key:
            stats.duplicates += 1
            continue
        if key in kept:
            stats.duplicates += 1
            continue
        kept[key] = record
    stats.seen = len(kept)
    return [_with_id(record, key) for key, record in kept.items()]


def _with_id(record: AccountRecord, key: str) -> AccountRecord:
    if record.external_id == key:
        return record
    return AccountRecord(**{**record.__dict__, "external_id": key})


def upsert(
    org,
    system: str,
    integration,
    records: list[AccountRecord],
    at: datetime,
    stats: SyncStats,
) -> None:
    """Create or update one account per record (by external id, unique records only)."""
    for page in pages(records):
        _upsert_page(org, system, integration, page, at, stats)


def _upsert_page(org, system, integration, page, at, stats) -> None:
    stored = {
        account.external_id: account
        for account in Account.objects.filter(
            organization=org, system=system, external_id__in=[r.external_id for r in page]
        )
    }
    created, changed, same = [], [], []
    for record in page:
        values = normalised(record)
        account = stored.get(record.external_id)
        if account is None:
            created.append(_new(org, system, integration, record.external_id, values, at))
        elif _apply(account, values, integration, at):
            changed.append(account)
        else:
            same.append(account.pk)
    Account.objects.bulk_create(created, batch_size=PAGE)
    Account.objects.bulk_update(
        changed,
        [*RECORD_FIELDS, "integration", "stale", "last_seen_at", "deactivated_at", "updated_at"],
        batch_size=PAGE,
    )
    # The unchanged majority: one UPDATE for the page, not one per row.
    Account.objects.filter(organization=org, pk__in=same).update(last_seen_at=at, stale=False)
    stats.created += len(created)
    stats.updated += len(changed)
    stats.unchanged += len(same)


def _new(org, system, integration, external_id: str, values: dict, at: datetime) -> Account:
    # First seen already inactive: when it left "active" is unknown, so it stays empty.
    return Account(
        organization=org, system=system, integration=integration, external_id=external_id,
        first_seen_at=at, last_seen_at=at, updated_at=at, **values,
    )  # fmt: skip


def _apply(account: Account, values: dict, integration, at: datetime) -> bool:
    """Set ``values`` on ``account``; True when anything but the sighting changed."""
    changed = account.stale or account.integration_id != getattr(integration, "pk", None)
    was_active = account.status == AccountStatus.ACTIVE
    for name, value in values.items():
        if getattr(account, name) != value:
            setattr(account, name, value)
            changed = True
    if was_active and values["status"] != AccountStatus.ACTIVE:
        account.deactivated_at = at
    elif values["status"] == AccountStatus.ACTIVE:
        account.deactivated_at = None
    account.integration = integration
    account.stale = False
    account.last_seen_at = at
    if changed:
        account.updated_at = at
    return changed


def mark_missing_stale(org, system: str, holder: dict, seen: set[str]) -> int:
    """A partial sync: the held accounts it did not list are in doubt, not gone."""
    held = Account.objects.filter(organization=org, system=system, **holder).exclude(
        status=AccountStatus.REMOVED
    )
    missing = [
        pk
        for pk, external_id in held.values_list("id", "external_id").iterator(chunk_size=PAGE * 5)
        if external_id not in seen
    ]
    for page in pages(missing):
        Account.objects.filter(organization=org, pk__in=page).update(stale=True)
    return len(missing)


def remove_missing(org, system: str, holder: dict, seen: set[str], at: datetime) -> int:
    """Mark ``removed`` the accounts of ``system`` held by ``holder`` (a filter on the
    integration) and not in ``seen``; the ones leaving "active" get ``deactivated_at``."""
    held = Account.objects.filter(organization=org, system=system, **holder).exclude(
        status=AccountStatus.REMOVED
    )
    gone_active, gone_other = [], []
    for pk, external_id, status in held.values_list("id", "external_id", "status").iterator(
        chunk_size=PAGE * 5
    ):
        if external_id not in seen:
            (gone_active if status == AccountStatus.ACTIVE else gone_other).append(pk)
    for page in pages(gone_active):
        Account.objects.filter(organization=org, pk__in=page).update(
            status=AccountStatus.REMOVED, deactivated_at=at, updated_at=at, stale=False
        )
    for page in pages(gone_other):
        Account.objects.filter(organization=org, pk__in=page).update(
            status=AccountStatus.REMOVED, updated_at=at, stale=False
        )
    return len(gone_active) + len(gone_other)


# -- linking --------------------------------------------------------------------------


def link_maps(org) -> tuple[dict[str, int], dict[str, int]]:
    """work email -> person id, alias -> person id (both lower-case)."""
    emails = dict(Person.objects.filter(organization=org).values_list("work_email", "id"))
    aliases = dict(PersonAlias.objects.filter(organization=org).values_list("alias", "person_id"))
    return {e.lower(): pk for e, pk in emails.items()}, {a.lower(): pk for a, pk in aliases.items()}


def match(
    email: str, username: str, emails: dict[str, int], aliases: dict[str, int]
) -> tuple[int | None, str]:
    """The person an account belongs to and how it was found: by work email first, then
    by a known alias of its email or its username."""
    email, username = (email or "").lower(), (username or "").lower()
    if email and email in emails:
        return emails[email], LinkMethod.EMAIL
    for key in (email, username):
        if key and key in aliases:
            return aliases[key], LinkMethod.ALIAS
    if username in emails:  # a username that is a work email (Okta's login, say)
        return emails[username], LinkMethod.EMAIL
    return None, LinkMethod.NONE


def relink(org, system: str | None = None, only: Q | None = None) -> int:
    """Recompute automatic links (of one system's accounts, of those matching ``only``, or
    of all): manual links and service accounts are left alone. Returns how many accounts
    changed person."""
    emails, aliases = link_maps(org)
    rows = Account.objects.filter(organization=org, is_service=False).exclude(
        link_method=LinkMethod.MANUAL
    )
    if system is not None:
        rows = rows.filter(system=system)
    if only is not None:
        rows = rows.filter(only)
    return _relink_rows(org, rows, emails, aliases)


def _relink_rows(org, rows, emails, aliases) -> int:
    """Read every row first (SQLite gives no isolation between a cursor being read and
    writes on the same connection), then write the moves a page at a time."""
    fields = ("id", "email", "username", "person_id", "link_method")
    moves: list[tuple[int, int | None, str]] = []
    for pk, email, username, person_id, method in rows.values_list(*fields).iterator(
        chunk_size=PAGE * 5
    ):
        target, how = match(email, username, emails, aliases)
        if (target, how) != (person_id, method):
            moves.append((pk, target, how))
    for page in pages(moves):
        # One CASE update per page rather than one UPDATE per account.
        Account.objects.bulk_update(
            [Account(pk=pk, organization=org, person_id=p, link_method=m) for pk, p, m in page],
            ["person", "link_method"],
        )
    return len(moves)
