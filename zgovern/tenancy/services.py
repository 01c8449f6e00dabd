"""Writes to organisations, memberships, invitations and API tokens.

Every function here changes data and records the change in the activity log in the same
transaction; views and API handlers call these and never write themselves.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, Forbidden, Gone, NotFound
from zgovern.core.tokens import digest, new_secret
from zgovern.tenancy import roles
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import ApiToken, Invitation, Membership, Organization
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope

TOKEN_PREFIX = "zg_"
INVITE_PREFIX = "inv_"
RESERVED_SLUGS = {"new", "admin", "api", "static", "o"}
EMAIL_MAX = 254

logger = logging.getLogger(__name__)


def _clean_text(value: str, *, field: str, max_length: int, what: str) -> str:
    """``value`` stripped; refuses empty, over-long and NUL-carrying text (PostgreSQL
    cannot store NUL, and a name made of whitespace is no name)."""
    value = value.strip()
    if not value or len(value) > max_length:
        raise DomainError(f"The {what} must be 1 to {max_length} characters.", field=field)
    if "\x00" in value:
        raise DomainError(f"The {what} contains a NUL character.", field=field)
    return value


def _check_manager(org: Organization, by: Membership) -> None:
    """Defence in depth: views and endpoints check the capability too."""
    if by.organization_id != org.pk or not by.can(roles.MANAGE_MEMBERS):
        raise Forbidden("Your role cannot manage members.")


def _lock(org: Organization) -> None:
    """Serialise membership changes of ``org``, so that two owners demoting each other at
    the same moment cannot both pass the "at least one owner" check."""
    Organization.objects.select_for_update().filter(pk=org.pk).values_list("pk").first()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    if base in RESERVED_SLUGS:
        base = f"{base}-org"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_organization(name: str, owner, actor: Actor) -> Organization:
    """Create an organisation with ``owner`` as its first owner."""
    if not name.strip():
        raise DomainError("Give the organisation a name.", field="name")
    if len(name.strip()) > 120:
        raise DomainError("The name is longer than 120 characters.", field="name")
    name = _clean_text(name, field="name", max_length=120, what="name")
    with transaction.atomic():
        org = _create_with_unique_slug(name)
        with organization_scope(org):
            membership = Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
            record(org, actor, "organization.created", org, {"name": name})
            record(org, actor, "member.added", membership, {"role": Role.OWNER})
    return org


def _create_with_unique_slug(name: str) -> Organization:
    # Two sign-ups with the same name can pick the same free slug; the loser retries.
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Organization.objects.create(name=name, slug=_unique_slug(name))
        except IntegrityError:
            continue
    raise Conflict("Could not reserve an address for the organisation; try again.", field="name")


def update_settings(org: Organization, actor: Actor, *, name: str, require_mfa: bool) -> None:
    """Rename ``org`` and/or switch required MFA; records one row when anything changed."""
    name = _clean_text(name, field="name", max_length=120, what="name")
    changes = {}
    if name != org.name:
        changes["name"] = [org.name, name]
    if require_mfa != org.require_mfa:
        changes["require_mfa"] = [org.require_mfa, require_mfa]
    if not changes:
        return
    with transaction.atomic():
        Organization.objects.filter(pk=org.pk).update(name=name, require_mfa=require_mfa)
        org.name, org.require_mfa = name, require_mfa
        record(org, actor, "organization.settings_changed", org, changes)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError(
            f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.", field="role"
        )


def _check_may_grant(by: Membership, role: str) -> None:
    if role == Role.OWNER and not by.can(roles.MANAGE_OWNERS):
        raise Forbidden("Only an owner can grant the owner role.", field="role")


def invite(org: Organization, by: Membership, actor: Actor, email: str, role: str):
    """Invite ``email`` with ``role``; returns the invitation and the one-time link token.

    An open invitation to the same address is replaced (revoked). The email is sent once
    the transaction commits; a mail failure is logged, not raised, since the inviter is
    shown the link as well."""
    email = email.strip().lower()
    if len(email) > EMAIL_MAX:
        raise DomainError(f"The address is longer than {EMAIL_MAX} characters.", field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(f"{email!r} is not a valid email address.", field="email") from None
    _check_manager(org, by)
    _check_role(role)
    _check_may_grant(by, role)
    if Membership.objects.filter(organization=org, user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member.", field="email")
    raw = new_secret(INVITE_PREFIX)
    with transaction.atomic():
        replaced = Invitation.objects.filter(
            organization=org, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organization=org,
            email=email,
            role=role,
            token_hash=digest(raw),
            invited_by=by.user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        changes = {"email": email, "role": role}
        if replaced:
            changes["replaced_open_invitations"] = replaced
        record(org, actor, "member.invited", invitation, changes)
        transaction.on_commit(lambda: _send_invitation(invitation, raw))
    return invitation, raw


def invitation_url(raw: str) -> str:
    return settings.BASE_URL + reverse("accounts:accept_invitation", args=[raw])


def _send_invitation(invitation: Invitation, raw: str) -> None:
    try:
        _mail_invitation(invitation, raw)
    except Exception:
        # The invitation is committed and its link was shown to the inviter; a mail server
        # that is down must not turn that into an error page.
        logger.exception("could not send invitation %s to %s", invitation.pk, invitation.email)


def _mail_invitation(invitation: Invitation, raw: str) -> None:
    send_mail(
        subject=f"You are invited to {invitation.organization.name} on zGovern",
        message=(
            f"{invitation.invited_by.display_name} invited you to join "
            f"{invitation.organization.name} as {invitation.get_role_display().lower()}.\n\n"
            f"Accept: {invitation_url(raw)}\n\n"
            f"The link expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def revoke_invitation(org: Organization, actor: Actor, invitation_id: int) -> None:
    """Withdraw an open invitation; its link stops working."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(organization=org, pk=invitation_id)
            .first()
        )
        if invitation is None:
            raise NotFound("No such invitation.")
        if not invitation.is_open:
            raise Conflict("The invitation was already accepted or revoked.")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(org, actor, "member.invitation_revoked", invitation, {"email": invitation.email})


def find_invitation(raw: str) -> Invitation:
    """The open invitation behind a link token; raises ``Gone`` for a used or expired one."""
    from django_scopes import scopes_disabled

    # The link is what names the organisation, so this lookup cannot be scoped first.
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organization", "invited_by")
            .filter(token_hash=digest(raw))
            .first()
        )
    if invitation is None:
        raise NotFound("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise Gone("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise Gone("This invitation was withdrawn.")
    if invitation.is_expired():
        raise Gone("This invitation has expired; ask for a new one.")
    return invitation


def accept_invitation(raw: str, user, actor: Actor) -> Membership:
    """Join the invitation's organisation as ``user`` (whose email must match)."""
    invitation = find_invitation(raw)
    if user.email.lower() != invitation.email.lower():
        raise Forbidden(f"This invitation is for {invitation.email}; sign in with that address.")
    org = invitation.organization
    with transaction.atomic(), organization_scope(org):
        claimed = Invitation.objects.filter(
            organization=org, pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=timezone.now())
        if claimed != 1:
            raise Gone("This invitation has already been used.")
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    organization=org, user=user, role=invitation.role
                )
        except IntegrityError:
            raise Conflict("You are already a member of this organisation.") from None
        record(org, actor, "member.joined", membership, {"role": invitation.role})
    return membership


def add_member(org: Organization, actor: Actor, user, role: str) -> Membership:
    """Make ``user`` a member with ``role`` without an invitation (demo data, set-up
    scripts); an existing membership is returned unchanged."""
    _check_role(role)
    with transaction.atomic(), organization_scope(org):
        membership = Membership.objects.filter(organization=org, user=user).first()
        if membership is None:
            membership = Membership.objects.create(organization=org, user=user, role=role)
            record(org, actor, "member.added", membership, {"role": role})
    return membership


def _owners(org: Organization) -> int:
    return Membership.objects.filter(organization=org, role=Role.OWNER).count()


def change_role(org: Organization, by: Membership, actor: Actor, membership_id: int, role: str):
    """Give a member another role. Only owners grant or take away the owner role, and the
    last owner keeps it. Returns the membership; an unchanged role records nothing."""
    _check_manager(org, by)
    _check_role(role)
    with transaction.atomic():
        _lock(org)
        target = (
            Membership.objects.select_related("user")
            .filter(organization=org, pk=membership_id)
            .first()
        )
        if target is None:
            raise NotFound("No such member.")
        if target.role == role:
            return target
        if Role.OWNER in (target.role, role) and not by.can(roles.MANAGE_OWNERS):
            raise Forbidden("Only an owner can grant or take away the owner role.", field="role")
        if target.role == Role.OWNER and _owners(org) == 1:
            raise Conflict("The organisation needs at least one owner.", field="role")
        before, target.role = target.role, role
        target.save(update_fields=["role"])
        record(org, actor, "member.role_changed", target, {"role": [before, role]})
    return target


def remove_member(org: Organization, by: Membership, actor: Actor, membership_id: int) -> None:
    """Remove a member and revoke their API tokens for ``org``. Only owners remove owners,
    and never the last one."""
    _check_manager(org, by)
    with transaction.atomic():
        _lock(org)
        target = (
            Membership.objects.select_related("user")
            .filter(organization=org, pk=membership_id)
            .first()
        )
        if target is None:
            raise NotFound("No such member.")
        if target.role == Role.OWNER and not by.can(roles.MANAGE_OWNERS):
            raise Forbidden("Only an owner can remove an owner.")
        if target.role == Role.OWNER and _owners(org) == 1:
            raise Conflict("The organisation needs at least one owner.")
        revoked = ApiToken.objects.filter(
            organization=org, user=target.user, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        changes = {"email": target.user.email, "role": target.role}
        if revoked:
            changes["api_tokens_revoked"] = revoked
        record(org, actor, "member.removed", target, changes)
        target.delete()


def create_api_token(
    org: Organization,
    membership: Membership,
    actor: Actor,
    *,
    name: str,
    read_only: bool,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """Issue a token for ``membership``'s user; returns it with the secret, shown once.

    A naive ``expires_at`` is taken as UTC."""
    name = _clean_text(name, field="name", max_length=100, what="name")
    if expires_at is not None:
        expires_at = _as_utc(expires_at)
        if expires_at <= timezone.now():
            raise DomainError("The expiry must be in the future.", field="expires_at")
    if not read_only and not membership.can(roles.WRITE):
        raise Forbidden("Your role is read-only, so your tokens are too.", field="read_only")
    raw = new_secret(TOKEN_PREFIX)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=org,
            user=membership.user,
            name=name,
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            token_hash=digest(raw),
            read_only=read_only,
            expires_at=expires_at,
        )
        record(org, actor, "api_token.created", token, {"read_only": read_only})
    return token, raw


def _as_utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise DomainError("The expiry is out of range.", field="expires_at") from None


def revoke_api_token(org: Organization, membership: Membership, actor: Actor, token_id: int):
    """Revoke a token: one's own, or anyone's for those who manage members. Someone
    else's token is "not found" to everybody else; an already revoked one is a conflict."""
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update().filter(organization=org, pk=token_id)
        if not membership.can(roles.MANAGE_MEMBERS):
            tokens = tokens.filter(user=membership.user)
        token = tokens.first()
        if token is None:
            raise NotFound("No such token.")
        if token.revoked_at is not None:
            raise Conflict("The token was already revoked.")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(org, actor, "api_token.revoked", token)


def touch_api_token(token: ApiToken) -> None:
    """Note that ``token`` was used; at most once a minute, so reads stay reads."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < timedelta(minutes=1):
        return
    with organization_scope(token.organization):
        ApiToken.objects.filter(organization=token.organization, pk=token.pk).update(
            last_used_at=now
        )
    token.last_used_at = now
