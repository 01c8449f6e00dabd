"""One-time sign-in links: "email me a link to sign in" instead of a password.

A link is a random secret (32 bytes) sent by email; only its SHA-256 is stored. It works
once, within ``LINK_TTL``, for an active user who belongs to an organisation. Asking for a
link answers the same whether or not the address has an account, so the form does not tell
who is registered; at most ``LINKS_PER_HOUR`` links are sent to one account an hour. A link
proves control of the mailbox, as a password reset does; a user with two-factor
authentication still has to pass that step (the view hands over to it).

Throttling reuses :mod:`zgovern.accounts.throttle`: while the account or the address is
locked nothing is sent or accepted, and an unknown link counts as a failed sign-in from
the address.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from zgovern.accounts import throttle
from zgovern.accounts.models import User
from zgovern.accounts.services import SignInLocked
from zgovern.core.errors import Gone
from zgovern.core.tokens import digest, new_secret
from zgovern.portal.models import SignInLink
from zgovern.tenancy.scoping import memberships_of

security_log = logging.getLogger("zgovern.security")
LINK_TTL = timedelta(minutes=15)
LINKS_PER_HOUR = 3
PREFIX = "zgl_"
# The account key an unknown link's failure is counted under (never a real email).
UNKNOWN_LINK_KEY = "sign-in-link"


def request_link(email: str, *, ip: str, link_for) -> bool:
    """Email a sign-in link to the account using ``email``, if any; ``link_for(secret)``
    gives the absolute URL. Returns whether a link was sent (never shown to the asker).
    Raises ``SignInLocked`` while the account or the address is locked."""
    lock = throttle.lock(email, ip)
    if lock is not None:
        raise SignInLocked(lock.message)
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None or not memberships_of(user):
        return False
    now = timezone.now()
    if user.sign_in_links.filter(created_at__gt=now - timedelta(hours=1)).count() >= LINKS_PER_HOUR:
        security_log.info("sign-in link for user %s not sent: hourly limit", user.pk)
        return False
    secret = new_secret(PREFIX)
    with transaction.atomic():
        SignInLink.objects.create(
            user=user, token_hash=digest(secret), expires_at=now + LINK_TTL, requested_from=ip
        )
        minutes = int(LINK_TTL.total_seconds() // 60)
        send_mail(
            "Your zGovern sign-in link",
            f"Hello {user.full_name or user.email},\n\nOpen this link to sign in to zGovern. It "
            f"works once, within {minutes} minutes:\n\n{link_for(secret)}\n\nIf you did not ask "
            "for it, ignore this email: nobody can use it without access to your mailbox.\n",
            None,
            [user.email],
        )
    security_log.info("sign-in link sent to user %s, asked from %s", user.pk, ip)
    return True


def find_link(secret: str) -> SignInLink | None:
    """The link while it can still be used (for the confirmation page), else ``None``."""
    link = SignInLink.objects.filter(token_hash=digest(secret or "")).first()
    return link if link is not None and link.usable() and link.user.is_active else None


def use_link(secret: str, *, ip: str) -> User:
    """Spend the link and return its user. ``Gone`` (410) for an unknown, used or expired
    link, or an inactive user; ``SignInLocked`` while the address is locked. Two requests
    racing with the same link: one wins, the other is refused."""
    if (lock := throttle.lock(UNKNOWN_LINK_KEY, ip)) is not None:
        raise SignInLocked(lock.message)
    link = SignInLink.objects.filter(token_hash=digest(secret or "")).select_related("user").first()
    if link is None:
        throttle.record_failure(UNKNOWN_LINK_KEY, ip)
        raise Gone("This sign-in link is not valid. Ask for a new one.")
    now = timezone.now()
    if link.used_at is not None:
        raise Gone("This sign-in link was already used. Ask for a new one.")
    if link.expires_at <= now or not link.user.is_active:
        raise Gone("This sign-in link has expired. Ask for a new one.")
    spent = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now, used_from=ip
    )
    if spent != 1:
        raise Gone("This sign-in link was already used. Ask for a new one.")
    security_log.info("user %s used a sign-in link from %s", link.user_id, ip)
    return link.user
