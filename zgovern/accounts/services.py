"""Writes to users and their sign-in factors: sign-up, sign-in checks, TOTP enrolment,
recovery codes, MFA removal and password changes.

Every security-relevant change is written here, inside one transaction, and noted in the
``zgovern.security`` log (ids and addresses only, never a secret). Enabling or removing
MFA and regenerating recovery codes are also recorded in the activity log of every
organisation the user belongs to, since each organisation's auditors care whether its
members are protected.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from enum import StrEnum

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from zgovern.accounts import mfa, throttle
from zgovern.accounts.models import RecoveryCode, TOTPDevice, User
from zgovern.core.actor import Actor
from zgovern.core.crypto import decrypt, encrypt
from zgovern.core.errors import Conflict, DomainError, Forbidden
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.scoping import memberships_of, organization_scope

security_log = logging.getLogger("zgovern.security")

# An enrolment left unconfirmed this long is started afresh with a new secret.
ENROLMENT_TTL = timedelta(hours=1)


class SignInLocked(DomainError):
    """Too many failed sign-ins for the account or the address (HTTP 429)."""

    status = 429


class SignUpLimited(DomainError):
    """Too many accounts created from the address lately (HTTP 429)."""

    status = 429


class SecondFactor(StrEnum):
    TOTP = "totp"
    RECOVERY = "recovery"


def _user_actor(actor: Actor, user: User) -> Actor:
    """The request's actor, now known to be ``user`` (sign-up happens before sign-in)."""
    return dataclasses.replace(actor, kind="user", label=user.email, user=user)


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("Enter a valid email address.", field="email") from None
    return email


def check_new_password(password: str, user: User) -> None:
    """Run Django's password validators; the message lists every complaint."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None


def _create_user(email: str, full_name: str, password: str) -> User:
    exists = Conflict(
        "An account with this email already exists: sign in, or reset its password.",
        field="email",
    )
    if User.objects.filter(email__iexact=email).exists():
        raise exists
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, full_name=full_name)
    except IntegrityError:  # the same email signed up at the same moment
        raise exists from None


def sign_up(
    *, email: str, full_name: str, password: str, organization_name: str, actor: Actor
) -> tuple[User, Organization]:
    """Create a user and their first organisation, which they own. All or nothing.
    Raises ``SignUpLimited`` when the address has created too many accounts lately."""
    refusal = throttle.sign_up_refusal(actor.ip)
    if refusal is not None:
        security_log.warning("sign-up refused for %s: too many from the address", actor.ip)
        raise SignUpLimited(refusal)
    email, full_name = _clean_email(email), full_name.strip()[:150]
    check_new_password(password, User(email=email, full_name=full_name))
    with transaction.atomic():
        user = _create_user(email, full_name, password)
        try:
            org = tenancy.create_organization(organization_name, user, _user_actor(actor, user))
        except DomainError as exc:
            raise DomainError(exc.message, field="organization_name") from None
        throttle.record_sign_up(actor.ip)
    security_log.info("user %s signed up from %s", user.pk, actor.ip)
    return user, org


def sign_up_invited(
    raw_token: str, *, full_name: str, password: str, actor: Actor
) -> tuple[User, Membership]:
    """Create an account for the invited email and accept the invitation, together."""
    invitation = tenancy.find_invitation(raw_token)
    full_name = full_name.strip()[:150]
    check_new_password(password, User(email=invitation.email, full_name=full_name))
    with transaction.atomic():
        user = _create_user(invitation.email.lower(), full_name, password)
        membership = tenancy.accept_invitation(raw_token, user, _user_actor(actor, user))
    security_log.info("user %s signed up by invitation from %s", user.pk, actor.ip)
    return user, membership


def _refuse_if_locked(email: str, ip: str) -> None:
    lock = throttle.lock(email, ip)
    if lock is not None:
        raise SignInLocked(lock.message)


def check_password_step(email: str, password: str, ip: str) -> User:
    """The user whose email and password these are; raises ``SignInLocked`` while the
    account or address is locked (even for the right password) and ``DomainError``
    for a wrong pair, which counts as a failure. Signs nobody in."""
    _refuse_if_locked(email, ip)
    user = authenticate(None, email=email.strip(), password=password)
    if user is None:
        throttle.record_failure(email, ip)
        raise DomainError("The email address or password is not correct.")
    return user


def check_second_factor(user: User, code: str, ip: str) -> SecondFactor:
    """Accept a TOTP code (once) or an unused recovery code (then spent) for ``user``.
    A wrong code counts as a failed sign-in."""
    _refuse_if_locked(user.email, ip)
    if mfa.looks_like_totp(code):
        device = confirmed_device(user)
        if device is not None and _accept_totp(device, code):
            return SecondFactor.TOTP
    elif _spend_recovery_code(user, code):
        security_log.info("user %s signed in with a recovery code from %s", user.pk, ip)
        return SecondFactor.RECOVERY
    throttle.record_failure(user.email, ip)
    raise DomainError("That code is not valid, or it was already used.", field="code")


def signed_in(user: User) -> None:
    """Both steps passed: forget the account's failed attempts."""
    throttle.clear_account(user.email)


def password_was_reset(user: User, actor: Actor) -> None:
    """A reset through the emailed link proves control of the mailbox, which a password
    guesser lacks: the account's lock is lifted (the address's is not)."""
    throttle.clear_account(user.email)
    security_log.info("user %s reset their password from %s", user.pk, actor.ip)


def confirmed_device(user: User) -> TOTPDevice | None:
    return user.totp_devices.filter(confirmed_at__isnull=False).order_by("-confirmed_at").first()


def unused_recovery_codes(user: User) -> int:
    return user.recovery_codes.filter(used_at__isnull=True).count()


def _accept_totp(device: TOTPDevice, code: str) -> bool:
    """True when ``code`` is valid now and its time step is newer than any accepted
    before: the conditional update makes a code usable once, even by two racing requests."""
    step = mfa.matching_step(decrypt(device.secret_encrypted), code)
    if step is None:
        return False
    return TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step) == 1


def _spend_recovery_code(user: User, code: str) -> bool:
    spent = RecoveryCode.objects.filter(
        user=user, code_hash=mfa.recovery_hash(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return spent == 1


def _replace_recovery_codes(user: User) -> list[str]:
    codes = mfa.new_recovery_codes()
    user.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=mfa.recovery_hash(code)) for code in codes]
    )
    return codes


def _record_in_organizations(user: User, actor: Actor, action: str) -> None:
    for membership in memberships_of(user):
        org = membership.organization
        with organization_scope(org):
            record(org, actor, action, user)


def begin_totp_enrolment(user: User) -> tuple[TOTPDevice, str]:
    """The user's pending (unconfirmed) authenticator and its secret, creating one when
    there is none younger than ``ENROLMENT_TTL``: reloading the page keeps the same QR."""
    if confirmed_device(user) is not None:
        raise Conflict("Two-factor authentication is already on for your account.")
    fresh_after = timezone.now() - ENROLMENT_TTL
    with transaction.atomic():
        pending = user.totp_devices.filter(confirmed_at__isnull=True)
        device = pending.filter(created_at__gt=fresh_after).order_by("-created_at").first()
        if device is not None:
            return device, decrypt(device.secret_encrypted)
        pending.delete()
        secret = mfa.new_secret()
        device = TOTPDevice.objects.create(user=user, secret_encrypted=encrypt(secret))
    return device, secret


def confirm_totp_enrolment(user: User, actor: Actor, code: str) -> list[str]:
    """Confirm the pending authenticator with a current code; returns the new recovery
    codes, which are never shown again (only their hashes are kept)."""
    with transaction.atomic():
        device = (
            user.totp_devices.select_for_update()
            .filter(confirmed_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if device is None or confirmed_device(user) is not None:
            raise Conflict("There is no authenticator waiting to be confirmed; start again.")
        step = mfa.matching_step(decrypt(device.secret_encrypted), code)
        if step is None:
            raise DomainError(
                "That code does not match. Check the time on your phone and try the newest code.",
                field="code",
            )
        device.confirmed_at, device.last_step = timezone.now(), step
        device.save(update_fields=["confirmed_at", "last_step"])
        user.totp_devices.exclude(pk=device.pk).delete()
        codes = _replace_recovery_codes(user)
        _record_in_organizations(user, actor, "account.mfa_enabled")
    security_log.info("user %s enabled MFA from %s", user.pk, actor.ip)
    return codes


def _require_code(user: User, actor: Actor, code: str, *, allow_recovery: bool) -> None:
    """Check a second-factor code for a change to the factors themselves; a wrong code
    counts as a failed sign-in, so a stolen session cannot guess its way through."""
    _refuse_if_locked(user.email, actor.ip)
    device = confirmed_device(user)
    if device is not None and mfa.looks_like_totp(code) and _accept_totp(device, code):
        return
    if allow_recovery and not mfa.looks_like_totp(code) and _spend_recovery_code(user, code):
        return
    throttle.record_failure(user.email, actor.ip)
    raise DomainError("That code is not valid, or it was already used.", field="code")


def regenerate_recovery_codes(user: User, actor: Actor, code: str) -> list[str]:
    """Replace every recovery code (used or not) after checking a current TOTP code."""
    if confirmed_device(user) is None:
        raise Conflict("Turn on two-factor authentication first.")
    # Checked outside the transaction, so that a wrong code's failure record is kept.
    _require_code(user, actor, code, allow_recovery=False)
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        _record_in_organizations(user, actor, "account.recovery_codes_regenerated")
    security_log.info("user %s regenerated recovery codes from %s", user.pk, actor.ip)
    return codes


def organizations_requiring_mfa(user: User) -> list[Organization]:
    return [m.organization for m in memberships_of(user) if m.organization.require_mfa]


def remove_mfa(user: User, actor: Actor, *, password: str, code: str) -> None:
    """Turn two-factor authentication off: needs the password and a code, and is refused
    while any organisation the user belongs to requires it."""
    requiring = organizations_requiring_mfa(user)
    if requiring:
        names = ", ".join(org.name for org in requiring)
        raise Forbidden(f"Two-factor authentication is required by {names}; it must stay on.")
    if confirmed_device(user) is None:
        raise Conflict("Two-factor authentication is not on.")
    _refuse_if_locked(user.email, actor.ip)
    if not user.check_password(password):
        throttle.record_failure(user.email, actor.ip)
        raise DomainError("The password is not correct.", field="password")
    _require_code(user, actor, code, allow_recovery=True)
    with transaction.atomic():
        user.totp_devices.all().delete()
        user.recovery_codes.all().delete()
        _record_in_organizations(user, actor, "account.mfa_removed")
    security_log.info("user %s removed MFA from %s", user.pk, actor.ip)


def change_password(user: User, actor: Actor, new_password: str) -> None:
    """Set a new password (the caller has checked the old one and the validators)."""
    check_new_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
    security_log.info("user %s changed their password from %s", user.pk, actor.ip)
