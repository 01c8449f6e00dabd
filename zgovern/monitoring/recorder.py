"""Record what a run (or an import) observed as status intervals.

For every (resource, check) there is at most one open interval, the current status. A new
observation of the same status bumps its ``confirmed_at``; a different status closes it
(``ended_at`` = the observation time) and opens a new one. When a run observed a check
*completely* (its service was collected without failure), the open intervals of that
check on the integration's own resources it did not see are closed: those resources are
gone. Anything not observed completely — a failed service, an evaluator that crashed, an
import of a partial scan — leaves the intervals of unseen resources untouched.

Everything is written in bulk (a few statements per thousand rows) inside one
transaction, so a run costs rows in proportion to the changes it saw and nothing is ever
half-recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from zgovern.integrations.base import Finding, ResourceRef
from zgovern.monitoring.models import CheckInterval, CheckStatus, Resource
from zgovern.tenancy.models import Organization

CHUNK = 500  # ids per IN (...) list: well under every backend's parameter limit
# When one resource gets two verdicts from the same check, the worse one is kept.
_RANK = {
    CheckStatus.FAIL: 5,
    CheckStatus.ERROR: 4,
    CheckStatus.PASS: 3,
    CheckStatus.SKIPPED: 2,
    CheckStatus.NOT_APPLICABLE: 1,
}
_LIMITS = {"resource_type": 80, "external_id": 500, "name": 300, "account": 100, "region": 40}
REASON_MAX = 500


@dataclass
class Observation:
    """What one run saw for one check. ``complete`` says every resource the check covers
    was observed, so the integration's resources missing from ``findings`` are gone."""

    check_id: str
    findings: list[Finding]
    complete: bool


@dataclass
class RecordStats:
    resources_seen: int = 0
    opened: int = 0
    closed: int = 0
    confirmed: int = 0
    counts: Counter = field(default_factory=Counter)  # status -> findings recorded


@dataclass
class _Open:
    id: int
    status: str
    reason: str
    integration_id: int | None


def record(
    org: Organization,
    *,
    provider: str,
    integration_id: int | None,
    observations: Sequence[Observation],
    at: datetime,
) -> RecordStats:
    """Record ``observations`` made at ``at`` (call inside ``org``'s scope)."""
    stats = RecordStats()
    verdicts = {obs.check_id: _verdicts(obs.findings) for obs in observations}
    refs = {key: ref for by_check in verdicts.values() for key, (ref, _) in by_check.items()}
    with transaction.atomic():
        resource_ids = upsert_resources(org, provider, integration_id, refs.values(), at)
        stats.resources_seen = len(resource_ids)
        current = _open_intervals(org, list(verdicts))
        plan = _Plan(org, at)
        for obs in observations:
            seen: set[int] = set()
            for key, (_, finding) in verdicts[obs.check_id].items():
                resource_id = resource_ids[key]
                seen.add(resource_id)
                stats.counts[finding.status] += 1
                plan.observe(
                    obs.check_id, resource_id, finding, current.get((resource_id, obs.check_id))
                )
            if obs.complete and integration_id is not None:
                plan.close_unseen(obs.check_id, integration_id, seen, current)
        plan.apply()
    stats.opened, stats.closed, stats.confirmed = len(plan.new), len(plan.close), len(plan.confirm)
    return stats


def _verdicts(findings: Iterable[Finding]) -> dict[tuple[str, str], tuple[ResourceRef, Finding]]:
    """One finding per resource (the worst when a check gave several), keyed by identity."""
    kept: dict[tuple[str, str], tuple[ResourceRef, Finding]] = {}
    for finding in findings:
        ref = clamp(finding.resource)
        key = (ref.resource_type, ref.external_id)
        previous = kept.get(key)
        if previous is None or _RANK[finding.status] > _RANK[previous[1].status]:
            kept[key] = (ref, finding)
    return kept


def clamp(ref: ResourceRef) -> ResourceRef:
    """``ref`` with every field storable: no NUL characters, within the column sizes."""
    values = {name: _text(getattr(ref, name), limit) for name, limit in _LIMITS.items()}
    return ResourceRef(**values)


def _text(value: str, limit: int) -> str:
    return str(value or "").replace("\x00", "")[:limit]


class _Plan:
    """The writes one recording makes, gathered first and applied in bulk."""

    def __init__(self, org: Organization, at: datetime) -> None:
        self.org, self.at = org, at
        self.new: list[CheckInterval] = []
        self.close: list[int] = []
        self.confirm: list[int] = []
        self.reasons: list[CheckInterval] = []

    def observe(self, check_id: str, resource_id: int, finding: Finding, open_: _Open | None):
        reason = _text(finding.reason, REASON_MAX)
        if open_ is not None and open_.status == finding.status:
            self.confirm.append(open_.id)
            if open_.reason != reason:
                self.reasons.append(CheckInterval(pk=open_.id, reason=reason))
            return
        if open_ is not None:
            self.close.append(open_.id)
        self.new.append(
            CheckInterval(
                organization=self.org,
                check_id=check_id,
                resource_id=resource_id,
                status=finding.status,
                reason=reason,
                started_at=self.at,
                confirmed_at=self.at,
            )
        )

    def close_unseen(
        self,
        check_id: str,
        integration_id: int,
        seen: set[int],
        current: dict[tuple[int, str], _Open],
    ) -> None:
        for (resource_id, open_check), open_ in current.items():
            if (
                open_check == check_id
                and open_.integration_id == integration_id
                and resource_id not in seen
            ):
                self.close.append(open_.id)

    def apply(self) -> None:
        # Close before inserting: the one-open-interval constraint holds at every statement.
        for ids in chunks(self.close):
            CheckInterval.objects.filter(pk__in=ids).update(ended_at=self.at)
        for ids in chunks(self.confirm):
            CheckInterval.objects.filter(pk__in=ids).update(confirmed_at=self.at)
        if self.reasons:
            CheckInterval.objects.bulk_update(self.reasons, ["reason"], batch_size=CHUNK)
        CheckInterval.objects.bulk_create(self.new, batch_size=CHUNK)


def _open_intervals(org: Organization, check_ids: list[str]) -> dict[tuple[int, str], _Open]:
    rows = (
        CheckInterval.objects.filter(
            organization=org, check_id__in=check_ids, ended_at__isnull=True
        )
        .order_by()
        .values_list(
            "id", "resource_id", "check_id", "status", "reason", "resource__integration_id"
        )
    )
    return {
        (resource_id, check_id): _Open(pk, status, reason, integration_id)
        for pk, resource_id, check_id, status, reason, integration_id in rows.iterator(
            chunk_size=5000
        )
    }


def upsert_resources(
    org: Organization,
    provider: str,
    integration_id: int | None,
    refs: Iterable[ResourceRef],
    at: datetime,
) -> dict[tuple[str, str], int]:
    """Create the resources not known yet, refresh the others (name, account, region,
    ``last_seen_at`` and, when given, the integration that saw them); returns their ids."""
    wanted = {(ref.resource_type, ref.external_id): ref for ref in refs}
    existing = _existing(org, provider, wanted)
    missing = [ref for key, ref in wanted.items() if key not in existing]
    if missing:
        Resource.objects.bulk_create(
            [_new_resource(org, provider, integration_id, ref, at) for ref in missing],
            batch_size=CHUNK,
            ignore_conflicts=True,  # another run may have created the same one meanwhile
        )
        existing.update(
            _existing(org, provider, {(r.resource_type, r.external_id): r for r in missing})
        )
    _refresh(existing, wanted, integration_id, at)
    return {key: row.id for key, row in existing.items()}


def _existing(org, provider: str, wanted: dict) -> dict[tuple[str, str], Resource]:
    found: dict[tuple[str, str], Resource] = {}
    external_ids = sorted({external_id for _, external_id in wanted})
    for ids in chunks(external_ids):
        rows = Resource.objects.filter(
            organization=org, provider=provider, external_id__in=ids
        ).only("id", "resource_type", "external_id", "name", "account", "region", "integration")
        for row in rows:
            key = (row.resource_type, row.external_id)
            if key in wanted:
                found[key] = row
    return found


def _new_resource(org, provider: str, integration_id, ref: ResourceRef, at) -> Resource:
    return Resource(
        organization=org,
        provider=provider,
        resource_type=ref.resource_type,
        external_id=ref.external_id,
        name=ref.name or ref.external_id[:300],
        account=ref.account,
        region=ref.region,
        integration_id=integration_id,
        first_seen_at=at,
        last_seen_at=at,
    )


def _refresh(existing: dict, wanted: dict, integration_id: int | None, at: datetime) -> None:
    changed: list[Resource] = []
    for key, row in existing.items():
        ref = wanted[key]
        name = ref.name or row.name
        owner = integration_id if integration_id is not None else row.integration_id
        if (row.name, row.account, row.region, row.integration_id) != (
            name, ref.account, ref.region, owner,
        ):  # fmt: skip
            row.name, row.account, row.region, row.integration_id = (
                name, ref.account, ref.region, owner,
            )  # fmt: skip
            changed.append(row)
    if changed:
        Resource.objects.bulk_update(
            changed, ["name", "account", "region", "integration"], batch_size=CHUNK
        )
    for ids in chunks([row.id for row in existing.values()]):
        Resource.objects.filter(pk__in=ids).update(last_seen_at=at)


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
