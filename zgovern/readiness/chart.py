"""The burn-up chart's geometry: readiness over time, the fitted trend extended to the
projected audit-ready date, the range of that date as a band, and the 100% target.

Pure functions over plain values. Coordinates are in a fixed view box (y grows downwards,
as in SVG); the web page places them in an inline ``<svg>`` scaled to its container, and
the PDF draws the same shapes after flipping y. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from zgovern.readiness.projection import Projection, Trend

WIDTH, HEIGHT = 360, 220
LEFT, RIGHT, TOP, BOTTOM = 50, 14, 12, 36  # margins around the plot area
MAX_X_TICKS = 5
TICK_STEPS_DAYS = (1, 2, 7, 14, 28, 56, 91, 182, 365, 730)
Point = tuple[float, float]


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class BurnUp:
    """Everything a renderer needs; lists of points are empty when there is nothing to draw."""

    title: str
    desc: str
    actual: list[Point] = field(default_factory=list)
    trend: list[Point] = field(default_factory=list)
    band: list[Point] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    today_x: float | None = None
    rows: list[tuple[date, float]] = field(default_factory=list)  # the data table fallback
    width: int = WIDTH
    height: int = HEIGHT
    left: float = LEFT
    right: float = WIDTH - RIGHT
    top: float = TOP
    bottom: float = HEIGHT - BOTTOM

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def y_label_x(self) -> float:
        return self.left - 6

    @property
    def x_label_y(self) -> float:
        return self.bottom + 16

    @property
    def axis_title_y(self) -> float:
        return self.bottom + 31

    @property
    def y_title_x(self) -> float:
        """Where the vertical axis title goes once rotated by -90 degrees."""
        return -(self.top + self.bottom) / 2

    @property
    def target_y(self) -> float:
        return self.top

    @property
    def last(self) -> Point | None:
        return self.actual[-1] if self.actual else None

    @property
    def actual_svg(self) -> str:
        return svg_points(self.actual)

    @property
    def trend_svg(self) -> str:
        return svg_points(self.trend)

    @property
    def band_svg(self) -> str:
        return svg_points(self.band)


def svg_points(points: list[Point]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


@dataclass(frozen=True)
class _Scale:
    start: date
    end: date

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 1)

    def x(self, day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - self.start).days / self.days, 1)

    def y(self, score: float) -> float:
        score = min(max(score, 0.0), 1.0)
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * score, 1)


def burn_up(
    name: str,
    points: list[tuple[date, float]],
    projection: Projection,
    fitted: Trend | None,
    today: date,
) -> BurnUp:
    """The chart of ``points`` (day, score 0..1; oldest first) with ``projection`` and the
    ``fitted`` line it came from (drawn only when the projection has a date)."""
    projected = projection.status == "projected" and projection.date and fitted
    scale = _Scale(points[0][0] if points else today, _end(points, projection, today))
    trend, band = ([], [])
    if projected:
        trend, band = _trend_and_band(scale, projection, fitted)
    return BurnUp(
        title=f"{name}: readiness over time",
        desc=describe(name, points, projection),
        actual=[(scale.x(day), scale.y(score)) for day, score in points],
        trend=trend,
        band=band,
        x_ticks=x_ticks(scale.start, scale.end, scale.x),
        y_ticks=[Tick(scale.y(p / 100), f"{p}%") for p in (0, 25, 50, 75, 100)],
        today_x=scale.x(today) if scale.start <= today <= scale.end else None,
        rows=list(points),
    )


def _end(points: list[tuple[date, float]], projection: Projection, today: date) -> date:
    """The right edge: past today and the last point, far enough to show the whole range;
    an open-ended range shows half as far again beyond the expected date."""
    last = max([today, *(day for day, _ in points[-1:])])
    end = last
    if projection.status == "projected" and projection.date:
        end = max(end, projection.latest or projection.date)
        if projection.latest is None:
            slack = max((projection.date - last) / 2, timedelta(days=7))
            end = max(end, projection.date + timedelta(days=slack.days))
    start = points[0][0] if points else today
    return max(end, start + timedelta(days=7))


def _trend_and_band(scale: _Scale, projection: Projection, fitted: Trend):
    """The fitted line from its first day to the projected date, and the band between the
    fastest and slowest slopes of the range, pivoting at the last observed day."""
    pivot_day = fitted.last_day
    pivot = (scale.x(pivot_day), scale.y(fitted.value_at(pivot_day)))
    trend = [(scale.x(fitted.origin), scale.y(fitted.value_at(fitted.origin)))]
    trend += [pivot, (scale.x(projection.date), scale.y(1.0))]
    fast = projection.earliest or projection.date
    band = [pivot, (scale.x(fast), scale.y(1.0))]
    if projection.latest is not None:
        band.append((scale.x(projection.latest), scale.y(1.0)))
    else:
        # The slow end never reaches 100% inside the chart: run it to the right edge.
        band.append((scale.x(scale.end), scale.y(1.0)))
        band.append((scale.x(scale.end), scale.y(_slow_value(fitted, projection, scale.end))))
    return trend, band


def _slow_value(fitted: Trend, projection: Projection, day: date) -> float:
    """Where the slow edge of the range is on ``day``: the fitted value at the pivot plus
    the lower slope (never below the pivot: the band does not show a fall)."""
    slope = max(fitted.fit.slope - 1.645 * fitted.fit.slope_se, 0.0)
    return fitted.value_at(fitted.last_day) + slope * (day - fitted.last_day).days


def x_ticks(start: date, end: date, x) -> list[Tick]:
    """At most ``MAX_X_TICKS`` dated ticks from ``start``, a round number of days apart."""
    span = max((end - start).days, 1)
    step = next((s for s in TICK_STEPS_DAYS if span / s <= MAX_X_TICKS), TICK_STEPS_DAYS[-1])
    long_range = span > 365
    ticks = []
    day = start
    while day <= end:
        label = f"{day:%b %Y}" if long_range else f"{day.day} {day:%b}"
        ticks.append(Tick(x(day), label))
        day += timedelta(days=step)
    return ticks


def describe(name: str, points: list[tuple[date, float]], projection: Projection) -> str:
    """The chart in one or two sentences, for screen readers and the PDF caption."""
    if not points:
        history = f"No readiness history has been recorded for {name} yet."
    elif len(points) == 1:
        day, score = points[0]
        history = f"{name} was {score:.0%} ready on {_day(day)}."
    else:
        (first_day, first), (last_day, last) = points[0], points[-1]
        history = (
            f"{name} readiness went from {first:.0%} on {_day(first_day)} "
            f"to {last:.0%} on {_day(last_day)}."
        )
    return f"{history} {projection.message}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
