"""Validation of policy and version fields: each cleaner raises ``DomainError`` naming the
field at fault, before anything is written."""

from __future__ import annotations

from typing import Any

from zgovern.controls.lookups import member_user
from zgovern.core.errors import DomainError
from zgovern.policies.models import Audience
from zgovern.tenancy.models import Organization

POLICY_FIELDS = (
    "title", "owner", "audience", "departments", "review_cadence_months", "ack_window_days",
)  # fmt: skip
VERSION_FIELDS = ("body", "change_summary", "material")
BODY_MAX = 200_000
CADENCE_MAX = 36
WINDOW_MAX = 365


def member(org: Organization, user_id: Any):
    """The member ``user_id`` of ``org`` who may own a policy (not an auditor), or None."""
    return member_user(org, user_id, field="owner")


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError("Expected text.", field=field)
    value = value.strip()
    if "\x00" in value:
        raise DomainError("The text contains a NUL character.", field=field)
    if len(value) > limit:
        raise DomainError(f"At most {limit} characters.", field=field)
    if required and not value:
        raise DomainError("This cannot be empty.", field=field)
    return value


def _number(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DomainError(f"A whole number from {low} to {high}.", field=field)
    try:
        number = int(value)
    except ValueError:
        raise DomainError(f"A whole number from {low} to {high}.", field=field) from None
    if not low <= number <= high:
        raise DomainError(f"A whole number from {low} to {high}.", field=field)
    return number


def _departments(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        raise DomainError("A list of department names.", field="departments")
    names = [_text(v, "departments", 120) for v in value]
    return list(dict.fromkeys(n for n in names if n))[:50]


def clean_policy_fields(org: Organization, fields: dict[str, Any]) -> dict[str, Any]:
    """The given policy fields, validated. Unknown names are refused."""
    unknown = sorted(set(fields) - set(POLICY_FIELDS))
    if unknown:
        raise DomainError(f"Unknown field {unknown[0]!r}.", field=unknown[0])
    cleaners = {
        "title": lambda v: _text(v, "title", 200, required=True),
        "owner": lambda v: member(org, v.pk if hasattr(v, "pk") else v),
        "audience": _audience,
        "departments": _departments,
        "review_cadence_months": lambda v: _number(v, "review_cadence_months", 1, CADENCE_MAX),
        "ack_window_days": lambda v: _number(v, "ack_window_days", 1, WINDOW_MAX),
    }
    clean = {name: cleaners[name](value) for name, value in fields.items()}
    audience = clean.get("audience")
    if audience == Audience.DEPARTMENTS and not clean.get("departments"):
        raise DomainError("Name at least one department.", field="departments")
    if audience is not None and audience != Audience.DEPARTMENTS:
        clean["departments"] = []
    return clean


def _audience(value: Any) -> str:
    if value not in Audience.values:
        raise DomainError(f"Choose one of: {', '.join(Audience.values)}.", field="audience")
    return value


def clean_version_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(VERSION_FIELDS))
    if unknown:
        raise DomainError(f"Unknown field {unknown[0]!r}.", field=unknown[0])
    clean: dict[str, Any] = {}
    if "body" in fields:
        clean["body"] = _text(fields["body"], "body", BODY_MAX, required=True)
    if "change_summary" in fields:
        clean["change_summary"] = _text(fields["change_summary"], "change_summary", 500)
    if "material" in fields:
        if not isinstance(fields["material"], bool):
            raise DomainError("true or false.", field="material")
        clean["material"] = fields["material"]
    return clean
