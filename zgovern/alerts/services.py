"""The alerts' domain operations: the only code that writes preferences, the webhook
setting and alert rows.

:func:`notify` is the one entry point for every source of events (checks, findings,
tasks, requests, reviews, policies) and for other apps: it writes one :class:`Alert` per
destination, keyed so that telling it twice about the same event changes nothing, and
hands the immediate ones to delivery once the caller's transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from zgovern.alerts.models import (
    DEFAULT_MODES,
    WEBHOOK,
    Alert,
    AlertGroup,
    AlertSettings,
    AlertStatus,
    Channel,
    Kind,
    Mode,
    Preference,
)
from zgovern.core import crypto
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Membership, Organization

SUBJECT_MAX, KEY_MAX, LINK_MAX, WEBHOOK_MAX = 300, 300, 500, 2000
RATE_LIMIT_MAX_MINUTES = 7 * 24 * 60


def settings_for(org: Organization) -> AlertSettings:
    """The organisation's alert settings (unsaved defaults when never set)."""
    found = AlertSettings.objects.filter(organization=org).first()
    return found or AlertSettings(organization=org)


def modes_for(org: Organization, user) -> dict[str, str]:
    """Kind -> the user's chosen mode, defaults filled in."""
    chosen = dict(
        Preference.objects.filter(organization=org, user=user).values_list("kind", "mode")
    )
    return {kind: chosen.get(kind, DEFAULT_MODES[kind]) for kind in Kind.values}


def set_modes(org: Organization, actor: Actor, modes: dict[str, str]) -> dict[str, str]:
    """Store the actor's choices (kind -> mode) for the kinds given; the full map back."""
    for kind, mode in modes.items():
        if kind not in Kind.values:
            raise DomainError(f"Unknown alert kind {kind!r}.", field=str(kind)[:80])
        if mode not in Mode.values:
            raise DomainError(f"Choose immediate, digest or off, not {mode!r}.", field=kind)
    now = timezone.now()
    with transaction.atomic():
        for kind, mode in modes.items():
            Preference.objects.update_or_create(
                organization=org, user=actor.user, kind=kind,
                defaults={"mode": mode, "updated_at": now},
            )  # fmt: skip
        record(org, actor, "alerts.preferences_changed", None, {"modes": modes})
    return modes_for(org, actor.user)


def update_settings(
    org: Organization,
    actor: Actor,
    *,
    webhook_url: str | None = None,
    clear_webhook: bool = False,
    rate_limit_minutes: int | None = None,
    weekly_summary: bool | None = None,
) -> AlertSettings:
    """Change the organisation's settings. ``webhook_url`` None keeps the stored one (it
    is never shown back, so a form left blank must not erase it); ``clear_webhook``
    removes it. Only an https URL is accepted."""
    host = _webhook_host(webhook_url) if webhook_url else None
    if rate_limit_minutes is not None and not 1 <= rate_limit_minutes <= RATE_LIMIT_MAX_MINUTES:
        raise DomainError(
            f"The rate limit is 1 to {RATE_LIMIT_MAX_MINUTES} minutes.", field="rate_limit_minutes"
        )
    changes: dict = {}
    with transaction.atomic():
        row, _ = AlertSettings.objects.get_or_create(organization=org)
        if clear_webhook:
            row.webhook_ciphertext, row.webhook_host = "", ""
            changes["webhook"] = "removed"
        elif host is not None:
            row.webhook_ciphertext, row.webhook_host = crypto.encrypt(webhook_url), host
            changes["webhook"] = f"set ({host})"  # never the URL: it carries the secret
        if rate_limit_minutes is not None:
            row.rate_limit_minutes = changes["rate_limit_minutes"] = rate_limit_minutes
        if weekly_summary is not None:
            row.weekly_summary = changes["weekly_summary"] = weekly_summary
        row.updated_at = timezone.now()
        row.save()
        record(org, actor, "alerts.settings_changed", None, changes)
    return row


def _webhook_host(url: str) -> str:
    url = url.strip()
    if len(url) > WEBHOOK_MAX:
        raise DomainError(
            f"The webhook URL is longer than {WEBHOOK_MAX} characters.", field="webhook_url"
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        host, parts = "", None
    if parts is None or parts.scheme != "https" or not host or any(c.isspace() for c in url):
        raise DomainError("The webhook URL must be an https:// URL.", field="webhook_url")
    return host


def webhook_url(org: Organization) -> str:
    """The stored webhook URL in clear, or ''. For delivery only: never render it."""
    row = AlertSettings.objects.filter(organization=org).first()
    return crypto.decrypt(row.webhook_ciphertext) if row and row.webhook_ciphertext else ""


def notify(
    org: Organization,
    kind: str,
    key: str,
    subject: str,
    body: str,
    recipients: Iterable,
    link: str = "",
    *,
    group: str = "",
    now=None,
) -> list[int]:
    """Tell ``recipients`` (users; non-members are dropped) and the webhook about one event.

    ``key`` names the event: the same key never alerts the same destination twice.
    ``group`` names the subject (a check on a resource): while an alert of the group is
    younger than the organisation's rate-limit window, nothing more is written; of callers
    racing for the same group, one writes (see :func:`claim_group`). Each user's mode
    decides: immediate rows are delivered after the transaction commits, digest rows wait
    for the daily digest, off writes nothing. Returns the ids of the rows written.
    """
    if kind not in Kind.values:
        raise DomainError(f"Unknown alert kind {kind!r}.", field="kind")
    now = now or timezone.now()
    options = settings_for(org)
    rows = [
        _row(org, kind, key, subject, body, link, group, now, user, mode)
        for user, mode in _destinations(org, kind, recipients)
    ]
    if options.webhook_ciphertext:
        rows.append(_row(org, kind, key, subject, body, link, group, now, None, Mode.IMMEDIATE))
    if not rows:
        return []
    with transaction.atomic():  # the claim, the rows and their delivery stand or fall together
        if group and not claim_group(org, group, options.rate_limit_minutes, now):
            return []
        Alert.objects.bulk_create(rows, ignore_conflicts=True)
        written = list(
            Alert.objects.filter(organization=org, key=key[:KEY_MAX], created_at=now)
            .order_by("pk")
            .values_list("pk", "status")
        )
        if group and not written:
            # Every destination had this key already: no alert went out, so the window
            # must not start now (the savepoint's rollback gives the claim back).
            transaction.set_rollback(True)
            return []
        pending = [pk for pk, status in written if status == AlertStatus.PENDING]
        if pending:
            transaction.on_commit(lambda: _enqueue(pending))
    return [pk for pk, _ in written]


def _enqueue(ids: list[int]) -> None:
    from zgovern.alerts.tasks import deliver_task  # the task module imports this one

    deliver_task(ids)


def claim_group(org: Organization, group: str, minutes: int, now: datetime) -> bool:
    """Take ``group``'s rate-limit window at ``now``: True when no alert of the group was
    written in the ``minutes`` before ``now`` and no other caller has taken it since.

    The claim is one conditional UPDATE of the group's :class:`AlertGroup` row that must
    touch that row: of two workers racing, the second waits for the first's row lock
    (PostgreSQL) or write lock (SQLite), then matches nothing. The first claim of a group
    creates the row (its unique constraint settles a racing creation). Call it inside the
    transaction that writes the alerts, so a rollback gives the window back.
    """
    group, cutoff = group[:KEY_MAX], now - timedelta(minutes=minutes)
    if _advance(org, group, cutoff, now):
        return True
    AlertGroup.objects.get_or_create(
        organization=org, group=group, defaults={"last_sent_at": lambda: _newest(org, group)}
    )
    return _advance(org, group, cutoff, now)


def _advance(org: Organization, group: str, cutoff: datetime, now: datetime) -> bool:
    """Move the group's last alert to ``now`` if it is at or before ``cutoff``."""
    free = Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=cutoff)
    claimed = AlertGroup.objects.filter(free, organization=org, group=group)
    return claimed.update(last_sent_at=now) == 1


def _newest(org: Organization, group: str) -> datetime | None:
    """The group's newest alert row: alerts written before the group had its row (or
    before this model existed) still hold the window."""
    rows = Alert.objects.filter(organization=org, group=group)
    return rows.aggregate(newest=Max("created_at"))["newest"]


def _destinations(org: Organization, kind: str, recipients: Iterable) -> list[tuple]:
    """(user, mode) for each distinct member among ``recipients`` whose mode is not off."""
    wanted = {user.pk: user for user in recipients if user is not None and user.email}
    members = set(
        Membership.objects.filter(organization=org, user_id__in=list(wanted)).values_list(
            "user_id", flat=True
        )
    )
    chosen = dict(
        Preference.objects.filter(organization=org, kind=kind, user_id__in=members).values_list(
            "user_id", "mode"
        )
    )
    found = []
    for pk in sorted(members):
        mode = chosen.get(pk, DEFAULT_MODES[kind])
        if mode != Mode.OFF:
            found.append((wanted[pk], mode))
    return found


def _row(org, kind, key, subject, body, link, group, now, user, mode) -> Alert:
    return Alert(
        organization=org,
        kind=kind,
        key=key[:KEY_MAX],
        group=group[:KEY_MAX],
        channel=Channel.EMAIL if user is not None else Channel.WEBHOOK,
        recipient=user,
        destination=user.email if user is not None else WEBHOOK,
        subject=_one_line(subject)[:SUBJECT_MAX],
        body=body,
        link=link[:LINK_MAX],
        status=AlertStatus.PENDING if mode == Mode.IMMEDIATE else AlertStatus.QUEUED,
        created_at=now,
    )


def _one_line(text: str) -> str:
    """A subject on one line: a name carrying a newline must not break the mail header."""
    return " ".join(str(text).split())
