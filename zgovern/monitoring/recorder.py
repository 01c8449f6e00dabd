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
        plan = _Plan(org, at, integration_id)
        for obs in observations:
            open_here = current.get(obs.check_id, {})
            seen: set[int] = set()
            for key, (_, finding) in verdicts[obs.check_id].items():
                resource_id = resource_ids[key]
                seen.add(resource_id)
                stats.counts[finding.status] += 1
                plan.observe(obs.check_id, resource_id, finding, open_here.get(resource_id))
            if obs.complete and integration_id is not None:
                plan.close_unseen(obs.check_id, seen, open_here)
        plan.apply()
    stats.opened, stats.closed, stats.confirmed = len(plan.new), len(plan.close), plan.confirmed
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
    try:
        kind, external_id, name = ref.resource_type, ref.external_id, ref.name
        account, region = ref.account, ref.region
        if (
            len(kind) <= 80 and len(external_id) <= 500 and len(name) <= 300
            and len(account) <= 100 and len(region) <= 40
            and "\x00" not in f"{kind}{external_id}{name}{account}{region}"
        ):  # fmt: skip
            return ref  # the common case, checked fast: runs see thousands of these
    except TypeError:  # a field that is not text
        pass
    values = {name: _text(getattr(ref, name), limit) for name, limit in _LIMITS.items()}
    return ResourceRef(**values)


def _text(value: str, limit: int) -> str:
    return str(value or "").replace("\x00", "")[:limit]


class _Plan:
    """The writes one recording makes, gathered first and applied in bulk."""

    def __init__(self, org: Organization, at: datetime, integration_id: int | None) -> None:
        self.org, self.at, self.integration_id = org, at, integration_id
        self.new: list[CheckInterval] = []
        self.close: list[int] = []
        self.confirm: dict[str, list[int]] = {}  # check id -> open intervals seen again
        self.reasons: list[CheckInterval] = []
        self.complete: set[str] = set()  # checks whose every open interval is accounted for
        self.confirmed = 0

    def observe(self, check_id: str, resource_id: int, finding: Finding, open_: _Open | None):
        reason = _text(finding.reason, REASON_MAX)
        if open_ is not None and open_.status == finding.status:
            self.confirm.setdefault(check_id, []).append(open_.id)
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

    def close_unseen(self, check_id: str, seen: set[int], open_here: dict[int, _Open]) -> None:
        """Close the check's open intervals on the integration's resources not seen."""
        for resource_id, open_ in open_here.items():
            if open_.integration_id == self.integration_id and resource_id not in seen:
                self.close.append(open_.id)
        self.complete.add(check_id)

    def apply(self) -> None:
        # Close before inserting: the one-open-interval constraint holds at every statement.
        for ids in chunks(self.close):
            CheckInterval.objects.filter(pk__in=ids).update(ended_at=self.at)
        for check_id, ids in self.confirm.items():
            self.confirmed += len(ids)
            self._confirm(check_id, ids)
        if self.reasons:
            CheckInterval.objects.bulk_update(self.reasons, ["reason"], batch_size=CHUNK)
        CheckInterval.objects.bulk_create(self.new, batch_size=CHUNK)

    def _confirm(self, check_id: str, ids: list[int]) -> None:
        """Bump ``confirmed_at``. After a complete observation the check's intervals still
        open on the integration's resources are exactly the ones seen again: one UPDATE."""
        if check_id in self.complete and len(ids) > CHUNK:
            CheckInterval.objects.filter(
                organization=self.org,
                check_id=check_id,
                ended_at__isnull=True,
                resource__integration_id=self.integration_id,
            ).update(confirmed_at=self.at)
            return
        for chunk in chunks(ids):
            CheckInterval.objects.filter(pk__in=chunk).update(confirmed_at=self.at)


def _open_intervals(org: Organization, check_ids: list[str]) -> dict[str, dict[int, _Open]]:
    """Check id -> resource id -> its open interval."""
    rows = (
        CheckInterval.objects.filter(
            organization=org, check_id__in=check_ids, ended_at__isnull=True
        )
        .order_by()
        .values_list(
            "id", "resource_id", "check_id", "status", "reason", "resource__integration_id"
        )
    )
    found: dict[str, dict[int, _Open]] = {}
    for pk, resource_id, check_id, status, reason, integration_id in rows.iterator(chunk_size=5000):
        found.setdefault(check_id, {})[resource_id] = _Open(pk, status, reason, integration_id)
    return found


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
    known = _known(org, provider, wanted)
    missing = [ref for key, ref in wanted.items() if key not in known]
    if missing:
        Resource.objects.bulk_create(
            [_new_resource(org, provider, integration_id, ref, at) for ref in missing],
            batch_size=CHUNK,
            ignore_conflicts=True,  # another run may have created the same one meanwhile
        )
        known.update(_known(org, provider, {(r.resource_type, r.external_id): r for r in missing}))
    _refresh(org, known, wanted, integration_id, at)
    return {key: row.id for key, row in known.items()}


@dataclass
class _Known:
    id: int
    name: str
    account: str
    region: str
    integration_id: int | None


def _known(org, provider: str, wanted: dict) -> dict[tuple[str, str], _Known]:
    """The stored resources among ``wanted``: by id lists when they are few, else in one
    pass over the provider's resources of those types (cheaper than thousands of ids)."""
    rows = Resource.objects.filter(organization=org, provider=provider).order_by()
    if len(wanted) > CHUNK * 4:
        batches = [rows.filter(resource_type__in=sorted({kind for kind, _ in wanted}))]
    else:
        external_ids = sorted({external_id for _, external_id in wanted})
        batches = [rows.filter(external_id__in=ids) for ids in chunks(external_ids)]
    found: dict[tuple[str, str], _Known] = {}
    for batch in batches:
        columns = (
            "id",
            "resource_type",
            "external_id",
            "name",
            "account",
            "region",
            "integration_id",
        )
        for pk, kind, external_id, name, account, region, owner in batch.values_list(*columns):
            if (kind, external_id) in wanted:
                found[(kind, external_id)] = _Known(pk, name, account, region, owner)
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


def _refresh(org, known: dict, wanted: dict, integration_id: int | None, at: datetime) -> None:
    changed: list[Resource] = []
    for key, row in known.items():
        ref = wanted[key]
        fresh = _Known(
            row.id, ref.name or row.name, ref.account, ref.region,
            integration_id if integration_id is not None else row.integration_id,
        )  # fmt: skip
        if fresh != row:
            known[key] = fresh
            changed.append(
                Resource(
                    pk=row.id,
                    name=fresh.name,
                    account=fresh.account,
                    region=fresh.region,
                    integration_id=fresh.integration_id,
                )
            )
    if changed:
        Resource.objects.bulk_update(
            changed, ["name", "account", "region", "integration"], batch_size=CHUNK
        )
    _touch(org, [row.id for row in known.values()], integration_id, at)


def _touch(org, seen: list[int], integration_id: int | None, at: datetime) -> None:
    """Set ``last_seen_at`` of the resources seen: one UPDATE over the integration's
    resources when it saw nearly all of them, else by id lists."""
    if integration_id is not None and len(seen) > CHUNK:
        theirs = Resource.objects.filter(organization=org, integration_id=integration_id)
        unseen = set(theirs.values_list("id", flat=True)) - set(seen)
        if len(unseen) <= CHUNK:
            theirs.exclude(pk__in=unseen).update(last_seen_at=at)
            return
    for ids in chunks(seen):
        Resource.objects.filter(pk__in=ids).update(last_seen_at=at)


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
