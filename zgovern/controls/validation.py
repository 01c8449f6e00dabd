"""Checks on the inputs of the controls services. Each returns the cleaned value or raises
``DomainError`` naming the input at fault, so nothing is written before all of it is valid."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from zgovern.controls.models import (
    ControlStatus,
    Frequency,
    Priority,
    Severity,
    TaskStatus,
)
from zgovern.core.errors import DomainError

NAME_MAX = 200
DESCRIPTION_MAX = 20_000
JUSTIFICATION_MAX = 2_000
REQUIREMENT_MAX = 300
KEY_MAX, DOMAIN_MAX, CHECK_MAX, KIND_MAX, POLICY_MAX = 80, 40, 120, 60, 80
FRESHNESS_MIN, FRESHNESS_MAX = 1, 3660
MAX_IDS = 500  # criteria mapped in one request
TARGET_HORIZON = timedelta(days=3660)  # a target date more than ten years out is a typo

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*")
# Check ids are dotted lowercase names, as in the check registry: aws.iam.console_mfa.
_CHECK = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
_KIND = re.compile(r"[a-z0-9][a-z0-9_-]*")  # the evidence store's kinds


def text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    """Stripped text within ``max_length``, storable by both databases."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"The {_label(field)} must be text.", field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(f"Give the {_label(field)}.", field=field)
    if len(value) > max_length:
        raise DomainError(
            f"The {_label(field)} is longer than {max_length:,} characters.", field=field
        )
    if "\x00" in value:
        raise DomainError(f"The {_label(field)} contains a NUL character.", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise DomainError(f"The {_label(field)} is not valid Unicode text.", field=field) from None
    return value


def _label(field: str) -> str:
    return field.replace("_", " ")


def slug(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """A lowercase name of letters, digits, '-' and '_' (control keys, domains, policies)."""
    cleaned = text(value, field=field, max_length=max_length, required=required).lower()
    if cleaned and not _KEY.fullmatch(cleaned):
        raise DomainError(
            f"The {_label(field)} uses lowercase letters, digits, '-' and '_' only.", field=field
        )
    return cleaned


def check_id(value: Any) -> str:
    cleaned = text(value, field="check_id", max_length=CHECK_MAX, required=True).lower()
    if not _CHECK.fullmatch(cleaned):
        raise DomainError(
            "A check id is a dotted lowercase name, e.g. aws.iam.console_mfa.", field="check_id"
        )
    return cleaned


def kind(value: Any) -> str:
    cleaned = text(value, field="kind", max_length=KIND_MAX, required=True).lower()
    if not _KIND.fullmatch(cleaned):
        raise DomainError(
            "The kind is a short name of letters, digits, '-' and '_' (e.g. access_review).",
            field="kind",
        )
    return cleaned


def freshness(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("Freshness is a whole number of days.", field="freshness_days")
    if not FRESHNESS_MIN <= value <= FRESHNESS_MAX:
        raise DomainError(
            f"Freshness is between {FRESHNESS_MIN} and {FRESHNESS_MAX} days.",
            field="freshness_days",
        )
    return value


def choice(value: Any, choices: type, *, field: str) -> Any:
    """One of ``choices`` (a Django choices enum), by value."""
    if isinstance(value, bool) or value not in choices.values:
        allowed = ", ".join(str(v) for v in choices.values)
        raise DomainError(f"The {_label(field)} is one of: {allowed}.", field=field)
    return choices(value)


def frequency(value: Any) -> str:
    return choice(value, Frequency, field="frequency")


def severity(value: Any) -> str:
    return choice(value, Severity, field="severity")


def control_status(value: Any) -> str:
    return choice(value, ControlStatus, field="status")


def task_status(value: Any) -> str:
    return choice(value, TaskStatus, field="status")


def priority(value: Any) -> int:
    return choice(value, Priority, field="priority")


def target_date(value: Any) -> date | None:
    """None, or a day from today up to ten years ahead; a date in the past is refused."""
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DomainError("The target date is a day (YYYY-MM-DD).", field="target_date")
    today = timezone.localdate()
    if value < today:
        raise DomainError(
            f"The target date {value:%Y-%m-%d} is in the past; choose today or later.",
            field="target_date",
        )
    if value - today > TARGET_HORIZON:
        raise DomainError("The target date is more than ten years away.", field="target_date")
    return value


def ids(values: Any, *, field: str) -> list[int]:
    """A non-empty list of positive ids, without repeats, in the order given."""
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        raise DomainError("Give a list of ids.", field=field)
    cleaned: list[int] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise DomainError("Each id is a positive whole number.", field=field)
        if value not in cleaned:
            cleaned.append(value)
    if not cleaned:
        raise DomainError("Choose at least one.", field=field)
    if len(cleaned) > MAX_IDS:
        raise DomainError(f"At most {MAX_IDS} at a time.", field=field)
    return cleaned


def object_id(value: Any, *, field: str) -> int:
    """A positive id (an int, or digits from a form)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value >= 2**63:
        raise DomainError(f"Choose a {_label(field.removesuffix('_id'))}.", field=field)
    return value
