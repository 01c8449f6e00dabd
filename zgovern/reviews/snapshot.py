"""The copy of a campaign's accounts into review items, taken when the campaign starts.

An item keeps what the reviewer judged: the account (status, privileges, roles, last
sign-in), the person it belongs to (a service account's owner stands in for it) with their
department, status, employment type and manager, and five flags. Later syncs change the
account, never the item. Called inside :func:`zgovern.reviews.services.start_campaign`'s
transaction; writes in batches so 10,000 accounts stay quick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, models
from django.utils import timezone

from zgovern.identity.models import Account, AccountStatus
from zgovern.people.models import EmploymentType, Person, PersonStatus
from zgovern.reviews.models import Campaign, ReviewerMode, ReviewItem
from zgovern.tenancy.models import Membership, Organization

DORMANT_DAYS = 90
BATCH = 1000
ROLES_MAX = 500
ACCOUNT_COLUMNS = (
    "pk", "system", "username", "email", "display_name", "status", "mfa", "privileged",
    "attributes", "last_login_at", "first_seen_at", "is_service", "person_id",
    "service_owner_id",
)  # fmt: skip
PERSON_COLUMNS = (
    "pk", "full_name", "work_email", "department", "status", "end_date", "employment_type",
    "manager__full_name", "manager__work_email",
)  # fmt: skip


@dataclass(frozen=True)
class _Person:
    name: str
    email: str
    department: str
    status: str  # current: a passed end date is terminated (as Person.current_status)
    employment_type: str
    manager_name: str
    manager_email: str


def take(org: Organization, campaign: Campaign, now: datetime) -> int:
    """Create the campaign's items as of ``now``; returns how many.

    Reads plain values and inserts with one prepared statement per batch: model instances
    and the ORM's per-value SQL compilation made a 10,000-account start take many seconds.
    """
    assign = _Assigner(org, campaign)
    people = _people(org, timezone.localdate(now))
    accounts = (
        Account.objects.filter(organization=org, system__in=campaign.systems)
        .exclude(status=AccountStatus.REMOVED)
        .order_by("system", "username", "id")
        .values_list(*ACCOUNT_COLUMNS, named=True)
    )
    writer = _Writer(org, campaign)
    for account in accounts.iterator(chunk_size=BATCH):
        writer.add(_item(account, people, now, assign))
    return writer.flush()


def _people(org: Organization, today: date) -> dict[int, _Person]:
    rows = Person.objects.filter(organization=org).values_list(*PERSON_COLUMNS)
    out = {}
    for pk, name, email, department, status, end, kind, m_name, m_email in rows.iterator(
        chunk_size=5000
    ):
        if end is not None and end < today:
            status = PersonStatus.TERMINATED
        out[pk] = _Person(name, email, department, status, kind, m_name or "", m_email or "")
    return out


class _Writer:
    """Inserts items in batches, each value prepared as the database expects it."""

    def __init__(self, org: Organization, campaign: Campaign) -> None:
        fields = [f for f in ReviewItem._meta.concrete_fields if not f.primary_key]
        self.fields = fields
        self.fixed = {"organization_id": org.pk, "campaign_id": campaign.pk}
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.prepare = [_preparer(f) for f in fields]
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(ReviewItem._meta.db_table)
        # Only quoted names from the model's own metadata; every value is a parameter.
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, values: dict[str, Any]) -> None:
        row = {**self.defaults, **self.fixed, **values}
        self.rows.append(
            tuple(p(row[f.attname]) for f, p in zip(self.fields, self.prepare, strict=True))
        )
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> int:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []
        return self.count


def _preparer(field) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


class _Assigner:
    """Picks each account's reviewer and the owner of its remediation (user ids)."""

    def __init__(self, org: Organization, campaign: Campaign) -> None:
        default = campaign.default_reviewer
        self.default = (default.pk, default.email.lower())
        self.systems = {
            a.system: ((a.reviewer_id, a.reviewer.email.lower()), a.owner_id)
            for a in campaign.assignments.select_related("reviewer")
        }
        self.managers: dict[str, tuple[int, str]] = {}
        if campaign.reviewer_mode == ReviewerMode.MANAGER:
            members = Membership.objects.filter(
                organization=org, role__in=("owner", "admin", "member"), user__is_active=True
            ).values_list("user_id", "user__email")
            self.managers = {email.lower(): (pk, email.lower()) for pk, email in members}

    def reviewer(self, system: str, person: _Person | None, emails: set[str]) -> int:
        """The manager (manager mode), else the system's reviewer; never the account's own
        holder when another reviewer is at hand."""
        chosen = []
        if person is not None and person.manager_email:
            chosen.append(self.managers.get(person.manager_email.lower()))
        assignment = self.systems.get(system)
        chosen += [assignment[0] if assignment else None, self.default]
        candidates = [c for c in chosen if c is not None]
        for pk, email in candidates:
            if email not in emails:
                return pk
        return candidates[0][0]

    def owner(self, system: str) -> int:
        assignment = self.systems.get(system)
        return assignment[1] if assignment else self.default[0]


def _item(account, people: dict[int, _Person], now: datetime, assign: _Assigner) -> dict:
    person_id = account.person_id or (account.service_owner_id if account.is_service else None)
    person = people.get(person_id) if person_id else None
    emails = {e for e in (account.email.lower(), person.email.lower() if person else "") if e}
    return {
        "account_id": account.pk,
        "system": account.system,
        "username": account.username,
        "account_email": account.email,
        "display_name": account.display_name,
        "account_status": account.status,
        "mfa": account.mfa,
        "privileged": account.privileged,
        "roles": _roles(account.attributes),
        "last_login_at": account.last_login_at,
        "is_service": account.is_service,
        "person_id": person_id if person else None,
        "person_name": person.name if person else "",
        "person_email": person.email if person else "",
        "person_department": person.department if person else "",
        "person_status": person.status if person else "",
        "employment_type": person.employment_type if person else "",
        "manager_name": person.manager_name if person else "",
        "flag_terminated": bool(person) and person.status == PersonStatus.TERMINATED,
        "flag_unlinked": person is None,
        "flag_privileged": account.privileged,
        "flag_dormant": is_dormant(account.last_login_at, account.first_seen_at, now),
        "flag_contractor": bool(person) and person.employment_type == EmploymentType.CONTRACTOR,
        "reviewer_id": assign.reviewer(account.system, person, emails),
        "remediation_owner_id": assign.owner(account.system),
    }


def is_dormant(last_login_at: datetime | None, first_seen_at: datetime | None, now) -> bool:
    """No sign-in for 90 days; an account that never signed in counts from when it was
    first seen (a new account is not dormant yet)."""
    since = last_login_at or first_seen_at
    return since is not None and since < now - timedelta(days=DORMANT_DAYS)


def _roles(attributes) -> str:
    """The account's roles or groups, as one line."""
    if not isinstance(attributes, dict):
        return ""
    for key in ("roles", "groups", "role"):
        value = attributes.get(key)
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)[:ROLES_MAX]
        if value:
            return str(value)[:ROLES_MAX]
    return ""
