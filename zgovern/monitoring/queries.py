"""Reads over the continuous record (call inside the organisation's scope).

The two questions an audit asks of the record, each one indexed query:

- :func:`status_at`: what was the status of resource X under check C at time T? The
  interval that started at or before T and had not ended by T (index ``interval_history``:
  resource, check, started_at).
- :func:`failing_duration`: how long was check C failing during [A, B]? The sum, over the
  FAIL intervals overlapping [A, B], of each one's overlap (so two resources failing for
  a day each count two days); :func:`failing_span` gives the time during which at least
  one resource was failing instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from zgovern.monitoring.models import CheckInterval, CheckRun, CheckStatus, Resource


def status_at(org, resource_id: int, check_id: str, at: datetime) -> CheckInterval | None:
    """The interval holding the resource's status under the check at ``at`` (``None``
    when nothing was observed then)."""
    return (
        CheckInterval.objects.filter(
            organization=org, resource_id=resource_id, check_id=check_id, started_at__lte=at
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .order_by("-started_at", "-id")
        .first()
    )


def statuses_at(org, resource_id: int, at: datetime) -> list[CheckInterval]:
    """Every check's interval for the resource at ``at``, by check id."""
    rows = (
        CheckInterval.objects.filter(organization=org, resource_id=resource_id, started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .order_by("check_id", "-started_at")
    )
    latest: dict[str, CheckInterval] = {}
    for row in rows:
        latest.setdefault(row.check_id, row)
    return list(latest.values())


def _fail_overlaps(org, check_id: str, start: datetime, end: datetime, resource_id=None):
    rows = CheckInterval.objects.filter(
        organization=org, check_id=check_id, status=CheckStatus.FAIL, started_at__lt=end
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    if resource_id is not None:
        rows = rows.filter(resource_id=resource_id)
    now = timezone.now()
    for began, ended in rows.values_list("started_at", "ended_at"):
        lo, hi = max(began, start), min(ended or now, end)
        if hi > lo:
            yield lo, hi


def failing_duration(
    org, check_id: str, start: datetime, end: datetime, *, resource_id: int | None = None
) -> timedelta:
    """Total failing time of the check's resources (or one resource) within [start, end];
    an interval still open counts until now. One aggregate query."""
    now = timezone.now()
    end = min(end, now)
    if end <= start:
        return timedelta()
    rows = CheckInterval.objects.filter(
        organization=org, check_id=check_id, status=CheckStatus.FAIL, started_at__lt=end
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    if resource_id is not None:
        rows = rows.filter(resource_id=resource_id)
    until = Least(Coalesce(F("ended_at"), Value(end)), Value(end))
    overlap = ExpressionWrapper(until - Greatest(F("started_at"), Value(start)), DurationField())
    return rows.order_by().aggregate(total=Sum(overlap))["total"] or timedelta()


def failing_span(org, check_id: str, start: datetime, end: datetime) -> timedelta:
    """The time within [start, end] during which at least one resource was failing."""
    total, reach = timedelta(), None
    for lo, hi in sorted(_fail_overlaps(org, check_id, start, end)):
        if reach is None or lo > reach:
            total += hi - lo
            reach = hi
        elif hi > reach:
            total += hi - reach
            reach = hi
    return total


# -- what the pages list --------------------------------------------------------------


@dataclass(frozen=True)
class CheckCounts:
    passing: int = 0
    failing: int = 0
    errors: int = 0
    other: int = 0


def current_counts(org) -> dict[str, CheckCounts]:
    """Check id -> how many resources currently pass, fail, error (one query)."""
    by: dict[str, Counter] = defaultdict(Counter)
    rows = (
        CheckInterval.objects.filter(organization=org, ended_at__isnull=True)
        .order_by()
        .values("check_id", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        by[row["check_id"]][row["status"]] = row["n"]
    return {
        check_id: CheckCounts(
            passing=c[CheckStatus.PASS],
            failing=c[CheckStatus.FAIL],
            errors=c[CheckStatus.ERROR],
            other=c[CheckStatus.SKIPPED] + c[CheckStatus.NOT_APPLICABLE],
        )
        for check_id, c in by.items()
    }


def current_failures(org, check_id: str) -> QuerySet[CheckInterval]:
    """The open FAIL and ERROR intervals of a check, longest failing first; each one's
    ``started_at`` is when it began failing."""
    return (
        CheckInterval.objects.filter(
            organization=org,
            check_id=check_id,
            ended_at__isnull=True,
            status__in=[CheckStatus.FAIL, CheckStatus.ERROR],
        )
        .select_related("resource")
        .order_by("status", "started_at", "id")
    )


def first_failing_since(org, check_id: str) -> datetime | None:
    return CheckInterval.objects.filter(
        organization=org, check_id=check_id, ended_at__isnull=True, status=CheckStatus.FAIL
    ).aggregate(first=Min("started_at"))["first"]


def failing_since_by_check(org) -> dict[str, datetime]:
    """Check id -> when its oldest current failure began (one query)."""
    rows = (
        CheckInterval.objects.filter(
            organization=org, ended_at__isnull=True, status=CheckStatus.FAIL
        )
        .order_by()
        .values("check_id")
        .annotate(first=Min("started_at"))
    )
    return {row["check_id"]: row["first"] for row in rows}


def daily_fail_counts(
    org, check_id: str, days: int, today: date | None = None
) -> list[tuple[date, int]]:
    """For each of the last ``days`` days (oldest first), how many resources were failing
    the check at some moment of that day (UTC). One query."""
    today = today or timezone.now().date()
    first = today - timedelta(days=days - 1)
    window_start = datetime.combine(first, time.min, tzinfo=UTC)
    window_end = window_start + timedelta(days=days)
    counts: Counter = Counter()
    rows = CheckInterval.objects.filter(
        organization=org, check_id=check_id, status=CheckStatus.FAIL, started_at__lt=window_end
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=window_start))
    now = timezone.now()
    for began, ended in rows.values_list("started_at", "ended_at"):
        day = max(began, window_start).astimezone(UTC).date()
        last = (min(ended or now, window_end) - timedelta(microseconds=1)).astimezone(UTC).date()
        while day <= last:
            counts[day] += 1
            day += timedelta(days=1)
    return [(first + timedelta(days=n), counts[first + timedelta(days=n)]) for n in range(days)]


def resource_history(org, resource: Resource) -> dict[str, list[CheckInterval]]:
    """The resource's intervals per check (oldest first), checks by id."""
    history: dict[str, list[CheckInterval]] = defaultdict(list)
    for row in CheckInterval.objects.filter(organization=org, resource=resource).order_by(
        "check_id", "started_at", "id"
    ):
        history[row.check_id].append(row)
    return dict(sorted(history.items()))


def runs(
    org, *, integration_id: int | None = None, status: str | None = None
) -> QuerySet[CheckRun]:
    rows = CheckRun.objects.filter(organization=org)
    if integration_id is not None:
        rows = rows.filter(integration_id=integration_id)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-started_at", "-id")
