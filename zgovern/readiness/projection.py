"""When will the organisation be audit-ready? A straight-line fit of recent daily readiness
scores, with the range its uncertainty allows, and a plain statement when the trend does
not reach 100%.

The fit is ordinary least squares over the last ``window`` days of snapshots. The range
uses the slope's standard error at about 90% confidence (±1.645 SE): a steep, steady trend
gives a narrow range; a noisy one a wide range; a flat or falling one, no date at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

TARGET = 1.0
MIN_POINTS = 5
MAX_HORIZON_DAYS = 3 * 365
Z90 = 1.645


@dataclass(frozen=True)
class Projection:
    status: str  # "ready", "projected", "not_converging", "insufficient_data"
    message: str
    date: date | None = None
    earliest: date | None = None
    latest: date | None = None  # None with a date: the slow end of the range is unbounded
    slope_per_week: float | None = None


@dataclass(frozen=True)
class Fit:
    slope: float
    intercept: float
    slope_se: float


def fit_line(xs: list[float], ys: list[float]) -> Fit:
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    se = math.sqrt(residual / (n - 2) / sxx) if n > 2 and sxx else 0.0
    return Fit(slope, intercept, se)


def project(points: list[tuple[date, float]], window: int = 28) -> Projection:
    """Project the day the score reaches 100% from (day, score) points, oldest first."""
    if points and points[-1][1] >= TARGET:
        return Projection("ready", "Every in-scope criterion is ready now.", date=points[-1][0])
    recent = _recent(points, window)
    if len(recent) < MIN_POINTS:
        return Projection(
            "insufficient_data",
            f"A projection needs {MIN_POINTS} days of history; there are {len(recent)}.",
        )
    origin = recent[0][0]
    xs = [float((day - origin).days) for day, _ in recent]
    fit = fit_line(xs, [score for _, score in recent])
    per_week = fit.slope * 7
    if fit.slope <= 1e-6:
        return Projection(
            "not_converging",
            "At the current pace readiness is flat or falling, so no audit-ready date can be "
            "projected: close gaps to restart the trend.",
            slope_per_week=per_week,
        )
    return _dated(origin, xs[-1], fit, per_week)


@dataclass(frozen=True)
class Trend:
    """The fitted line behind a projection: its first day, the fit (x in days from
    ``origin``) and the last observed day, so a chart can draw exactly what was projected."""

    origin: date
    last_day: date
    fit: Fit

    def value_at(self, day: date) -> float:
        return self.fit.intercept + self.fit.slope * (day - self.origin).days


def trend(points: list[tuple[date, float]], window: int = 28) -> Trend | None:
    """The line ``project`` fits to the same points, or None with too little history."""
    recent = _recent(points, window)
    if len(recent) < MIN_POINTS:
        return None
    origin = recent[0][0]
    xs = [float((day - origin).days) for day, _ in recent]
    return Trend(origin, recent[-1][0], fit_line(xs, [score for _, score in recent]))


def _recent(points: list[tuple[date, float]], window: int) -> list[tuple[date, float]]:
    if not points:
        return []
    cutoff = points[-1][0] - timedelta(days=window - 1)
    return [(day, score) for day, score in points if day >= cutoff]


def _day_reaching(origin: date, fit: Fit, slope: float, last_x: float) -> date | None:
    if slope <= 1e-6:
        return None
    # Pivot the line at the last observed day so every bound starts from today's fitted value.
    current = fit.intercept + fit.slope * last_x
    days = last_x + (TARGET - current) / slope
    if days > last_x + MAX_HORIZON_DAYS:
        return None
    # The tolerance keeps float noise in a perfect fit from pushing the date a day later.
    return origin + timedelta(days=math.ceil(max(days, last_x) - 1e-6))


def _dated(origin: date, last_x: float, fit: Fit, per_week: float) -> Projection:
    expected = _day_reaching(origin, fit, fit.slope, last_x)
    if expected is None:
        return Projection(
            "not_converging",
            "At the current pace readiness would take more than three years to reach 100%.",
            slope_per_week=per_week,
        )
    earliest = _day_reaching(origin, fit, fit.slope + Z90 * fit.slope_se, last_x)
    latest = _day_reaching(origin, fit, fit.slope - Z90 * fit.slope_se, last_x)
    tail = f"and {_day(latest)}" if latest else "an open-ended later date (the trend is noisy)"
    message = (
        f"At +{per_week:.1%} a week, audit-ready around {_day(expected)} "
        f"(likely between {_day(earliest or expected)} {tail})."
    )
    return Projection("projected", message, expected, earliest or expected, latest, per_week)


def _day(day: date) -> str:
    """14 Mar 2027, without a leading zero."""
    return f"{day.day} {day:%b %Y}"
