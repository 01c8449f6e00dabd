"""Reads of the policy library for the pages, the API, the portal and the checks.

The acknowledgement figures are computed in a constant number of queries per call: the
policies with their published versions, the roster once, and every acknowledgement once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from zgovern.people.models import Person
from zgovern.policies.audience import Standing, audience, baseline, standing
from zgovern.policies.models import Acknowledgement, Policy, PolicyVersion, VersionStatus
from zgovern.tenancy.models import Organization


def policies(org: Organization) -> QuerySet[Policy]:
    return Policy.objects.filter(organization=org).select_related("owner").order_by("title", "id")


def policy(org: Organization, policy_id: int) -> Policy | None:
    return Policy.objects.filter(organization=org, pk=policy_id).select_related("owner").first()


def version(org: Organization, version_id: int) -> PolicyVersion | None:
    rows = PolicyVersion.objects.filter(organization=org, pk=version_id)
    return rows.select_related("policy", "superseded_by").first()


def pending_for(org: Organization, person: Person) -> list[PolicyVersion]:
    """The published versions ``person`` still has to acknowledge, by policy title: one per
    policy whose audience includes them today and whose required version (the latest
    material change, see :mod:`zgovern.policies.audience`) they have not acknowledged,
    on or after it. A terminated person has none. Each version comes with its ``policy``
    loaded; pass its id to :func:`zgovern.policies.services.acknowledge`."""
    if person.organization_id != org.pk:
        return []
    today = timezone.localdate()
    acks = _acks_by_policy(org, person_ids=[person.pk]).get(person.pk, {})
    pending = []
    for item in _published(org):
        policy, current, base = item.policy, item.current, item.base
        if not audience(policy, today).filter(pk=person.pk).exists():
            continue
        if not standing(base, person, policy.ack_window_days, acks.get(policy.pk, []), today).done:
            pending.append(current)
    return pending


@dataclass
class Published:
    policy: Policy
    current: PolicyVersion
    base: PolicyVersion


def _published(org: Organization) -> list[Published]:
    current = (
        PolicyVersion.objects.filter(organization=org, status=VersionStatus.PUBLISHED)
        .select_related("policy", "policy__owner")
        .order_by("policy__title", "policy_id")
    )
    result = []
    for version in current:
        base = baseline(version.policy)
        if base is not None:
            result.append(Published(version.policy, version, base))
    return result


def _acks_by_policy(
    org: Organization, person_ids: list[int] | None = None
) -> dict[int, dict[int, list[tuple[int, datetime]]]]:
    """person id -> policy id -> [(version number, acknowledged at)]."""
    rows = Acknowledgement.objects.filter(organization=org)
    if person_ids is not None:
        rows = rows.filter(person_id__in=person_ids)
    result: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for person_id, policy_id, number, at in rows.values_list(
        "person_id", "policy_id", "version__number", "acknowledged_at"
    ):
        result[person_id][policy_id].append((number, at))
    return result


# -- the matrix and the rates ---------------------------------------------------------


@dataclass
class PolicyRate:
    published: Published
    audience: int = 0
    done: int = 0
    exceptions: list[tuple[Person, Standing]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return round(100 * self.done / self.audience, 1) if self.audience else None


@dataclass
class Matrix:
    """People (rows) by published policies (columns); a cell is a :class:`Standing`, or None
    when the person is outside that policy's audience."""

    columns: list[Published]
    rows: list[tuple[Person, list[Standing | None]]]
    rates: list[PolicyRate]

    def person_rate(self, cells: list[Standing | None]) -> float | None:
        due = [c for c in cells if c is not None]
        return round(100 * sum(c.done for c in due) / len(due), 1) if due else None


def matrix(org: Organization, today: date | None = None) -> Matrix:
    today = today or timezone.localdate()
    columns = _published(org)
    acks = _acks_by_policy(org)
    members = {
        item.policy.pk: set(audience(item.policy, today).values_list("pk", flat=True))
        for item in columns
    }
    everyone = set().union(*members.values()) if members else set()
    people = list(Person.objects.filter(organization=org, pk__in=everyone).order_by("full_name"))
    rates = [PolicyRate(item) for item in columns]
    rows = []
    for person in people:
        cells: list[Standing | None] = []
        for item, rate in zip(columns, rates, strict=True):
            if person.pk not in members[item.policy.pk]:
                cells.append(None)
                continue
            mine = acks.get(person.pk, {}).get(item.policy.pk, [])
            cell = standing(item.base, person, item.policy.ack_window_days, mine, today)
            rate.audience += 1
            rate.done += cell.done
            if cell.exception:
                rate.exceptions.append((person, cell))
            cells.append(cell)
        rows.append((person, cells))
    return Matrix(columns, rows, rates)


def policy_rate(org: Organization, policy_obj: Policy) -> PolicyRate | None:
    """The acknowledgement figures of ``policy_obj``'s published version (None if none)."""
    full = matrix(org)
    return next((r for r in full.rates if r.published.policy.pk == policy_obj.pk), None)


def version_rates(org: Organization, policy_obj: Policy) -> dict[int, tuple[int, int]]:
    """version number -> (acknowledgements of that exact version, audience at publication)."""
    counts: dict[int, int] = defaultdict(int)
    for number in Acknowledgement.objects.filter(organization=org, policy=policy_obj).values_list(
        "version__number", flat=True
    ):
        counts[number] += 1
    return {
        v.number: (counts.get(v.number, 0), v.audience_size or 0)
        for v in policy_obj.versions.filter(published_at__isnull=False)
    }


def person_standings(org: Organization, person: Person) -> list[tuple[Published, Standing]]:
    """Each published policy whose audience includes ``person`` today, with their standing
    (the exceptions shown on the person's page are those ``late`` or ``overdue``)."""
    today = timezone.localdate()
    acks = _acks_by_policy(org, [person.pk]).get(person.pk, {})
    result = []
    for item in _published(org):
        if audience(item.policy, today).filter(pk=person.pk).exists():
            mine = acks.get(item.policy.pk, [])
            window = item.policy.ack_window_days
            result.append((item, standing(item.base, person, window, mine, today)))
    return result


def policy_states(org: Organization) -> dict[str, str]:
    """Policy key -> "approved" (a version is published or approved), else "draft" (only
    versions in progress or retired), for the readiness engine, in one query; keys not
    adopted are "missing" by absence."""
    good = (VersionStatus.PUBLISHED, VersionStatus.APPROVED)
    states: dict[str, str] = {}
    rows = Policy.objects.filter(organization=org).values_list("key", "versions__status")
    for key, status in rows:
        if status in good:
            states[key] = "approved"
        else:
            states.setdefault(key, "draft")
    return states


def library(org: Organization) -> list[tuple[Policy, PolicyVersion]]:
    """Each policy with the version that speaks for it: the published one, else the latest."""
    result = []
    for item in policies(org).prefetch_related("versions__approvals"):
        versions = sorted(item.versions.all(), key=lambda v: -v.number)
        chosen = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
        chosen = chosen or (versions[0] if versions else None)
        if chosen is not None:
            result.append((item, chosen))
    return result


def previous_version(version_obj: PolicyVersion) -> PolicyVersion | None:
    rows = PolicyVersion.objects.filter(
        policy_id=version_obj.policy_id, number__lt=version_obj.number
    )
    return rows.order_by("-number").first()


def matrix_csv_rows(full: Matrix) -> tuple[list[str], list[list]]:
    """The matrix as a CSV header and rows: one row per person, one column per policy
    (its state, with the acknowledgement date when done), and the person's rate."""
    header = ["person", "work_email", "department"]
    header += [f"{c.policy.title} v{c.current.number}" for c in full.columns]
    header.append("rate_percent")
    rows = []
    for person, cells in full.rows:
        values = [_cell_text(cell) for cell in cells]
        rate = full.person_rate(cells)
        rows.append([person.full_name, person.work_email, person.department, *values, rate])
    return header, rows


def _cell_text(cell: Standing | None) -> str:
    if cell is None:
        return "n/a"
    if cell.acknowledged_at is not None:
        return f"{cell.state} {timezone.localdate(cell.acknowledged_at).isoformat()}"
    return f"{cell.state} (due {cell.due.isoformat()})"
