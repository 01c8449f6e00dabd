"""What every category module shares: the period, the windows, and the exception record.

A category module exposes ``CATEGORY`` and ``evaluate(org, period, windows)``, which
returns :class:`Exceptions` (a list of :class:`Item` that also carries the population
tested and the auditor's summary sentence). Modules only read; storing is
:mod:`zgovern.findings.services`' business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from zgovern.findings.models import FindingsSettings
from zgovern.identity.models import IdentitySettings


@dataclass(frozen=True)
class Period:
    """Inclusive days ``start``..``end``; ``as_of`` is the last day observed (the period's
    end, or today while the period is still running)."""

    start: date
    end: date
    today: date | None = None

    @property
    def as_of(self) -> date:
        today = self.today or timezone.localdate()
        return min(self.end, today)

    @property
    def start_at(self) -> datetime:
        return day_start(self.start)

    @property
    def end_at(self) -> datetime:
        """The instant the period stops (exclusive): midnight after ``as_of``."""
        return day_start(self.as_of + timedelta(days=1))


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Windows:
    revocation_business_days: int = 1
    onboarding_days: int = 30
    review_cadence_months: int = 3
    vendor_reassessment_months: int = 12
    training_months: int = 12
    plan_test_months: int = 12
    production_systems: tuple[str, ...] = ("aws",)


def windows_for(org) -> Windows:
    """The organisation's windows; rows that do not exist yet mean the defaults."""
    ident = IdentitySettings.objects.filter(organization=org).first()
    own = FindingsSettings.objects.filter(organization=org).first()
    values: dict[str, Any] = {}
    if ident is not None:
        values["revocation_business_days"] = ident.revocation_business_days
        values["onboarding_days"] = ident.onboarding_days
    if own is not None:
        values["review_cadence_months"] = own.review_cadence_months
        values["vendor_reassessment_months"] = own.vendor_reassessment_months
        values["training_months"] = own.training_months
        values["plan_test_months"] = own.plan_test_months
        if own.production_systems:
            values["production_systems"] = tuple(own.production_systems)
    return Windows(**values)


@dataclass
class Item:
    """One exception, worded as an auditor would write it."""

    key: str  # stable across scans: "<category>:<what>:<subject>"
    wording: str
    severity: str
    system: str = ""
    subject_type: str = ""
    subject_id: str = ""
    subject_label: str = ""
    period_from: datetime | None = None
    period_until: datetime | None = None
    duration_seconds: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    controls: tuple[str, ...] = ()  # when it differs from the category's


class Exceptions(list):
    """The exceptions of one category, with the population tested and the summary."""

    def __init__(self, items=(), *, population: int = 0, summary: str = "") -> None:
        super().__init__(items)
        self.population = population
        self.summary = summary


def ref(kind: str, pk: Any, label: str) -> dict[str, Any]:
    return {"type": kind, "id": str(pk), "label": str(label)[:200]}


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def days_text(seconds: float) -> str:
    days = seconds / 86400
    if days >= 1:
        n = round(days)
        return f"{n} day{'s' if n != 1 else ''}"
    hours = max(1, round(seconds / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def merged_seconds(spans: list[tuple[datetime, datetime]]) -> float:
    """Total time covered by ``spans``, overlaps counted once."""
    total, end = 0.0, None
    for start, stop in sorted(spans):
        if end is not None and start < end:
            start = end
        if stop > start:
            total += (stop - start).total_seconds()
            end = stop if end is None or stop > end else end
    return total
