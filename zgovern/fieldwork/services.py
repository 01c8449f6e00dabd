"""Writes of the fieldwork app: samples, auditor grants and comments.

Each function validates everything before writing, writes inside one transaction, and
records the change in the activity log. Mail (grant notices, mentions) is sent once the
transaction commits; a mail failure is logged, never raised.
"""

from __future__ import annotations

import logging
import random
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zgovern.audits import builder
from zgovern.audits.models import Audit
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, Forbidden, NotFound
from zgovern.fieldwork import populations, scope
from zgovern.fieldwork.models import (
    AuditorGrant,
    Comment,
    CommentTarget,
    PopulationKind,
    Sample,
    SampleMethod,
)
from zgovern.tenancy import activity, roles
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role

logger = logging.getLogger(__name__)
SEED_MAX = 2**53 - 1  # exact in every JSON client
SAMPLE_MAX = 10_000
NOTE_MAX = 500
COMMENT_MAX = 5000
GRANT_MAX_DAYS = 400
MENTION = re.compile(r"(?<![\w.+-])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def get_audit(org, audit_id: Any) -> Audit:
    audit = Audit.objects.filter(organization=org, pk=audit_id).select_related("framework").first()
    if audit is None:
        raise NotFound("No such audit.")
    return audit


def period(audit: Audit):
    """The audit's evidence window; an audit without one is a 400."""
    if not audit.has_period:
        raise DomainError("The audit has no period yet; set its dates first.", field="audit_id")
    return builder.period_of(audit)


def check_population(kind: str) -> str:
    if kind not in PopulationKind.values:
        choices = ", ".join(PopulationKind.values)
        raise DomainError(
            f"Unknown population {kind!r}; choose one of {choices}.", field="population"
        )
    return kind


# -- samples -----------------------------------------------------------------------------


def draw(keys: list[str], size: int, seed: int) -> list[str]:
    """The reproducible draw: the same keys, size and seed always give the same items."""
    return random.Random(seed).sample(keys, size)  # noqa: S311 (reproducible on purpose)


def create_sample(
    org,
    actor: Actor,
    audit_id: Any,
    *,
    population: str,
    size: int | None = None,
    seed: int | None = None,
    keys: list[str] | None = None,
    note: str = "",
) -> Sample:
    """A seeded random sample of ``size`` (``seed`` chosen when not given), or the items
    named by ``keys`` when given. Stores the whole population's keys as listed now."""
    audit = get_audit(org, audit_id)
    start, end = period(audit)
    check_population(population)
    note = _clean(note, NOTE_MAX, "note", required=False)
    listed = populations.population(org, population, start, end)
    every = listed.item_keys()
    if keys is not None:
        chosen, method, seed = _chosen_by_hand(keys, every, listed.title), SampleMethod.MANUAL, None
    else:
        seed = _seed(seed)
        _check_size(size, len(every), listed.title)
        chosen, method = draw(every, size, seed), SampleMethod.RANDOM
    with transaction.atomic():
        sample = Sample.objects.create(
            organization=org,
            audit=audit,
            population=population,
            method=method,
            size=len(chosen),
            seed=seed,
            period_start=start,
            period_end=end,
            population_keys=every,
            chosen_keys=chosen,
            note=note,
            created_by=actor.user,
            created_by_label=actor.label[:300],
        )
        activity.record(
            org,
            actor,
            "fieldwork.sample_created",
            sample,
            {
                "audit": audit.pk,
                "population": population,
                "method": method,
                "size": len(chosen),
                "seed": seed,
                "of": len(every),
            },
        )
    return sample


def _seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(SEED_MAX)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= SEED_MAX:
        raise DomainError(f"The seed must be a whole number from 0 to {SEED_MAX}.", field="seed")
    return seed


def _check_size(size: int | None, available: int, title: str) -> None:
    if size is None or isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise DomainError("Give a sample size of at least 1.", field="size")
    if size > available:
        raise DomainError(
            f"The sample size {size} is larger than the population: {available} "
            f"{title.lower()} in the period.",
            field="size",
        )
    if size > SAMPLE_MAX:
        raise DomainError(f"A sample holds at most {SAMPLE_MAX} items.", field="size")


def _chosen_by_hand(keys: list[str], every: list[str], title: str) -> list[str]:
    chosen = list(dict.fromkeys(str(key).strip() for key in keys if str(key).strip()))
    if not chosen:
        raise DomainError("Choose at least one item for the sample.", field="keys")
    known = set(every)
    unknown = [key for key in chosen if key not in known]
    if unknown:
        shown = ", ".join(unknown[:10])
        raise DomainError(
            f"Not in the population of {title.lower()} in the period: {shown}.", field="keys"
        )
    return chosen


def _clean(value: str, limit: int, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"The {field} is empty.", field=field)
    if len(value) > limit:
        raise DomainError(f"The {field} is longer than {limit} characters.", field=field)
    if "\x00" in value:
        raise DomainError(f"The {field} contains a NUL character.", field=field)
    return value


# -- auditor grants ----------------------------------------------------------------------


def invite_auditor(
    org, by: Membership, actor: Actor, audit_id: Any, *, email: str, expires_at: datetime | str
) -> AuditorGrant:
    """Give ``email`` read-only access to one audit until ``expires_at``.

    A user already in the organisation keeps their membership when it is an auditor's
    (someone with another role is refused: an auditor's view must be read-only); a known
    user without one gets an auditor membership; an unknown address gets the
    organisation's invitation as auditor. A grant already open for the same address and
    audit is extended instead of doubled."""
    if not by.can(roles.MANAGE_MEMBERS):
        raise Forbidden("Your role cannot invite auditors.")
    audit = get_audit(org, audit_id)
    email = _email(email)
    expires_at = _expiry(expires_at)
    member = Membership.objects.filter(organization=org, user__email__iexact=email).first()
    if member is not None and member.role != Role.AUDITOR:
        raise Conflict(
            f"{email} is already a member as {member.role}; auditors are invited "
            "with an address that has no other role.",
            field="email",
        )
    user = member.user if member else _known_user(email)
    with transaction.atomic():
        if member is None and user is not None:
            tenancy.add_member(org, actor, user, Role.AUDITOR)
        elif member is None:
            tenancy.invite(org, by, actor, email, Role.AUDITOR)
        grant = _open_grant(org, audit, email)
        if grant is None:
            grant = AuditorGrant.objects.create(
                organization=org,
                audit=audit,
                user=user,
                email=email,
                expires_at=expires_at,
                invited_by=by.user,
            )
            action = "fieldwork.auditor_granted"
        else:
            grant.expires_at, grant.user = expires_at, grant.user or user
            grant.save(update_fields=["expires_at", "user"])
            action = "fieldwork.auditor_grant_extended"
        activity.record(
            org, actor, action, grant, {"audit": audit.pk, "email": email, "expires_at": expires_at}
        )
        transaction.on_commit(lambda: _mail_grant(grant, audit))
    return grant


def _open_grant(org, audit: Audit, email: str) -> AuditorGrant | None:
    return (
        AuditorGrant.objects.select_for_update()
        .filter(organization=org, audit=audit, email=email, revoked_at__isnull=True)
        .first()
    )


def _known_user(email: str):
    from zgovern.accounts.models import User

    return User.objects.filter(email__iexact=email).first()


def _email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > tenancy.EMAIL_MAX:
        raise DomainError(
            f"The address is longer than {tenancy.EMAIL_MAX} characters.", field="email"
        )
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(f"{email!r} is not a valid email address.", field="email") from None
    return email


def _expiry(expires_at: datetime | str | None) -> datetime:
    if isinstance(expires_at, str):
        try:
            expires_at = datetime.fromisoformat(expires_at.strip())
        except ValueError:
            raise DomainError(
                f"{expires_at[:40]!r} is not a date and time (ISO 8601).", field="expires_at"
            ) from None
    if not isinstance(expires_at, datetime):
        raise DomainError("Give the date and time the access ends.", field="expires_at")
    if timezone.is_naive(expires_at):
        expires_at = expires_at.replace(tzinfo=UTC)
    now = timezone.now()
    if expires_at <= now:
        raise DomainError("The access must end in the future.", field="expires_at")
    if expires_at > now + timedelta(days=GRANT_MAX_DAYS):
        raise DomainError(
            f"Access is granted for at most {GRANT_MAX_DAYS} days.", field="expires_at"
        )
    return expires_at


def _mail_grant(grant: AuditorGrant, audit: Audit) -> None:
    org = audit.organization
    url = settings.BASE_URL + reverse("fieldwork:workspace", args=[org.slug, audit.pk])
    _send(
        f"Your access to the audit {audit.name} on zGovern",
        f"{org.name} gave you read-only access to the audit {audit.name} until "
        f"{grant.expires_at:%Y-%m-%d %H:%M} UTC.\n\nWorkspace: {url}\n\n"
        "Every page and file you open there is recorded for the organisation.",
        [grant.email],
    )


def revoke_grant(org, by: Membership, actor: Actor, audit_id: Any, grant_id: Any) -> AuditorGrant:
    """End a grant now; the auditor sees nothing of that audit from their next request."""
    if not by.can(roles.MANAGE_MEMBERS):
        raise Forbidden("Your role cannot revoke auditors' access.")
    audit = get_audit(org, audit_id)
    with transaction.atomic():
        grant = (
            AuditorGrant.objects.select_for_update()
            .filter(organization=org, audit=audit, pk=grant_id)
            .first()
        )
        if grant is None:
            raise NotFound("No such grant.")
        if grant.revoked_at is not None:
            raise Conflict("This access was already revoked.")
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        activity.record(
            org,
            actor,
            "fieldwork.auditor_revoked",
            grant,
            {"audit": audit.pk, "email": grant.email},
        )
    return grant


# -- comments ----------------------------------------------------------------------------


def add_comment(
    org, actor: Actor, audit_id: Any, *, target_kind: str, target_id: Any, body: str
) -> Comment:
    """A comment on a control, evidence item or sample within the audit. ``@email`` (or
    ``@name`` before the ``@`` of a member's address, when only one member has it)
    mentions a member who may see the audit; each is emailed once."""
    audit = get_audit(org, audit_id)
    body = _clean(body, COMMENT_MAX, "body", required=True)
    if target_kind not in CommentTarget.values:
        raise DomainError(
            f"Comment on one of: {', '.join(CommentTarget.values)}.", field="target_kind"
        )
    target = scope.target(org, audit, target_kind, target_id)
    if target is None:
        raise NotFound(f"No such {target_kind} in this audit.")
    mentioned = mentions(org, audit, body)
    with transaction.atomic():
        comment = Comment.objects.create(
            organization=org,
            audit=audit,
            target_kind=target_kind,
            target_id=target.pk,
            body=body,
            author=actor.user,
            author_label=actor.label[:300],
            mentions=[user.email for user in mentioned],
        )
        activity.record(
            org,
            actor,
            "fieldwork.commented",
            comment,
            {"audit": audit.pk, "on": f"{target_kind} {target.pk}", "mentions": comment.mentions},
        )
        others = [user for user in mentioned if user != actor.user]
        transaction.on_commit(lambda: _mail_mentions(comment, audit, target, actor, others))
    return comment


def mentions(org, audit: Audit, body: str) -> list:
    """Members named in ``body`` who may see ``audit``: an auditor only with an open
    grant to it, so a comment never reaches someone the audit is hidden from."""
    handles = {match.lower() for match in MENTION.findall(body)}
    if not handles:
        return []
    members = Membership.objects.filter(organization=org).select_related("user")
    visible = [m.user for m in members if _may_see(org, m, audit)]
    by_local: dict[str, list] = {}
    for user in visible:
        by_local.setdefault(user.email.lower().split("@")[0], []).append(user)
    found = []
    for handle in sorted(handles):
        exact = [user for user in visible if user.email.lower() == handle]
        local = by_local.get(handle, []) if "@" not in handle else []
        match = exact or (local if len(local) == 1 else [])
        found.extend(user for user in match if user not in found)
    return found


def _may_see(org, member: Membership, audit: Audit) -> bool:
    from zgovern.fieldwork import access

    if member.role == Role.EMPLOYEE:
        return False
    grants = access.grants_of(org, member.user)
    if member.role != Role.AUDITOR or grants is None:
        return True
    return audit.pk in grants.active


def _mail_mentions(comment: Comment, audit: Audit, target, actor: Actor, users: list) -> None:
    if not users:
        return
    org = audit.organization
    url = settings.BASE_URL + scope.target_url(org, audit, comment.target_kind, target.pk)
    _send(
        f"{actor.label} mentioned you in the audit {audit.name}",
        f"{actor.label} wrote on {comment.target_kind} {target}:\n\n{comment.body}\n\n{url}",
        [user.email for user in users],
    )


def _send(subject: str, message: str, to: list[str]) -> None:
    try:
        send_mail(subject=subject[:200], message=message, from_email=None, recipient_list=to)
    except Exception:
        # The change is committed; a mail server that is down must not make it an error.
        logger.exception("could not send %r to %s", subject, to)
