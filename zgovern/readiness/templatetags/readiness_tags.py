"""Template filters of the readiness pages."""

from __future__ import annotations

from datetime import date

from django import template

from zgovern.readiness.overview import is_overdue, status_tone

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.4567 -> "46%"; nothing for a missing value."""
    return "" if value is None else f"{value:.0%}"


@register.filter
def percent_points(value: float | None) -> str:
    """A change of readiness: 0.0432 -> "4.3 points"."""
    return "" if value is None else f"{value * 100:.1f} points"


@register.filter
def day(value: date | None) -> str:
    """A date as "14 Mar 2027" (no leading zero, whatever the locale)."""
    return "" if value is None else f"{value.day} {value:%b %Y}"


@register.filter
def tone(status: str) -> str:
    """The badge class of a control status (bad, warn, ok or nothing)."""
    return status_tone(status)


@register.filter
def overdue(task, today: date) -> bool:
    """Whether an open task is past its target date."""
    return is_overdue(task, today)
