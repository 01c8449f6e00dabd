"""Type 2 readiness: how much of the intended observation period is already covered with
clean evidence, and the earliest day a clean 6-month period could end.

Definitions (``today`` is the site's current date):

- Intended period: the chosen audit's period (a Type 2 audit with both dates), else the
  Type 2 audit with the latest period end that has not ended before today, else the next
  6 months: [today, today + 6 months - 1 day].
- In-scope controls: the audit's (:func:`zgovern.audits.builder.controls_in_scope`), else
  every control of the organisation not marked not applicable.
- Coverage: clean control-days / (controls x days of the period), where a clean day is a
  ``pass`` day of the control's timeline over the intended period (so days after today,
  gaps, failures, exceptions and untested days are not covered). ``all_clean_days`` counts
  the days on which every in-scope control was clean.
- Earliest end: over the lookback [today - 364 days, today], each control may start a clean
  period on ``S_c``:
    * today, when the control is not operating over the lookback;
    * else the later of its first ``pass`` day and the day after the last day of its latest
      exception or gap (an exception still open today ends today).
  ``S`` is the latest ``S_c`` (today when there are no controls), and the earliest end is
  ``max(S + 6 months - 1 day, today)``: a period of six calendar months starting on ``S``
  (months added with the day clamped to the month's end), or today when the last six
  months are already clean. ``ready_now`` says the latter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from zgovern.audits.builder import controls_in_scope
from zgovern.audits.models import Audit, AuditType
from zgovern.controls.models import Control, ControlStatus
from zgovern.effectiveness import loader
from zgovern.effectiveness.timeline import NOT_OPERATING, PASS, Timeline, add_months

PERIOD_MONTHS = 6
LOOKBACK = timedelta(days=364)


@dataclass
class ControlReadiness:
    control: Control
    timeline: Timeline  # over the intended period
    clean_days: int
    earliest_start: date
    blocking: str  # why the control cannot start earlier, for a person to read


@dataclass
class Type2Readiness:
    audit: Audit | None
    start: date
    end: date
    today: date
    controls: list[ControlReadiness]
    total_days: int
    elapsed_days: int
    all_clean_days: int
    coverage: float
    earliest_start: date
    earliest_end: date

    @property
    def ready_now(self) -> bool:
        return self.earliest_end == self.today

    def counts(self) -> dict[str, int]:
        out = {"operated": 0, "exceptions": 0, "not_operating": 0}
        for row in self.controls:
            out[row.timeline.summary] += 1
        return out


def current_audit(org, today: date) -> Audit | None:
    """The Type 2 audit with the latest period end not before today, if any."""
    return (
        Audit.objects.filter(
            organization=org,
            audit_type=AuditType.TYPE2,
            period_start__isnull=False,
            period_end__gte=today,
        )
        .order_by("-period_end", "-pk")
        .first()
    )


def period_for(audit: Audit | None, today: date) -> tuple[date, date]:
    if audit and audit.audit_type == AuditType.TYPE2 and audit.period_start and audit.period_end:
        return audit.period_start, audit.period_end
    return today, add_months(today, PERIOD_MONTHS) - timedelta(days=1)


def scoped_controls(org, audit: Audit | None) -> list[Control]:
    if audit is not None:
        return controls_in_scope(org, audit)
    return list(
        Control.objects.filter(organization=org)
        .exclude(override_status=ControlStatus.NOT_APPLICABLE)
        .select_related("owner")
        .order_by("key")
    )


def control_start(timeline: Timeline) -> tuple[date, str]:
    """``S_c`` of the module docstring, with the reason, from a lookback timeline."""
    today = timeline.today
    if timeline.summary == NOT_OPERATING or PASS not in timeline.days:
        return today, f"not operating: {timeline.reason}"
    first_clean = timeline.start + timedelta(days=timeline.days.index(PASS))
    bad = [min(e.last, today) for e in timeline.exceptions]
    if bad and max(bad) + timedelta(days=1) > first_clean:
        latest = max(timeline.exceptions, key=lambda e: min(e.last, today))
        return max(bad) + timedelta(days=1), f"after {latest.kind} ending {max(bad)}"
    return first_clean, f"clean since {first_clean}"


def assess(org, audit: Audit | None = None, now: datetime | None = None) -> Type2Readiness:
    """Type 2 readiness of the organisation (see the module docstring)."""
    today = loader.clock(now).today
    audit = audit or current_audit(org, today)
    start, end = period_for(audit, today)
    controls = scoped_controls(org, audit)
    period = loader.timelines(org, controls, start, end, now)
    lookback = loader.timelines(org, controls, today - LOOKBACK, today, now)
    rows = []
    for control in controls:
        begin, why = control_start(lookback[control.pk])
        clean = period[control.pk].days.count(PASS)
        rows.append(ControlReadiness(control, period[control.pk], clean, begin, why))
    total = (end - start).days + 1
    elapsed = max(0, (min(end, today) - start).days + 1)
    all_clean = sum(
        all(row.timeline.days[i] == PASS for row in rows) for i in range(total)
    ) if rows else 0  # fmt: skip
    coverage = sum(row.clean_days for row in rows) / (total * len(rows)) if rows else 0.0
    earliest = max((row.earliest_start for row in rows), default=today)
    finish = max(add_months(earliest, PERIOD_MONTHS) - timedelta(days=1), today)
    return Type2Readiness(
        audit, start, end, today, rows, total, elapsed, all_clean, coverage, earliest, finish
    )
