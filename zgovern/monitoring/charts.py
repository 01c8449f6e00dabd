"""Geometry of the server-rendered SVG charts (no script: the page's CSP forbids it).

Each function returns plain data the template draws: bars of daily fail counts for a
check, and per-check timelines of a resource's intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from zgovern.monitoring.models import CheckInterval, CheckStatus

WIDTH, HEIGHT = 900, 120
COLOURS = {
    CheckStatus.PASS: "#1f7a3d",
    CheckStatus.FAIL: "#b3261e",
    CheckStatus.ERROR: "#a35c00",
    CheckStatus.SKIPPED: "#8a94a3",
    CheckStatus.NOT_APPLICABLE: "#c3cad4",
}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    colour: str = COLOURS[CheckStatus.FAIL]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    peak: int
    first: date | None = None
    last: date | None = None
    summary: str = ""


def daily_bars(days: list[tuple[date, int]]) -> Chart:
    """One bar per day, as tall as the day's count relative to the highest."""
    peak = max((count for _, count in days), default=0)
    step = WIDTH / max(len(days), 1)
    bars = []
    for index, (day, count) in enumerate(days):
        height = (count / peak) * (HEIGHT - 4) if peak else 0
        label = f"{day:%Y-%m-%d}: {count} failing"
        bars.append(Bar(index * step, HEIGHT - height, max(step - 1, 1), height, label))
    failing_days = sum(1 for _, count in days if count)
    summary = (
        f"Failing on {failing_days} of the last {len(days)} days; at most {peak} resources a day."
    )
    return Chart(
        WIDTH,
        HEIGHT,
        bars,
        peak,
        days[0][0] if days else None,
        days[-1][0] if days else None,
        summary,
    )


@dataclass(frozen=True)
class Timeline:
    check_id: str
    bars: list[Bar]
    current: str


def timelines(
    history: dict[str, list[CheckInterval]], start: datetime, end: datetime, height: int = 24
) -> list[Timeline]:
    """For each check, one bar segment per interval within [start, end], by status."""
    span = (end - start).total_seconds() or 1.0
    result = []
    for check_id, rows in history.items():
        bars = []
        for row in rows:
            lo, hi = max(row.started_at, start), min(row.ended_at or end, end)
            if hi <= lo:
                continue
            x = (lo - start).total_seconds() / span * WIDTH
            width = max((hi - lo).total_seconds() / span * WIDTH, 1.0)
            until = f"{row.ended_at:%Y-%m-%d %H:%M}" if row.ended_at else "now"
            label = f"{row.get_status_display()} from {row.started_at:%Y-%m-%d %H:%M} until {until}"
            bars.append(Bar(x, 0, width, height, label, COLOURS.get(row.status, "#8a94a3")))
        current = next((r.status for r in rows if r.ended_at is None), "")
        result.append(Timeline(check_id, bars, current))
    return result


def window(first_seen: datetime, now: datetime, days: int) -> datetime:
    """Where a timeline starts: ``days`` ago, or when the resource was first seen."""
    return max(first_seen, now - timedelta(days=days))
