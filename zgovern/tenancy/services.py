"""Writes to organisations, memberships, invitations and API tokens.

Every function here changes data and records the change in the activity log in the same
transaction; views and API handlers call these and never write themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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
    name = name.strip()
    if not name:
        raise DomainError("Give the organisation a name.", field="name")
    if len(name) > 120:
        raise DomainError("The name is longer than 120 characters.", field="name")
    with transaction.atomic():
        org = Organization.objects.create(name=name, slug=_unique_slug(name))
        with organization_scope(org):
            membership = Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
            record(org, actor, "organization.created", org, {"name": name})
            record(org, actor, "member.added", membership, {"role": Role.OWNER})
    return org


def update_settings(org: Organization, actor: Actor, *, name: str, require_mfa: bool) -> None:
    name = name.strip()
    if not name or len(name) > 120:
        raise DomainError("The name must be 1 to 120 characters.", field="name")
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
    """Invite ``email`` with ``role``; returns the invitation and the one-time link token."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(f"{email!r} is not a valid email address.", field="email") from None
    _check_role(role)
    _check_may_grant(by, role)
    if Membership.objects.filter(organization=org, user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member.", field="email")
    raw = new_secret(INVITE_PREFIX)
    with transaction.atomic():
        Invitation.objects.filter(
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
        record(org, actor, "member.invited", invitation, {"email": email, "role": role})
        transaction.on_commit(lambda: _send_invitation(invitation, raw))
    return invitation, raw


def invitation_url(raw: str) -> str:
    return settings.BASE_URL + reverse("accounts:accept_invitation", args=[raw])


def _send_invitation(invitation: Invitation, raw: str) -> None:
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
    with transaction.atomic():
        invitation = Invitation.objects.filter(organization=org, pk=invitation_id).first()
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


def _owners(org: Organization) -> int:
    return Membership.objects.filter(organization=org, role=Role.OWNER).count()


def change_role(org: Organization, by: Membership, actor: Actor, membership_id: int, role: str):
    _check_role(role)
    with transaction.atomic():
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
    with transaction.atomic():
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
        record(org, actor, "member.removed", target, {"email": target.user.email})
        ApiToken.objects.filter(organization=org, user=target.user).update(
            revoked_at=timezone.now()
        )
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
    """Issue a token for ``membership``'s user; returns it with the secret, shown once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError("The name must be 1 to 100 characters.", field="name")
    if expires_at is not None and expires_at <= timezone.now():
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


def revoke_api_token(org: Organization, membership: Membership, actor: Actor, token_id: int):
    """Revoke a token: one's own, or anyone's for those who manage members."""
    with transaction.atomic():
        tokens = ApiToken.objects.filter(organization=org, pk=token_id, revoked_at__isnull=True)
        if not membership.can(roles.MANAGE_MEMBERS):
            tokens = tokens.filter(user=membership.user)
        token = tokens.first()
        if token is None:
            raise NotFound("No such active token.")
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
