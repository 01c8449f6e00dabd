"""Failing time per resource from the monitoring record (check status intervals).

A resource counts as failing a check for the union of its ``fail`` intervals clipped to
the period; an interval still open at the period's end runs to that end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.db.models import Q

from zgovern.findings.scan.base import Item, Period, days_text, merged_seconds, ref
from zgovern.monitoring.models import CheckInterval, CheckStatus


@cache
def checks_for_control(control_key: str) -> tuple[str, ...]:
    """Ids of every provider's checks that test ``control_key``."""
    from zgovern.integrations.registry import all_providers
    from zgovern.monitoring.checkspec import load_checks

    found = []
    for provider in all_providers():
        found += [s.id for s in load_checks(provider) if control_key in s.controls]
    return tuple(sorted(found))


@dataclass
class Failing:
    resource_id: int
    provider: str
    resource_type: str
    name: str
    checks: set[str] = field(default_factory=set)
    spans: list[tuple[datetime, datetime]] = field(default_factory=list)
    reason: str = ""
    interval_ids: list[int] = field(default_factory=list)

    @property
    def first(self) -> datetime:
        return min(s for s, _ in self.spans)

    @property
    def last(self) -> datetime:
        return max(e for _, e in self.spans)

    @property
    def seconds(self) -> float:
        return merged_seconds(self.spans)


def failing(org, period: Period, check_ids: tuple[str, ...]) -> dict[int, Failing]:
    """Resources that failed any of ``check_ids`` at some time in ``period``."""
    start, end = period.start_at, period.end_at
    rows = (
        CheckInterval.objects.filter(
            organization=org,
            check_id__in=check_ids,
            status=CheckStatus.FAIL,
            started_at__lt=end,
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values_list(
            "id",
            "check_id",
            "reason",
            "started_at",
            "ended_at",
            "resource_id",
            "resource__provider",
            "resource__resource_type",
            "resource__name",
            "resource__account",
        )
        .order_by()
    )
    found: dict[int, Failing] = {}
    for pk, check, reason, began, ended, rid, provider, rtype, name, acct in rows.iterator(2000):
        entry = found.get(rid)
        if entry is None:
            # Workforce resources stand for accounts of other systems: name that system.
            system = acct if provider == "workforce" and acct else provider
            entry = found[rid] = Failing(rid, system, rtype, name, reason=reason)
        entry.checks.add(check)
        entry.spans.append((max(began, start), min(ended or end, end)))
        if len(entry.interval_ids) < 20:
            entry.interval_ids.append(pk)
    return found


def failing_item(f: Failing, *, category: str, severity: str, state: str) -> Item:
    """The exception of a resource that failed for part of the period: ``state`` says what
    was wrong ("Account x was without MFA"); the wording adds for how long and when, and
    the evidence is the resource and its failing intervals."""
    wording = (
        f"{state} for {days_text(f.seconds)} in the period, "
        f"from {f.first:%Y-%m-%d} until {f.last:%Y-%m-%d %H:%M}"
    )
    evidence = [ref("resource", f.resource_id, f.name)]
    evidence += [ref("check_interval", pk, ", ".join(sorted(f.checks))) for pk in f.interval_ids]
    return Item(
        key=f"{category}:resource:{f.resource_id}",
        wording=wording,
        severity=severity,
        system=f.provider,
        subject_type="resource",
        subject_id=str(f.resource_id),
        subject_label=f.name,
        period_from=f.first,
        period_until=f.last,
        duration_seconds=f.seconds,
        evidence=evidence,
    )
