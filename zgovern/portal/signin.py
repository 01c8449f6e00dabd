"""One-time sign-in links: "email me a link to sign in" instead of a password.

A link is a random secret (32 bytes) sent by email; only its SHA-256 is stored. It works
once, within ``LINK_TTL``, for an active user who belongs to an organisation, or for an
active person on a roster who has no account yet: using the link then makes the account
(without a password) and an employee membership in each organisation listing them, so
every employee can reach their own tasks without an invitation. Asking for a
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
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.accounts import throttle
from zgovern.accounts.models import User
from zgovern.accounts.services import SignInLocked
from zgovern.core.actor import Actor
from zgovern.core.errors import Gone
from zgovern.core.tokens import digest, new_secret
from zgovern.people.models import Person, PersonStatus
from zgovern.portal.models import SignInLink
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.models import Organization
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import memberships_of

security_log = logging.getLogger("zgovern.security")
LINK_TTL = timedelta(minutes=15)
LINKS_PER_HOUR = 3
PREFIX = "zgl_"
# The account key an unknown link's failure is counted under (never a real email).
UNKNOWN_LINK_KEY = "sign-in-link"


def request_link(email: str, *, ip: str, link_for) -> bool:
    """Email a sign-in link to ``email`` when it is an account's (a member of an
    organisation) or, without an account, an active person's on a roster (work email or
    alias); ``link_for(secret)`` gives the absolute URL. Returns whether a link was sent
    (never shown to the asker). Raises ``SignInLocked`` while the account or the address
    is locked."""
    lock = throttle.lock(email, ip)
    if lock is not None:
        raise SignInLocked(lock.message)
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and (not user.is_active or not memberships_of(user)):
        return False
    if user is None and not roster_organizations(email):
        return False
    now = timezone.now()
    recent = SignInLink.objects.filter(email=email, created_at__gt=now - timedelta(hours=1))
    if recent.count() >= LINKS_PER_HOUR:
        security_log.info("sign-in link to %s not sent: hourly limit", user.pk if user else "new")
        return False
    secret = new_secret(PREFIX)
    with transaction.atomic():
        SignInLink.objects.create(
            user=user, email=email, token_hash=digest(secret), expires_at=now + LINK_TTL,
            requested_from=ip,
        )  # fmt: skip
        minutes = int(LINK_TTL.total_seconds() // 60)
        name = user.full_name if user is not None and user.full_name else email
        send_mail(
            "Your zGovern sign-in link",
            f"Hello {name},\n\nOpen this link to sign in to zGovern. It works once, within "
            f"{minutes} minutes:\n\n{link_for(secret)}\n\nIf you did not ask for it, ignore "
            "this email: nobody can use it without access to your mailbox.\n",
            None,
            [email],
        )
    security_log.info("sign-in link sent (user %s), asked from %s", user.pk if user else "new", ip)
    return True


def roster_organizations(email: str) -> list:
    """The organisations where ``email`` is an active person's work email or alias."""
    today = timezone.localdate()
    with scopes_disabled():
        people = Person.objects.filter(
            Q(work_email=email) | Q(aliases__alias=email),
            Q(end_date__isnull=True) | Q(end_date__gte=today),
        ).exclude(status=PersonStatus.TERMINATED)
        return list(
            Organization.objects.filter(pk__in=people.values("organization_id")).order_by("pk")
        )


def _account_for(link: SignInLink) -> User:
    """The link's user; for someone on a roster without an account, one made now (with no
    password) and an employee membership in each organisation whose roster has them."""
    if link.user is not None:
        return link.user
    user = User.objects.filter(email__iexact=link.email).first()
    if user is None:
        user = User.objects.create_user(link.email, None)
        security_log.info("user %s made from a roster by a sign-in link", user.pk)
    for org in roster_organizations(link.email):
        tenancy.add_member(org, Actor.system("sign-in link"), user, Role.EMPLOYEE)
    return user


def find_link(secret: str) -> SignInLink | None:
    """The link while it can still be used (for the confirmation page), else ``None``."""
    link = SignInLink.objects.filter(token_hash=digest(secret or "")).first()
    if link is None or not link.usable():
        return None
    return link if link.user is None or link.user.is_active else None


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
    if link.expires_at <= now or (link.user is not None and not link.user.is_active):
        raise Gone("This sign-in link has expired. Ask for a new one.")
    with transaction.atomic():
        spent = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=now, used_from=ip
        )
        if spent != 1:
            raise Gone("This sign-in link was already used. Ask for a new one.")
        user = _account_for(link)
    security_log.info("user %s used a sign-in link from %s", user.pk, ip)
    return user
