"""Checks of Trust Center input, each raising a DomainError that names the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from zgovern.core.errors import DomainError

MAX_CHOICES = 200
PUBLIC_TEXT = 500


def text(value: Any, name: str, limit: int, *, required: bool = False, label: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{label or name} must be text.", field=name)
    value = value.strip()
    if required and not value:
        raise DomainError(f"Enter {label or name}.", field=name)
    if len(value) > limit:
        raise DomainError(f"{label or name} is longer than {limit} characters.", field=name)
    if "\x00" in value:
        raise DomainError(f"{label or name} contains a NUL character.", field=name)
    return value


def email(value: Any, name: str, *, required: bool = False) -> str:
    value = text(value, name, 254, required=required, label="an email address").lower()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise DomainError(f"'{value}' is not an email address.", field=name) from None
    return value


def whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(f"{name} must be a whole number from {low} to {high}.", field=name)
    return value


def flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError(f"{name} must be true or false.", field=name)
    return value


def day(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"{name} must be a date (YYYY-MM-DD).", field=name) from None


def ids(value: Any, name: str) -> list[int]:
    """A list of distinct positive ids, order kept."""
    if not isinstance(value, list | tuple):
        raise DomainError(f"{name} must be a list of ids.", field=name)
    if len(value) > MAX_CHOICES:
        raise DomainError(f"Choose at most {MAX_CHOICES} in {name}.", field=name)
    seen: list[int] = []
    for raw in value:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            raise DomainError(f"{name} must hold positive whole ids; got {raw!r}.", field=name)
        if raw not in seen:
            seen.append(raw)
    return seen


def entries(value: Any, name: str, keys: dict[str, type]) -> list[dict[str, Any]]:
    """A list of objects with an ``id`` and the optional ``keys`` (name: type)."""
    if not isinstance(value, list | tuple):
        raise DomainError(f"{name} must be a list.", field=name)
    if len(value) > MAX_CHOICES:
        raise DomainError(f"Choose at most {MAX_CHOICES} in {name}.", field=name)
    cleaned: dict[int, dict[str, Any]] = {}
    for position, raw in enumerate(value, start=1):
        where = f"{name}[{position}]"
        if not isinstance(raw, dict) or set(raw) - {"id", *keys}:
            expected = ", ".join(["id", *keys])
            raise DomainError(f"{where} must be an object with {expected}.", field=name)
        pk = ids([raw.get("id")], where)[0]
        entry: dict[str, Any] = {"id": pk}
        for key, kind in keys.items():
            got = raw.get(key, kind())
            if not isinstance(got, kind):
                raise DomainError(f"{where}.{key} must be {kind.__name__}.", field=name)
            if kind is str:
                got = text(got, name, PUBLIC_TEXT, label=f"{where}.{key}")
            entry[key] = got
        cleaned[pk] = entry
    return list(cleaned.values())
