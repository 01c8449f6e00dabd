"""Who must acknowledge what, computed from the roster.

- A policy's audience is every person not terminated whose employment type (or department)
  matches the policy's ``audience``: ``everyone``; ``employees`` (everyone but
  contractors); ``contractors``; ``departments`` (the listed departments, any case).
- The version a person must have acknowledged is the policy's *baseline*: the newest
  version ever published that was a material change (the first published version always
  counts as one). An acknowledgement of the baseline or of any later published version
  satisfies it, so a non-material change carries the acknowledgements made before it and a
  material one asks everyone again.
- A person's window ends ``ack_window_days`` after the later of the baseline's publication
  and their start date; someone still without an acknowledgement after it is an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from zgovern.people.models import EmploymentType, Person, PersonStatus
from zgovern.policies.models import Audience, Policy, PolicyVersion, VersionStatus


def audience_filter(policy: Policy) -> Q:
    """The roster condition of ``policy``'s audience (current status aside)."""
    if policy.audience == Audience.EMPLOYEES:
        return ~Q(employment_type=EmploymentType.CONTRACTOR)
    if policy.audience == Audience.CONTRACTORS:
        return Q(employment_type=EmploymentType.CONTRACTOR)
    if policy.audience == Audience.DEPARTMENTS:
        wanted = Q(pk__in=[])
        for name in policy.departments or []:
            wanted |= Q(department__iexact=name)
        return wanted
    return Q()


def _not_terminated(today: date) -> Q:
    ended = Q(end_date__lt=today)
    return ~Q(status=PersonStatus.TERMINATED) & ~ended


def audience(policy: Policy, today: date | None = None) -> QuerySet[Person]:
    """The people who must read ``policy`` today, by name."""
    today = today or timezone.localdate()
    rows = Person.objects.filter(organization=policy.organization)
    return rows.filter(audience_filter(policy) & _not_terminated(today)).order_by("full_name", "id")


def in_audience(policy: Policy, person: Person, today: date | None = None) -> bool:
    return audience(policy, today).filter(pk=person.pk).exists()


def baseline(policy: Policy) -> PolicyVersion | None:
    """The version whose acknowledgement is required now (None when nothing is published)."""
    if not policy.versions.filter(status=VersionStatus.PUBLISHED).exists():
        return None
    published = policy.versions.filter(published_at__isnull=False).order_by("-number")
    chain = list(published.only("id", "number", "material", "published_at", "status"))
    for version in chain:
        if version.material or version is chain[-1]:
            return version
    return None


@dataclass(frozen=True)
class Standing:
    """One person's position on one policy."""

    state: str  # "acknowledged" | "late" (acknowledged after the window) | "pending" | "overdue"
    due: date
    acknowledged_at: datetime | None = None
    version_number: int | None = None  # the version acknowledged

    @property
    def done(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def exception(self) -> bool:
        return self.state in ("late", "overdue")


def due_date(base: PolicyVersion, person: Person, window_days: int) -> date:
    published = timezone.localdate(base.published_at) if base.published_at else base.created_at
    start = max(published if isinstance(published, date) else published.date(), person.start_date)
    return start + timedelta(days=window_days)


def standing(
    base: PolicyVersion,
    person: Person,
    window_days: int,
    acks: list[tuple[int, datetime]],
    today: date | None = None,
) -> Standing:
    """``acks`` are the person's (version number, time) on this policy, any order."""
    today = today or timezone.localdate()
    due = due_date(base, person, window_days)
    counting = sorted((at, n) for n, at in acks if n >= base.number)
    if counting:
        at, number = counting[0]
        state = "acknowledged" if timezone.localdate(at) <= due else "late"
        return Standing(state, due, at, number)
    return Standing("overdue" if today > due else "pending", due)
