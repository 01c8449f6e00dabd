"""Field types shared by every API schema.

``text(max, min)`` is a string both databases can store: no NUL (PostgreSQL refuses it)
and no lone surrogate (it cannot be encoded), within the given length. The pattern is
advertised in the OpenAPI document so generated clients and fuzzers keep to it.
"""

from __future__ import annotations

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
