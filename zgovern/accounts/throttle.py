"""Sign-in throttling, kept in the database so every web process sees the same counts.

Each failed sign-in (wrong password, wrong second-factor code) is recorded twice: once
under the account's email and once under the client address. When either key has
``LOGIN_FAILURE_LIMIT`` failures within the last ``LOGIN_FAILURE_WINDOW`` seconds, sign-in
is refused for it, even with the right password, until enough failures age out. Locking
by account stops guessing one password from many addresses; locking by address stops one
address from trying one password on many accounts.

A refused (locked) attempt is not itself recorded: otherwise an attacker could keep an
account locked forever by retrying, and the lock would outlive the window.

Sign-up is throttled by address alone: ``SIGNUP_LIMIT`` accounts created within
``SIGNUP_WINDOW`` seconds from one address refuse the next until the oldest ages out. It
is a brake on scripted account creation, not a count to the unit: two sign-ups racing
from one address may both pass the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zgovern.accounts.models import LoginFailure, SignUp

Kind = LoginFailure.Kind


@dataclass(frozen=True)
class Lock:
    """Why sign-in is refused, and when it will be allowed again."""

    kind: str
    until: datetime

    @property
    def message(self) -> str:
        minutes = max(1, round((self.until - timezone.now()).total_seconds() / 60))
        wait = f"about {minutes} minute{'s' if minutes != 1 else ''}"
        if self.kind == Kind.ACCOUNT:
            return (
                f"Too many failed sign-in attempts for this account. Sign-in is locked for "
                f"{wait}; try again then, or reset your password to unlock it now."
            )
        return (
            f"Too many failed sign-in attempts from your network address. Sign-in from it "
            f"is locked for {wait}; try again then."
        )


def account_key(email: str) -> str:
    """The key failures of an account are counted under (also for unknown emails, so a
    lock does not reveal whether an account exists)."""
    return email.strip().lower()[:254]


def _window_start(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def _keys(email: str, ip: str) -> list[tuple[str, str]]:
    keys = [(Kind.ACCOUNT, account_key(email))]
    # An empty address (no REMOTE_ADDR) would lump unrelated clients together.
    if ip:
        keys.append((Kind.ADDRESS, ip))
    return keys


def _lock_for(kind: str, key: str, now: datetime) -> Lock | None:
    limit = settings.LOGIN_FAILURE_LIMIT
    recent = list(
        LoginFailure.objects.filter(kind=kind, key=key, at__gt=_window_start(now))
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    # Once the limit-th newest failure leaves the window, fewer than ``limit`` remain.
    return Lock(kind=kind, until=recent[-1] + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW))


def lock(email: str, ip: str) -> Lock | None:
    """The lock in force for this account or this address, the account's first."""
    now = timezone.now()
    for kind, key in _keys(email, ip):
        found = _lock_for(kind, key, now)
        if found is not None:
            return found
    return None


def record_failure(email: str, ip: str) -> None:
    """Count one failed attempt against the account and the address; prune old rows."""
    now = timezone.now()
    with transaction.atomic():
        LoginFailure.objects.bulk_create(
            [LoginFailure(kind=kind, key=key, at=now) for kind, key in _keys(email, ip)]
        )
        prune(now)


def clear_account(email: str) -> None:
    """Forget the account's failures after a successful sign-in. The address's failures
    stay: one good password must not unlock an address that is guessing at others."""
    LoginFailure.objects.filter(kind=Kind.ACCOUNT, key=account_key(email)).delete()


def prune(now: datetime | None = None) -> int:
    """Delete failures older than the window; they no longer count. Returns how many."""
    deleted, _ = LoginFailure.objects.filter(at__lte=_window_start(now or timezone.now())).delete()
    return deleted


def sign_up_refusal(ip: str, now: datetime | None = None) -> str | None:
    """Why a sign-up from ``ip`` is refused now, or None. An unknown address (no
    REMOTE_ADDR) is not counted: it would lump unrelated clients together."""
    if not ip:
        return None
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.SIGNUP_WINDOW)
    limit = settings.SIGNUP_LIMIT
    recent = list(
        SignUp.objects.filter(address=ip[:64], at__gt=since)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    until = recent[-1] + timedelta(seconds=settings.SIGNUP_WINDOW)
    minutes = max(1, round((until - now).total_seconds() / 60))
    return (
        f"Too many accounts were created from your network address. Try again in about "
        f"{minutes} minute{'s' if minutes != 1 else ''}, or ask a colleague to invite you."
    )


def record_sign_up(ip: str, now: datetime | None = None) -> None:
    """Count an account created from ``ip``; forget sign-ups older than the window."""
    if not ip:
        return
    now = now or timezone.now()
    SignUp.objects.create(address=ip[:64], at=now)
    SignUp.objects.filter(at__lte=now - timedelta(seconds=settings.SIGNUP_WINDOW)).delete()
