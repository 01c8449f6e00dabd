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
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.identity import sync, userlist
from zgovern.identity.models import (
    Account,
    AccountStatus,
    IdentitySettings,
    LinkMethod,
    PersonAlias,
)
from zgovern.identity.records import AccountRecord
from zgovern.identity.sync import SyncStats
from zgovern.identity.userlist import UserListError, UserRow
from zgovern.people.models import Person
from zgovern.people.roster import Problem
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

__all__ = [
    "SyncStats",
    "UserListError",
    "add_alias",
    "import_accounts",
    "link_account",
    "mark_service",
    "record_accounts",
    "relink_all",
    "remove_alias",
    "settings_for",
    "unlink_account",
    "unmark_service",
    "update_settings",
]

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
    integration,
    system: str,
    records: list[AccountRecord] | None,
    at: datetime,
    *,
    partial: bool = False,
) -> SyncStats:
    """Store what a sync of ``system`` through ``integration`` listed (see the module's
    contract). Runs in the caller's transaction when there is one (a run's recording).

    ``partial=True`` says part of the system could not be listed (one AWS account of
    several, say): the records given are stored, and held accounts missing from them are
    marked stale instead of removed."""
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
        if partial:
            stats.stale = sync.mark_missing_stale(org, system, {"integration": integration}, seen)
        else:
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


# -- links and service accounts -------------------------------------------------------


def _account(org: Organization, account_id, *, lock: bool = False) -> Account:
    rows = Account.objects.filter(organization=org, pk=_id(account_id, "account_id"))
    account = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if account is None:
        raise NotFound("No such account.")
    return account


def _person(org: Organization, person_id, field_name: str = "person_id") -> Person:
    person = Person.objects.filter(organization=org, pk=_id(person_id, field_name)).first()
    if person is None:
        raise DomainError("No such person on the roster.", field=field_name)
    return person


def _id(value, field_name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError("Give a number.", field=field_name) from None
    if not 0 < number < 2**63:
        raise DomainError("No such record.", field=field_name)
    return number


def _state(account: Account) -> dict:
    return {
        "person": account.person.work_email if account.person_id else None,
        "link_method": account.link_method,
        "is_service": account.is_service,
        "service_owner": account.service_owner.work_email if account.service_owner_id else None,
        "service_note": account.service_note,
    }


def link_account(org: Organization, actor: Actor, account_id, person_id) -> Account:
    """Link an account to a person by hand; no sync will move it. A service account
    linked to a person stops being a service account."""
    with transaction.atomic():
        account = _account(org, account_id, lock=True)
        person = _person(org, person_id)
        before = _state(account)
        account.person, account.link_method = person, LinkMethod.MANUAL
        account.is_service, account.service_owner, account.service_note = False, None, ""
        return _save_link(org, actor, account, "identity.account_linked", before)


def unlink_account(org: Organization, actor: Actor, account_id) -> Account:
    """Unlink an account by hand: it stays unlinked (listed for attention) until someone
    links it again, even when its email matches a person."""
    with transaction.atomic():
        account = _account(org, account_id, lock=True)
        before = _state(account)
        account.person, account.link_method = None, LinkMethod.MANUAL
        return _save_link(org, actor, account, "identity.account_unlinked", before)


def mark_service(
    org: Organization, actor: Actor, account_id, *, owner_id, note: str = ""
) -> Account:
    """Mark an account as a service account owned by a person, with a note on its use."""
    note = _bounded(note, 500, "note")
    with transaction.atomic():
        account = _account(org, account_id, lock=True)
        owner = _person(org, owner_id, "owner_id")
        before = _state(account)
        account.is_service, account.service_owner, account.service_note = True, owner, note
        account.person, account.link_method = None, LinkMethod.NONE
        return _save_link(org, actor, account, "identity.account_marked_service", before)


def unmark_service(org: Organization, actor: Actor, account_id) -> Account:
    """A service account becomes a person's again, linked automatically when it can be."""
    with transaction.atomic():
        account = _account(org, account_id, lock=True)
        if not account.is_service:
            raise Conflict("This is not a service account.", field="account_id")
        before = _state(account)
        account.is_service, account.service_owner, account.service_note = False, None, ""
        account.link_method = LinkMethod.NONE
        _save_link(org, actor, account, "identity.account_unmarked_service", before)
        sync.relink(org, only=Q(pk=account.pk))
    account.refresh_from_db()
    return account


def _save_link(org, actor, account: Account, action: str, before: dict) -> Account:
    after = _state(account)
    if after == before:
        return account
    account.updated_at = timezone.now()
    account.save(update_fields=[
        "person", "link_method", "is_service", "service_owner", "service_note", "updated_at",
    ])  # fmt: skip
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    record(org, actor, action, account, changes)
    return account


def _bounded(value, limit: int, field_name: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise DomainError(f"At most {limit} characters.", field=field_name)
    return text


# -- aliases --------------------------------------------------------------------------


def add_alias(org: Organization, actor: Actor, person_id, alias: str) -> PersonAlias:
    """Another email or username the person is known by; links matching accounts."""
    text = _bounded(alias, 254, "alias").lower()
    if not text or any(c.isspace() for c in text) or "\x00" in text:
        raise DomainError("An alias is one email or username, without spaces.", field="alias")
    with transaction.atomic():
        person = _person(org, person_id)
        if Person.objects.filter(organization=org, work_email=text).exclude(pk=person.pk).exists():
            raise Conflict(f"{text} is another person's work email.", field="alias")
        try:
            with transaction.atomic():
                row = PersonAlias.objects.create(organization=org, person=person, alias=text)
        except IntegrityError:
            raise Conflict(f"{text} is already an alias.", field="alias") from None
        linked = sync.relink(org, only=Q(email=text) | Q(username__iexact=text))
        record(org, actor, "identity.alias_added", person, {"alias": text, "linked": linked})
    return row


def remove_alias(org: Organization, actor: Actor, alias_id) -> None:
    """Forget an alias; accounts it linked are linked again by what remains."""
    with transaction.atomic():
        row = PersonAlias.objects.filter(organization=org, pk=_id(alias_id, "alias_id")).first()
        if row is None:
            raise NotFound("No such alias.")
        person, text = row.person, row.alias
        row.delete()
        relinked = sync.relink(org, only=Q(email=text) | Q(username__iexact=text))
        record(org, actor, "identity.alias_removed", person, {"alias": text, "relinked": relinked})


# -- settings -------------------------------------------------------------------------

REVOCATION_MAX, ONBOARDING_MAX = 30, 365


def settings_for(org: Organization) -> IdentitySettings:
    """The organisation's windows; the defaults (not saved) until an admin changes them."""
    found = IdentitySettings.objects.filter(organization=org).first()
    return found or IdentitySettings(organization=org)


def update_settings(
    org: Organization, actor: Actor, *, revocation_business_days, onboarding_days
) -> IdentitySettings:
    """Change the revocation window (0-30 business days) and the onboarding window
    (1-365 days)."""
    revocation = _bounded_int(
        revocation_business_days, 0, REVOCATION_MAX, "revocation_business_days"
    )
    onboarding = _bounded_int(onboarding_days, 1, ONBOARDING_MAX, "onboarding_days")
    with transaction.atomic():
        row, _ = IdentitySettings.objects.select_for_update().get_or_create(organization=org)
        before = [row.revocation_business_days, row.onboarding_days]
        if before == [revocation, onboarding]:
            return row
        row.revocation_business_days, row.onboarding_days = revocation, onboarding
        row.updated_at = timezone.now()
        row.save()
        record(org, actor, "identity.settings_updated", None, {
            "revocation_business_days": [before[0], revocation],
            "onboarding_days": [before[1], onboarding],
        })  # fmt: skip
    return row


def _bounded_int(value, low: int, high: int, field_name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError("Give a whole number.", field=field_name) from None
    if (isinstance(value, float) and not value.is_integer()) or not low <= number <= high:
        raise DomainError(f"Give a whole number from {low} to {high}.", field=field_name)
    return number


# -- user list upload -----------------------------------------------------------------


@dataclass
class ImportReport:
    systems: dict[str, dict[str, int]] = field(default_factory=dict)  # system -> SyncStats

    def total(self, name: str) -> int:
        return sum(stats[name] for stats in self.systems.values())


def import_accounts(org: Organization, actor: Actor, name: str, data: bytes | None) -> ImportReport:
    """Import an uploaded user list (see :data:`userlist.COLUMNS`). Validated whole first:
    any problem raises :class:`UserListError` and nothing is written. Each system in the
    file is taken as that system's full list: its uploaded accounts missing from the file
    become ``removed``. Re-importing the same file creates and updates nothing."""
    if data is None:
        raise DomainError("Choose a CSV or XLSX file to import.", field="file")
    if len(data) > settings.ROSTER_MAX_BYTES:
        raise UserListError([Problem(0, "", (
            f"the file is larger than the limit of {settings.ROSTER_MAX_BYTES:,} bytes"
        ))])  # fmt: skip
    rows = userlist.read_user_list(name, data)
    at = timezone.now()
    report = ImportReport()
    with transaction.atomic():
        _refuse_synced_systems(org, rows)
        for system, records in _by_system(rows).items():
            stats = SyncStats()
            unique = sync.unique_records(records, stats)
            sync.upsert(org, system, None, unique, at, stats)
            seen = {r.external_id for r in unique}
            holder = {"integration__isnull": True}
            stats.removed = sync.remove_missing(org, system, holder, seen, at)
            stats.linked = sync.relink(org, system)
            report.systems[system] = stats.as_dict()
        record(
            org, actor, "identity.accounts_imported", None, {"file": name[:200], **report.systems}
        )
    return report


def _by_system(rows: list[UserRow]) -> dict[str, list[AccountRecord]]:
    grouped: dict[str, list[AccountRecord]] = {}
    for row in rows:
        grouped.setdefault(row.system, []).append(row.record)
    return grouped


def _refuse_synced_systems(org: Organization, rows: list[UserRow]) -> None:
    """A system an integration syncs is not also uploaded: the two would fight over it."""
    systems = {row.system for row in rows}
    synced = set(
        Account.objects.filter(organization=org, system__in=systems, integration__isnull=False)
        .values_list("system", flat=True)
        .distinct()
    )
    problems = [
        Problem(
            row.line,
            "system",
            f"{row.system} is synced by an integration; its accounts come from there",
        )
        for row in rows
        if row.system in synced
    ]
    if problems:
        raise UserListError(problems)


# -- the built-in workforce checks ----------------------------------------------------

WORKFORCE_PROVIDER, WORKFORCE_NAME = "workforce", "Workforce checks"


def ensure_workforce_integration(org: Organization, actor: Actor):
    """The organisation's built-in workforce integration, added the first time (no
    credentials needed). Idempotent: an existing one is returned as it is."""
    from zgovern.integrations import services as integrations
    from zgovern.integrations.models import Integration

    found = Integration.objects.filter(organization=org, provider=WORKFORCE_PROVIDER).first()
    if found is not None:
        return found
    name = WORKFORCE_NAME
    if Integration.objects.filter(organization=org, name=name).exists():
        name = f"{WORKFORCE_NAME} (built in)"
    return integrations.create_integration(
        org, actor, provider=WORKFORCE_PROVIDER, name=name, config={}
    )
