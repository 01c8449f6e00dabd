"""Whether a control operated, day by day, over a period: pure functions over loaded data.

Nothing here queries the database; :mod:`zgovern.effectiveness.loader` reads each kind of
record once for many controls and hands plain tuples to :func:`control_timeline`.

The rules, as an auditor would apply them (dates are in the site's time zone, periods are
inclusive, ``today`` is the last day that can have been observed):

Day status (one per day of the period, the first rule that applies wins)

1. ``future``: the day is after ``today``; nothing can have been observed yet.
2. ``fail``: a resource of a check the control names had a ``fail`` status interval
   overlapping the day (one failing resource is enough).
3. ``gap``: the monitoring of a connected check was stale at some moment of the day: no
   successful (``succeeded`` or ``partial``) run of an integration providing the check in
   the 24 hours before that moment. A gap is never a pass. A check is *connected* when the
   organisation has an integration of its provider (the id's first word) or the check has
   recorded intervals; checks of unconnected providers are listed, not judged.
4. ``exception``: a periodic record was late or missing for a window containing the day
   (evidence requirement windows, access-review quarters), or a population item dated that
   day lacks its evidence.
5. ``pass``: some test showed the control operating that day: a ``pass`` interval of a
   connected check, an evidence window or review quarter satisfied on time, or a population
   control with a non-empty population.
6. ``no_data``: nothing tested the control that day.

Periodic records

- Evidence requirement windows: consecutive windows of ``freshness_days`` from the period
  start (the last one cut at the period end). A window is ``present`` when current (not
  superseded) evidence of the requirement's kind linked to the control was collected within
  it, ``late`` when the first such evidence came after the window (by ``today``),
  ``missing`` when none came and the window has ended, ``pending`` while it is still open.
- Access-review quarters (controls keyed ``access-reviews-quarterly``): each calendar
  quarter overlapping the period is ``present`` when a campaign was completed within the
  quarter on or before its due date, ``late`` when a campaign due in the quarter was
  completed after its due date or is still open past it, ``missing`` when the quarter has
  ended with neither, ``pending`` otherwise.

Population controls (the share of the population with evidence)

- ``background-checks``: people who started in the period; each needs a completed
  background check (clear or consider) no later than 30 days after the start date.
- ``security-training``: people who started in the period; each needs a training completion
  no later than 30 days after the start date.
- ``change-approval``: changes merged in the period; each must be approved by someone other
  than its author.

  A person whose 30 days have not run out and who has no evidence yet is pending, not an
  exception. An exception is dated on the start date (people) or the merge date (changes).

Summary

- ``not_operating``: nothing showed the control operating in the elapsed period (no pass
  day, no on-time window, no population item with evidence), including a control with no
  test at all, a population control with nobody in its population, or a period that has
  not started (the reason says which).
- ``exceptions``: otherwise, when there is any exception: failing days, gap days, late or
  missing windows, population items without evidence (each listed with its dates).
- ``operated``: operated throughout the elapsed period with no exception.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

FUTURE, FAIL, GAP, EXCEPTION, PASS, NO_DATA = (
    "future", "fail", "gap", "exception", "pass", "no_data",
)  # fmt: skip
DAY_RANK = {FUTURE: 0, FAIL: 1, GAP: 2, EXCEPTION: 3, PASS: 4, NO_DATA: 5}
OPERATED, EXCEPTIONS, NOT_OPERATING = "operated", "exceptions", "not_operating"
SUMMARY_LABELS = {
    OPERATED: "Operated throughout",
    EXCEPTIONS: "Exceptions",
    NOT_OPERATING: "Not operating",
}
PRESENT, LATE, MISSING, PENDING = "present", "late", "missing", "pending"
STALE_AFTER = timedelta(hours=24)
POPULATION_GRACE_DAYS = 30
ACCESS_REVIEW_KEYS = frozenset({"access-reviews-quarterly"})
HIRE_KEYS = frozenset({"background-checks", "security-training"})
CHANGE_KEYS = frozenset({"change-approval"})


@dataclass(frozen=True)
class Span:
    """An inclusive range of days."""

    first: date
    last: date


@dataclass(frozen=True)
class Window:
    """One periodic window: an evidence requirement's or an access-review quarter's."""

    kind: str  # the requirement kind, or "access-review"
    first: date
    last: date
    status: str  # present | late | missing | pending
    evidence_on: date | None = None


@dataclass(frozen=True)
class PopulationItem:
    label: str
    on: date
    status: str  # present | late | missing | pending


@dataclass(frozen=True)
class Exception_:
    """One exception an auditor would list: what, from and until which day."""

    kind: str  # fail | gap | late | missing | population
    first: date
    last: date
    detail: str


@dataclass(frozen=True)
class CheckSpans:
    """One check's merged instant ranges over the period: failing (any resource), passing
    (any resource) and stale monitoring, each sorted and disjoint."""

    fails: list[tuple[datetime, datetime]]
    passes: list[tuple[datetime, datetime]]
    stale: list[tuple[datetime, datetime]]


def check_spans(
    rows: Iterable[tuple[str, datetime, datetime | None]],
    runs: Sequence[datetime],
    begin: datetime,
    horizon: datetime,
) -> CheckSpans:
    """A check's spans from its (status, started_at, ended_at or None) intervals and its
    successful run instants, clipped to [begin, horizon). Computed once per check, however
    many controls name it."""
    fails, passes = [], []
    for status, started, ended in rows:
        span = (max(started, begin), min(ended or horizon, horizon))
        if span[0] < span[1]:
            (fails if status == "fail" else passes).append(span)
    return CheckSpans(merge(fails), merge(passes), stale_spans(runs, begin, horizon))


@dataclass(frozen=True)
class ControlInputs:
    """What one control's timeline is computed from, already loaded.

    ``spans``: :class:`CheckSpans` per connected check id; ``evidence``: collection days
    per requirement kind; ``reviews``: judged review quarters (access-review controls);
    ``population``: its items (already judged)."""

    key: str
    check_ids: tuple[str, ...] = ()
    connected: frozenset[str] = frozenset()
    spans: dict[str, CheckSpans] = field(default_factory=dict)
    requirements: Sequence[tuple[str, str, int]] = ()  # (kind, description, freshness_days)
    evidence: dict[str, list[date]] = field(default_factory=dict)
    reviews: Sequence[Window] | None = None
    population: Sequence[PopulationItem] | None = None


@dataclass
class Timeline:
    key: str
    start: date
    end: date
    today: date
    days: list[str]
    windows: list[Window]
    population: list[PopulationItem]
    exceptions: list[Exception_]
    unconnected: list[str]
    summary: str
    reason: str

    @property
    def label(self) -> str:
        return SUMMARY_LABELS[self.summary]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(DAY_RANK, 0)
        for status in self.days:
            out[status] += 1
        return out

    def segments(self) -> list[tuple[str, date, date]]:
        """Consecutive days of one status as (status, first, last)."""
        return [
            (s, self.start + timedelta(a), self.start + timedelta(b))
            for s, a, b in _runs(self.days)
        ]

    @property
    def population_share(self) -> float | None:
        judged = [item for item in self.population if item.status != PENDING]
        if not judged:
            return None
        return sum(item.status == PRESENT for item in judged) / len(judged)


def _runs(values: Sequence[str]) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for index, value in enumerate(values):
        if out and out[-1][0] == value and out[-1][2] == index - 1:
            out[-1] = (value, out[-1][1], index)
        else:
            out.append((value, index, index))
    return out


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (Aug 31 + 6 = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def merge(spans: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of half-open instant ranges, sorted."""
    out: list[tuple[datetime, datetime]] = []
    for begin, finish in sorted(spans):
        if out and begin <= out[-1][1]:
            if finish > out[-1][1]:
                out[-1] = (out[-1][0], finish)
        else:
            out.append((begin, finish))
    return out


def stale_spans(runs: Sequence[datetime], begin: datetime, horizon: datetime):
    """Instants in [begin, horizon) with no run in the 24 hours before them."""
    out = []
    since = begin  # before the first run nothing was observed
    for at in sorted(runs):
        if at > since and at > begin:
            out.append((max(since, begin), min(at, horizon)))
        since = max(since, at + STALE_AFTER)
    if since < horizon:
        out.append((max(since, begin), horizon))
    return [(a, b) for a, b in out if a < b]


class _Days:
    """Maps instants and dates to indexes of the period's days."""

    def __init__(self, start: date, end: date, to_day) -> None:
        self.start, self.end, self.to_day = start, end, to_day
        self.size = (end - start).days + 1

    def mark(self, flags: list[bool], begin: datetime, finish: datetime) -> None:
        """Flag the days a half-open range [begin, finish) touches."""
        first = self.to_day(begin)
        last = self.to_day(finish - timedelta(microseconds=1))
        self.mark_days(flags, first, last)

    def mark_days(self, flags: list[bool], first: date, last: date) -> None:
        a = max(0, (first - self.start).days)
        b = min(self.size - 1, (last - self.start).days)
        for index in range(a, b + 1):
            flags[index] = True


def evidence_windows(
    kind: str, freshness_days: int, days: Sequence[date], start: date, end: date, today: date
) -> list[Window]:
    """The requirement's windows over the period, judged as the module docstring says."""
    length = max(1, freshness_days)
    found = sorted(days)
    out = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=length - 1))
        inside = [d for d in found if first <= d <= last]
        later = [d for d in found if last < d <= today]
        if inside:
            out.append(Window(kind, first, last, PRESENT, inside[0]))
        elif later:
            out.append(Window(kind, first, last, LATE, later[0]))
        else:
            out.append(Window(kind, first, last, MISSING if last < today else PENDING))
        first = last + timedelta(days=1)
    return out


def review_quarters(
    campaigns: Sequence[tuple[date, date | None]], start: date, end: date, today: date
) -> list[Window]:
    """Each calendar quarter overlapping the period, from (due date, completed day or None)
    of the organisation's access-review campaigns."""
    out = []
    first = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while first <= end:
        last = add_months(first, 3) - timedelta(days=1)
        on_time = [
            done for due, done in campaigns if done and first <= done <= last and done <= due
        ]
        late = [
            done or today
            for due, done in campaigns
            if first <= due <= last and ((done and done > due) or (not done and due < today))
        ]
        if on_time:
            out.append(Window("access-review", first, last, PRESENT, min(on_time)))
        elif late:
            out.append(Window("access-review", first, last, LATE, min(late)))
        else:
            out.append(Window("access-review", first, last, MISSING if last < today else PENDING))
        first = last + timedelta(days=1)
    return out


def hire_items(
    hires: Sequence[tuple[str, date]], evidence: dict[str, list[date]], today: date
) -> list[PopulationItem]:
    """People by (label, start date) against their evidence days (keyed by label)."""
    out = []
    for label, started in hires:
        deadline = started + timedelta(days=POPULATION_GRACE_DAYS)
        days = sorted(evidence.get(label, []))
        if any(d <= deadline for d in days):
            status = PRESENT
        elif days:
            status = LATE
        else:
            status = MISSING if deadline < today else PENDING
        out.append(PopulationItem(label, started, status))
    return out


def change_items(changes: Sequence[tuple[str, date, bool]]) -> list[PopulationItem]:
    return [PopulationItem(label, on, PRESENT if ok else MISSING) for label, on, ok in changes]


@dataclass(frozen=True)
class Clock:
    """The time zone's view of instants: ``to_day`` an instant's local date, ``at`` a
    date's local midnight, ``now`` the current instant."""

    to_day: object
    at: object
    now: datetime

    @property
    def today(self) -> date:
        return self.to_day(self.now)


def control_timeline(inputs: ControlInputs, start: date, end: date, clock: Clock) -> Timeline:
    """The control's day statuses, windows, population items, exceptions and summary over
    [start, end], by the rules of the module docstring."""
    grid = _Days(start, end, clock.to_day)
    today = clock.today
    begin = clock.at(start)
    horizon = min(clock.at(end + timedelta(days=1)), clock.now)
    layers = {name: [False] * grid.size for name in (FAIL, GAP, EXCEPTION, PASS)}
    exceptions: list[Exception_] = []
    connected = [c for c in inputs.check_ids if c in inputs.connected]
    unconnected = sorted(c for c in inputs.check_ids if c not in inputs.connected)
    if begin < horizon:
        exceptions += _check_layers(inputs, connected, grid, layers, begin, horizon)
    windows = _periodic(inputs, start, end, today)
    for window in windows:
        _judge_window(window, grid, layers, exceptions, today)
    population = list(inputs.population or [])
    _judge_population(population, grid, layers, exceptions, today)
    days = [_day_status(start + timedelta(i), today, layers, i) for i in range(grid.size)]
    exceptions.sort(key=lambda e: (e.first, e.last, e.kind, e.detail))
    summary, reason = _summarize(inputs, days, windows, population, exceptions)
    return Timeline(
        inputs.key, start, end, today, days, windows, population, exceptions, unconnected,
        summary, reason,
    )  # fmt: skip


def _check_layers(inputs, connected, grid, layers, begin, horizon) -> list[Exception_]:
    failing: dict[str, list[bool]] = {}
    passing, stale = [], []
    empty = CheckSpans([], [], stale_spans([], begin, horizon))
    for check_id in connected:
        spans = inputs.spans.get(check_id, empty)
        flags = [False] * grid.size
        for a, b in spans.fails:
            grid.mark(flags, a, b)
            grid.mark(layers[FAIL], a, b)
        failing[check_id] = flags
        passing += spans.passes
        stale += spans.stale
    for a, b in merge(passing):
        grid.mark(layers[PASS], a, b)
    for a, b in merge(stale):
        grid.mark(layers[GAP], a, b)
    return _fail_exceptions(grid, layers, failing) + _gap_exceptions(grid, layers, connected)


def _fail_exceptions(grid, layers, failing) -> list[Exception_]:
    out = []
    for value, a, b in _runs(layers[FAIL]):
        if value:
            names = sorted(c for c, flags in failing.items() if any(flags[a : b + 1]))
            detail = "failing: " + ", ".join(names)
            out.append(Exception_(FAIL, _on(grid, a), _on(grid, b), detail))
    return out


def _gap_exceptions(grid, layers, connected) -> list[Exception_]:
    detail = f"no successful run of {', '.join(sorted(connected))} for more than 24 hours"
    return [
        Exception_(GAP, _on(grid, a), _on(grid, b), detail)
        for value, a, b in _runs(layers[GAP])
        if value
    ]


def _on(grid: _Days, index: int) -> date:
    return grid.start + timedelta(days=index)


def _periodic(inputs: ControlInputs, start: date, end: date, today: date) -> list[Window]:
    windows = []
    for kind, _description, freshness in inputs.requirements:
        days = inputs.evidence.get(kind, [])
        windows += evidence_windows(kind, freshness, days, start, end, today)
    return windows + list(inputs.reviews or [])


def _judge_window(window: Window, grid, layers, exceptions, today: date) -> None:
    last = min(window.last, today)
    if window.status == PRESENT:
        grid.mark_days(layers[PASS], window.first, last)
    elif window.status in (LATE, MISSING):
        grid.mark_days(layers[EXCEPTION], window.first, last)
        when = f", first on {window.evidence_on}" if window.evidence_on else ""
        detail = f"{window.kind} {window.status} for {window.first} to {window.last}{when}"
        exceptions.append(Exception_(window.status, window.first, window.last, detail))


def _judge_population(items, grid, layers, exceptions, today: date) -> None:
    if items:
        grid.mark_days(layers[PASS], grid.start, min(grid.end, today))
    for item in items:
        if item.status in (LATE, MISSING):
            grid.mark_days(layers[EXCEPTION], item.on, item.on)
            detail = f"{item.label}: evidence {item.status}"
            exceptions.append(Exception_("population", item.on, item.on, detail))


def _day_status(day: date, today: date, layers, index: int) -> str:
    if day > today:
        return FUTURE
    for name in (FAIL, GAP, EXCEPTION, PASS):
        if layers[name][index]:
            return name
    return NO_DATA


def _summarize(inputs, days, windows, population, exceptions) -> tuple[str, str]:
    if all(status == FUTURE for status in days):
        return NOT_OPERATING, "The period has not started."
    tested = inputs.check_ids or inputs.requirements or inputs.reviews is not None
    if not tested and inputs.population is None:
        return NOT_OPERATING, "No check, evidence requirement or population tests it."
    operated = (
        PASS in days
        or any(w.status == PRESENT for w in windows)
        or any(p.status == PRESENT for p in population)
    )
    if not operated and inputs.population == [] and not tested:
        return NOT_OPERATING, "No occurrence in the period to test (an empty population)."
    if not operated:
        return NOT_OPERATING, "Nothing in the period shows it operating."
    if exceptions:
        return EXCEPTIONS, f"{len(exceptions)} exception(s) in the period."
    return OPERATED, "No exception in the period."
