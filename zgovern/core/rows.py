"""Plain rows for tables of hundreds of thousands of rows (a year of check history).

Model instances cost too much at that size, and so do Django's per-value converters: on
SQLite every stored instant is parsed by a regular expression in Python, which was most of
the time of a bundle's history section. :func:`plain_rows` runs a ``values_list`` query on
a bare cursor and converts only the instant columns, with the C parsers of the standard
library:

* on SQLite the instant columns are selected as expressions (which have no declared type,
  so the driver's converters skip them) that splice the stored text into ISO 8601, read
  with :func:`datetime.fromisoformat` when datetimes are wanted;
* on PostgreSQL the driver already returns aware datetimes.

Either way an instant comes back as an aware UTC :class:`datetime`, or as the exact text
``value.isoformat()`` gives for it, so files written from these rows are the same on every
database.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any

from django.db import connections
from django.db.models import Func, QuerySet, TextField
from django.db.models.functions import Cast

FETCH = 5000


def plain_rows(
    queryset: QuerySet, fields: tuple[str, ...], instants: Collection[str], *, text: bool = False
) -> Iterator[tuple[Any, ...]]:
    """The ``fields`` of ``queryset``'s rows as tuples, in the queryset's order. Each field
    named in ``instants`` is an aware UTC datetime, or with ``text`` its ISO 8601 form (as
    ``isoformat()`` writes it); ``None`` stays ``None``."""
    connection = connections[queryset.db]
    sqlite = connection.vendor == "sqlite"
    spliced = sqlite and connection.timezone == UTC
    selected = [_as_text(f, spliced) if sqlite and f in instants else f for f in fields]
    sql, params = queryset.values_list(*selected).query.sql_with_params()
    convert = _converter(sqlite, spliced, connection.timezone, text)
    positions = [i for i, name in enumerate(fields) if name in instants] if convert else []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            if not positions:
                yield from batch
                continue
            for row in batch:
                values = list(row)
                for i in positions:
                    if values[i] is not None:
                        values[i] = convert(values[i])
                yield tuple(values)


class _IsoText(Func):
    """SQLite's stored text of a UTC instant, "YYYY-MM-DD HH:MM:SS[.ffffff]" (Django writes
    ``str()`` of the naive UTC datetime), made into what ``isoformat()`` writes for the
    aware one. NULL stays NULL."""

    template = "(substr(%(expressions)s, 1, 10) || 'T' || substr(%(expressions)s, 12) || '+00:00')"
    output_field = TextField()


def _as_text(field: str, spliced: bool) -> Func:
    # Either way the column is an expression with no declared type, which the SQLite
    # driver hands back as text, untouched by Django's converters.
    return _IsoText(field) if spliced else Cast(field, TextField())


def _converter(
    sqlite: bool, spliced: bool, zone: tzinfo, text: bool
) -> Callable[[Any], Any] | None:
    if spliced:
        return None if text else datetime.fromisoformat
    if sqlite:

        def parsed(value: str) -> datetime:
            return datetime.fromisoformat(value).replace(tzinfo=zone).astimezone(UTC)

        return (lambda value: parsed(value).isoformat()) if text else parsed

    def aware(value: datetime) -> datetime:
        return value.astimezone(UTC)

    return (lambda value: aware(value).isoformat()) if text else aware
