"""Resolving what the pages and the API are asked for: the audit, the period and the
control, always through the organisation (another organisation's id is not found)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from zgovern.audits.models import Audit
from zgovern.controls.models import Control
from zgovern.core.errors import DomainError, NotFound
from zgovern.effectiveness import loader, type2
from zgovern.effectiveness.timeline import Timeline, add_months

MAX_DAYS = 3 * 366  # the longest period one request may ask for
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # dates outside are typos


def audit(org, audit_id: int | None) -> Audit | None:
    if audit_id is None:
        return None
    found = Audit.objects.filter(organization=org, pk=audit_id).first()
    if found is None:
        raise NotFound("No such audit.")
    return found


def control(org, control_id: int) -> Control:
    found = Control.objects.filter(organization=org, pk=control_id).first()
    if found is None:
        raise NotFound("No such control.")
    return found


def period(
    org, chosen: Audit | None, start: date | None, end: date | None, now: datetime | None = None
) -> tuple[date, date]:
    """The dates given, else the audit's period, else the current Type 2 audit's, else the
    six months up to today. A start after the end, or more than three years, is a 400."""
    today = loader.clock(now).today
    current = chosen or type2.current_audit(org, today)
    if current is not None and current.period_start and current.period_end:
        default = (current.period_start, current.period_end)
    else:
        default = (add_months(today, -6) + timedelta(days=1), today)
    start, end = start or default[0], end or default[1]
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST <= day <= LATEST:
            raise DomainError(f"The {name} must be between {EARLIEST} and {LATEST}.", field=name)
    if start > end:
        raise DomainError("The period starts after it ends.", field="start")
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(f"The period is longer than {MAX_DAYS} days.", field="end")
    return start, end


def one_timeline(org, found: Control, start: date, end: date) -> Timeline:
    return loader.timelines(org, [found], start, end)[found.pk]


def summaries(org, chosen: Audit | None, start: date, end: date):
    """(control, timeline) of every in-scope control, by key."""
    controls = type2.scoped_controls(org, chosen)
    lines = loader.timelines(org, controls, start, end)
    return [(c, lines[c.pk]) for c in controls]
