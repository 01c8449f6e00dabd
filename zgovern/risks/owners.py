"""Who owns a risk or an incident, and who may approve a risk's acceptance.

An owner is given by email: a member of the organisation (their sign-in email) or, failing
that, a person on the roster (their work email), so a record can be owned by someone who
never signs in. An approver must be a member whose role can change records (owner, admin
or member): auditors and employees cannot accept risks on the organisation's behalf.
"""

from __future__ import annotations

from zgovern.core.errors import DomainError
from zgovern.tenancy import roles
from zgovern.tenancy.models import Membership, Organization


def resolve_owner(org: Organization, email: str | None, field: str = "owner_email"):
    """(user, person) for ``email``; (None, None) when empty. Unknown: 400 on ``field``."""
    from zgovern.people.models import Person

    email = (email or "").strip().lower()
    if not email:
        return None, None
    if len(email) > 254:
        raise DomainError("At most 254 characters.", field=field)
    membership = (
        Membership.objects.filter(organization=org, user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if membership is not None:
        return membership.user, None
    person = Person.objects.filter(organization=org, work_email=email).first()
    if person is not None:
        return None, person
    raise DomainError(
        f"{email} is neither a member of the organisation nor on the roster.", field=field
    )


def resolve_approver(org: Organization, email: str | None, field: str = "approver_email"):
    """The member approving an acceptance; 400 on ``field`` when missing or not allowed."""
    email = (email or "").strip().lower()
    if not email:
        raise DomainError("An acceptance needs an approver.", field=field)
    membership = (
        Membership.objects.filter(organization=org, user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise DomainError(f"{email} is not a member of the organisation.", field=field)
    if not membership.can(roles.WRITE):
        raise DomainError(
            f"{email} is {membership.role}: an approver must be an owner, admin or member.",
            field=field,
        )
    return membership.user
