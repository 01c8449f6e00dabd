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

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from zgovern.identity.models import Account, AccountStatus, LinkMethod, MfaState, PersonAlias
from zgovern.identity.records import AccountRecord
from zgovern.people.models import Person

PAGE = 1000  # accounts compared, created or updated per query
# Changed accounts per UPDATE: Django writes one CASE per field with a branch per row,
# which costs memory and time growing with the square of the batch, so batches stay small.
UPDATE_BATCH = 200
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


_STORED = ("id", "external_id", "integration_id", "stale", "deactivated_at", *RECORD_FIELDS)
_UPDATED = [*RECORD_FIELDS, "integration", "stale", "last_seen_at", "deactivated_at", "updated_at"]


def _upsert_page(org, system, integration, page, at, stats) -> None:
    """Stored rows are read as tuples (no model instances); only new and changed
    accounts become objects, and the unchanged majority is one UPDATE of the sighting."""
    rows = Account.objects.filter(
        organization=org, system=system, external_id__in=[r.external_id for r in page]
    ).values_list(*_STORED)
    stored = {row[1]: dict(zip(_STORED, row, strict=True)) for row in rows}
    created, changed, same = [], [], []
    holder_id = getattr(integration, "pk", None)
    for record in page:
        values = normalised(record)
        row = stored.get(record.external_id)
        if row is None:
            created.append(_new(org, system, integration, record.external_id, values, at))
        elif _differs(row, values, holder_id):
            changed.append(_changed(org, row, values, integration, at))
        else:
            same.append(row["id"])
    Account.objects.bulk_create(created, batch_size=PAGE)
    for batch in pages(changed, UPDATE_BATCH):
        # Django builds every batch's CASE expressions before running any: pass one at a time.
        Account.objects.bulk_update(batch, _UPDATED)
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


def _differs(row: dict, values: dict, holder_id) -> bool:
    """Whether anything but the sighting changes (a stale mark cleared counts)."""
    if row["stale"] or row["integration_id"] != holder_id:
        return True
    return any(row[name] != value for name, value in values.items())


def _changed(org, row: dict, values: dict, integration, at: datetime) -> Account:
    """The account as updated; ``deactivated_at`` is set when it leaves "active" and
    cleared when it is active again."""
    deactivated_at = row["deactivated_at"]
    if values["status"] == AccountStatus.ACTIVE:
        deactivated_at = None
    elif row["status"] == AccountStatus.ACTIVE:
        deactivated_at = at
    return Account(
        pk=row["id"], organization=org, integration=integration, stale=False, last_seen_at=at,
        deactivated_at=deactivated_at, updated_at=at, **values,
    )  # fmt: skip


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
#
# Linking is done by the database, a few set-based UPDATEs per relink whatever the number
# of accounts: nothing is loaded into Python, so memory stays flat. Emails and aliases are
# stored lower-case; usernames are compared lower-cased.


def _link_rules(org) -> list[tuple[Q, QuerySet, str]]:
    """(condition on an account, where its person comes from, link method), in order of
    precedence: work email, alias of the email, alias of the username, a username that is
    a work email (Okta's login, an IAM user named by email)."""
    people = Person.objects.filter(organization=org)
    aliases = PersonAlias.objects.filter(organization=org)
    by_email = people.filter(work_email=OuterRef("email")).values("pk")
    alias_email = aliases.filter(alias=OuterRef("email")).values("person_id")
    alias_user = aliases.filter(alias=Lower(OuterRef("username"))).values("person_id")
    user_email = people.filter(work_email=Lower(OuterRef("username"))).values("pk")
    has_email = ~Q(email="")
    return [
        (has_email & Q(Exists(by_email)), by_email, LinkMethod.EMAIL),
        (has_email & Q(Exists(alias_email)), alias_email, LinkMethod.ALIAS),
        (Q(Exists(alias_user)), alias_user, LinkMethod.ALIAS),
        (Q(Exists(user_email)), user_email, LinkMethod.EMAIL),
    ]


def relink(org, system: str | None = None, only: Q | None = None) -> int:
    """Recompute automatic links (of one system's accounts, of those matching ``only``, or
    of all): manual links and service accounts are left alone. Returns how many accounts
    changed person or link method."""
    auto = Account.objects.filter(organization=org, is_service=False).exclude(
        link_method=LinkMethod.MANUAL
    )
    if system is not None:
        auto = auto.filter(system=system)
    if only is not None:
        auto = auto.filter(only)
    changed, earlier = 0, Q(pk__in=[])
    for condition, source, method in _link_rules(org):
        target = Subquery(source[:1])
        rows = auto.filter(condition).exclude(earlier).exclude(link_method=method, person=target)
        changed += rows.update(person=target, link_method=method)
        earlier |= condition
    # Matching nothing any more: an automatic link is undone.
    rows = auto.exclude(earlier).exclude(person=None, link_method=LinkMethod.NONE)
    return changed + rows.update(person=None, link_method=LinkMethod.NONE)
