"""Field types shared by every API schema.

``text(max, min)`` is a string both databases can store: no NUL (PostgreSQL refuses it)
and no lone surrogate (it cannot be encoded), within the given length. The pattern is
advertised in the OpenAPI document so generated clients and fuzzers keep to it.

``Instant`` is a moment both databases can store: an offset-less value is taken as UTC,
and every value is turned into UTC, since PostgreSQL refuses offsets beyond ±15:59 that
ISO 8601 (and Python) allow; a moment that has no UTC form is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

STORABLE_TEXT = r"^[^\x00]*$"
MAX_ID = 2**63 - 1


def storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def text(max_length: int, min_length: int = 0, **schema: str) -> Any:
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(storable),
        Field(json_schema_extra={"pattern": STORABLE_TEXT, **schema}),
    ]


def in_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a moment between the years 1 and 9999 in UTC") from None


Instant = Annotated[datetime, AfterValidator(in_utc)]
