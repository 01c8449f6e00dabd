"""Acknowledgements: a person confirming they read the exact published version of a policy.

Two doors, both refusing with a reason before anything is written:

- :func:`acknowledge`: the person themself, from the employee portal or the API;
- :func:`record_paper_acknowledgement`: an owner or admin recording a signed paper form,
  whose scan is kept as an evidence item.

Each acknowledgement is stored once per person and version (a unique constraint, so two
simultaneous clicks land once and the second is refused as a ``Conflict``) and logged as
``policy.acknowledged``.
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, Forbidden, Gone, NotFound
from zgovern.people.models import Person
from zgovern.policies.audience import baseline, in_audience
from zgovern.policies.models import AckMethod, Acknowledgement, PolicyVersion, VersionStatus
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.roles import Role

ADMIN_ROLES = (Role.OWNER, Role.ADMIN)


def acknowledge(
    org: Organization,
    actor: Actor,
    *,
    person: Person | int,
    version_id: Any,
    client_ip: str = "",
    user_agent: str = "",
) -> Acknowledgement:
    """Record that ``person`` read and accepts version ``version_id``, with the time, the
    client's address and user agent, method ``portal``.

    Refused, nothing written:

    - ``NotFound``: no such version or person in ``org``;
    - ``Forbidden``: a signed-in actor (user or token) whose email is not the person's work
      email: nobody acknowledges for someone else (see :func:`record_paper_acknowledgement`);
      or the person is not in the policy's audience;
    - ``Gone``: the version is retired, or superseded by a newer published one (the message
      names the version to read instead);
    - ``Conflict``: the version is not published yet, or the person already acknowledged it
      (or an earlier version a non-material change carries forward).

    The system actor may acknowledge for anyone (demo data, tests)."""
    person = _person(org, person)
    if actor.user is not None and actor.user.email.lower() != person.work_email.lower():
        raise Forbidden(
            "You can only acknowledge policies for yourself; an admin records a paper "
            "acknowledgement for someone else.",
            field="person",
        )
    return _record(org, actor, person, version_id, {
        "client_ip": str(client_ip or "")[:45], "user_agent": str(user_agent or "")[:300],
        "method": AckMethod.PORTAL,
    })  # fmt: skip


def record_paper_acknowledgement(
    org: Organization,
    actor: Actor,
    *,
    person: Person | int,
    version_id: Any,
    scan_file: File | None,
) -> Acknowledgement:
    """An owner or admin records ``person``'s signed paper acknowledgement of version
    ``version_id``; ``scan_file`` (required) is stored as a ``policy_acknowledgement``
    evidence item linked to the acknowledgement, and the admin is named in
    ``recorded_by``. Same refusals as :func:`acknowledge`, except that the person need not
    be the actor; a member who is not owner or admin is ``Forbidden``."""
    if actor.kind != "system" and not _is_admin(org, actor):
        raise Forbidden("Only an owner or admin records paper acknowledgements.", field="actor")
    if scan_file is None:
        raise DomainError("Attach the scan of the signed acknowledgement.", field="scan_file")
    person = _person(org, person)
    version = _version(org, version_id)
    _refusal(person, version)
    from zgovern.evidence.services import add_file

    with transaction.atomic():
        evidence = add_file(
            org, actor, kind="policy_acknowledgement", uploaded_file=scan_file,
            title=f"Paper acknowledgement of {version} by {person.full_name}"[:200],
            tags=["policy", version.policy.key],
        )  # fmt: skip
        return _record(org, actor, person, version.pk, {
            "method": AckMethod.PAPER, "evidence": evidence, "recorded_by": actor.label[:254],
        })  # fmt: skip


def _record(org, actor, person: Person, version_id: Any, fields: dict) -> Acknowledgement:
    try:
        with transaction.atomic():
            version = _version(org, version_id, lock=True)
            _refusal(person, version)
            ack = Acknowledgement.objects.create(
                organization=org, person=person, version=version, policy=version.policy,
                acknowledged_at=timezone.now(), **fields,
            )  # fmt: skip
            record(org, actor, "policy.acknowledged", version.policy, {
                "version": version.number, "person": person.work_email,
                "method": ack.method, "client_ip": ack.client_ip,
                "evidence": ack.evidence_id,
            })  # fmt: skip
    except IntegrityError:
        raise _already(version_id) from None
    return ack


def _refusal(person: Person, version: PolicyVersion) -> None:
    """Raise the reason ``person`` may not acknowledge ``version`` now, if any."""
    policy = version.policy
    if version.status == VersionStatus.RETIRED:
        if version.superseded_by_id:
            newer = version.superseded_by
            raise Gone(
                f"Version {version.number} of {policy.title} was superseded by version "
                f"{newer.number}; acknowledge that one instead.",
                field="version",
            )
        raise Gone(f"{policy.title} (version {version.number}) was retired.", field="version")
    if version.status != VersionStatus.PUBLISHED:
        raise Conflict(
            f"Version {version.number} of {policy.title} is not published.", field="version"
        )
    if not in_audience(policy, person):
        raise Forbidden(
            f"{person.full_name} is not in the audience of {policy.title} "
            f"({policy.get_audience_display().lower()}).",
            field="person",
        )
    base = baseline(policy)
    done = (
        Acknowledgement.objects.filter(
            person=person, policy=policy, version__number__gte=base.number if base else 0
        )
        .select_related("version")
        .first()
    )
    if done is not None:
        carried = "" if done.version_id == version.pk else ", which this non-material change keeps"
        raise Conflict(
            f"{person.full_name} already acknowledged version {done.version.number} of "
            f"{policy.title} on {timezone.localdate(done.acknowledged_at).isoformat()}{carried}.",
            field="version",
        )


def _already(version_id: Any) -> Conflict:
    return Conflict("This person already acknowledged this version.", field="version")


def _person(org: Organization, person: Person | int) -> Person:
    pk = person.pk if isinstance(person, Person) else person
    found = Person.objects.filter(organization=org, pk=_int(pk)).first() if _int(pk) else None
    if found is None:
        raise NotFound("No such person.", field="person")
    return found


def _version(org: Organization, version_id: Any, *, lock: bool = False) -> PolicyVersion:
    pk = _int(version_id)
    rows = PolicyVersion.objects.filter(organization=org, pk=pk or 0)
    rows = rows.select_for_update(of=("self",)) if lock else rows
    version = rows.select_related("policy", "superseded_by").first() if pk else None
    if version is None:
        raise NotFound("No such policy version.", field="version")
    return version


def _int(value: Any) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 1 <= pk <= 2**63 - 1 else None


def _is_admin(org: Organization, actor: Actor) -> bool:
    if actor.user is None:
        return False
    return Membership.objects.filter(
        organization=org, user=actor.user, role__in=ADMIN_ROLES
    ).exists()
