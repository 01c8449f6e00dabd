"""Checks on what describes an evidence item, shared by every way of adding one.

Each function returns the cleaned value or raises ``DomainError`` naming the input at fault,
so the services can validate everything before they store a byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from zgovern.core.errors import DomainError

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
KIND_MAX = 60
URL_MAX = 1000
TAG_MAX, TAGS_MAX = 100, 50
RECORD_MAX_BYTES = 2 * 1024 * 1024
# Clocks drift: a collection time a little ahead of ours is accepted.
FUTURE_SLACK = timedelta(minutes=5)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)

_KIND = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TAG = re.compile(r"[\w.:/-]+")
# An escaped NUL in canonical JSON that is not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Meta:
    """What every item carries besides its content."""

    kind: str
    title: str
    description: str
    period_start: date | None
    period_end: date | None
    collected_at: datetime
    tags: list[str]

    def fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "collected_at": self.collected_at,
            "tags": self.tags,
        }


def clean_meta(
    *,
    kind: str,
    title: str,
    description: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    collected_at: datetime | None = None,
    tags: list[str] | tuple[str, ...] = (),
) -> Meta:
    start, end = clean_period(period_start, period_end)
    return Meta(
        kind=clean_kind(kind),
        title=clean_text(title, field="title", max_length=TITLE_MAX, required=True),
        description=clean_text(description, field="description", max_length=DESCRIPTION_MAX),
        period_start=start,
        period_end=end,
        collected_at=clean_collected_at(collected_at),
        tags=clean_tags(tags),
    )


def clean_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"The {field} must be text.", field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(f"Give the {field}.", field=field)
    if len(value) > max_length:
        raise DomainError(f"The {field} is longer than {max_length} characters.", field=field)
    if "\x00" in value:  # neither database stores NUL
        raise DomainError(f"The {field} contains a NUL character.", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a JSON "\\ud800" escape
        raise DomainError(f"The {field} is not valid Unicode text.", field=field) from None
    return value


def clean_kind(value: Any) -> str:
    """A kind is a slug (``access_review``), compared in lower case."""
    kind = clean_text(value, field="kind", max_length=KIND_MAX, required=True).lower()
    if not _KIND.fullmatch(kind):
        raise DomainError(
            "The kind is a short name of letters, digits, '-' and '_' (e.g. access_review).",
            field="kind",
        )
    return kind


def clean_period(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """Both dates or neither; the end on or after the start."""
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise DomainError("The period is given in days, not times.", field="period_start")
    if (start is None) != (end is None):
        field = "period_end" if end is None else "period_start"
        raise DomainError("Give both the start and the end of the period, or neither.", field=field)
    if start is not None and end is not None and end < start:
        raise DomainError("The period ends before it starts.", field="period_end")
    return start, end


def clean_collected_at(value: datetime | None) -> datetime:
    """When the evidence was collected: now by default, UTC when naive, never in the future."""
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # an offset pushing year 1 or 9999 out of range
        value = None
    if value is None or value < EARLIEST:
        raise DomainError("The collection time is too far in the past.", field="collected_at")
    if value - now > FUTURE_SLACK:
        raise DomainError("The collection time is in the future.", field="collected_at")
    return value


def clean_tags(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise DomainError("Tags are a list of short labels.", field="tags")
    tags: list[str] = []
    for raw in values:
        tag = raw.strip()
        if not tag:
            continue
        if len(tag) > TAG_MAX or not _TAG.fullmatch(tag):
            raise DomainError(
                f"A tag is up to {TAG_MAX} letters, digits or . : / - _ (got {tag[:40]!r}).",
                field="tags",
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise DomainError(f"At most {TAGS_MAX} tags.", field="tags")
    return tags


def clean_url(value: Any) -> str:
    url = clean_text(value, field="url", max_length=URL_MAX, required=True)
    try:
        _url_validator(url)
    except ValidationError:
        raise DomainError("Give a full http:// or https:// address.", field="url") from None
    return url


def canonical_json(record: Any) -> bytes:
    """The bytes a record is hashed and stored as: UTF-8 JSON with sorted keys and no
    spaces. Raises ``DomainError(field="record")`` for anything that is not a JSON object,
    cannot be stored, or is larger than the limit."""
    if not isinstance(record, dict):
        raise DomainError("The record must be a JSON object.", field="record")
    try:
        text = json.dumps(
            record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        data = text.encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        raise DomainError(f"The record is not storable JSON ({exc}).", field="record") from None
    if _JSON_NUL.search(text):
        raise DomainError("The record contains a NUL character.", field="record")
    if len(data) > RECORD_MAX_BYTES:
        raise DomainError(
            f"The record is larger than {RECORD_MAX_BYTES // 1024} KiB.", field="record"
        )
    return data
