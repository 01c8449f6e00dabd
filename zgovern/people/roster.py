"""Reading a roster file (CSV or XLSX) into validated rows, without touching the database.

The whole file is read and checked before anything is imported: :func:`read_roster`
returns every row or raises :class:`RosterError` listing every problem, each located by
line (the spreadsheet row; line 1 is the header) and column. Whether a manager's email is
known needs the existing roster, so :func:`check_managers` takes the known emails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from zgovern.core import uploads
from zgovern.core.uploads import Column, Problem
from zgovern.people.models import EmploymentType

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


COLUMNS: tuple[Column, ...] = (
    Column("work_email", True, 254, "The person's work email; identifies them across imports."),
    Column("full_name", True, 200, "First and last name."),
    Column(
        "employment_type",
        True,
        16,
        "One of: " + ", ".join(EmploymentType.values) + " (any letter case).",
    ),
    Column("department", False, 120, "Free text, e.g. Engineering."),
    Column(
        "manager_email",
        False,
        254,
        "The manager's work email: someone in this file or already on the roster.",
    ),
    Column("start_date", True, 10, "First day of work, as YYYY-MM-DD."),
    Column("end_date", False, 10, "Last day of work, as YYYY-MM-DD; empty while employed."),
    Column("external_id", False, 120, "The person's id in your HR system, if any."),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
_BY_NAME = {c.name: c for c in COLUMNS}


class RosterError(uploads.UploadError):
    """The roster cannot be imported; ``problems`` says every reason. Nothing was written."""

    subject = "roster"


_LAYOUT = uploads.Layout(
    known=COLUMN_NAMES,
    required=tuple(c.name for c in COLUMNS if c.required),
    noun="people",
    key=lambda values: values["work_email"].lower() or None,
    key_column="work_email",
    error=RosterError,
)


@dataclass(frozen=True)
class RosterRow:
    line: int
    work_email: str
    full_name: str
    employment_type: str
    department: str
    manager_email: str
    start_date: date
    end_date: date | None
    external_id: str


def read_roster(name: str, data: bytes, *, max_rows: int) -> list[RosterRow]:
    """Parse and validate ``data`` (CSV unless ``name`` ends in .xlsx); raise
    :class:`RosterError` with every problem when anything is wrong."""
    too_many = f"too many rows: more than {max_rows} people in one file"
    return uploads.read_rows(name, data, _LAYOUT, _row, max_rows=max_rows, too_many=too_many)


def _row(
    line: int, values: dict[str, str], cells: list[Any], columns: dict[str, int]
) -> tuple[RosterRow | None, list[Problem]]:
    problems: list[Problem] = []
    for name in COLUMN_NAMES:
        column, value = _BY_NAME[name], values.get(name, "")
        if column.required and not value:
            problems.append(Problem(line, name, "a value is required"))
        elif len(value) > column.max_length and name not in ("start_date", "end_date"):
            problems.append(Problem(line, name, f"longer than {column.max_length} characters"))
    email = values["work_email"].lower()
    if email and not uploads.is_email(email):
        problems.append(Problem(line, "work_email", f"{values['work_email']!r} is not an email"))
    manager = values.get("manager_email", "").lower()
    if manager and not uploads.is_email(manager):
        problems.append(Problem(line, "manager_email", f"{manager!r} is not an email"))
    elif manager and manager == email:
        problems.append(Problem(line, "manager_email", "a person cannot manage themselves"))
    kind = values["employment_type"].lower()
    if kind and kind not in EmploymentType.values:
        allowed = ", ".join(EmploymentType.values)
        problems.append(
            Problem(line, "employment_type", f"unknown employment type {kind!r} (use {allowed})")
        )
    start = _date(line, "start_date", cells, columns, problems)
    end = _date(line, "end_date", cells, columns, problems)
    if start and end and end < start:
        problems.append(Problem(line, "end_date", f"{end} is before the start date {start}"))
    if problems:
        return None, problems
    row = RosterRow(
        line=line,
        work_email=email,
        full_name=values["full_name"],
        employment_type=kind,
        department=values.get("department", ""),
        manager_email=manager,
        start_date=start,  # type: ignore[arg-type] - required, checked above
        end_date=end,
        external_id=values.get("external_id", ""),
    )
    return row, []


def _date(
    line: int, name: str, cells: list[Any], columns: dict[str, int], problems: list[Problem]
) -> date | None:
    raw = uploads.cell(cells, columns, name)
    if isinstance(raw, datetime):  # an XLSX date cell
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = uploads.cell_text(raw)
    if not text:
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(line, name, f"{text[:40]!r} is not a date in the form YYYY-MM-DD"))
        return None


def check_managers(rows: Iterable[RosterRow], known: set[str]) -> Iterator[Problem]:
    """A problem for every manager email that is neither in the file nor in ``known``."""
    rows = list(rows)
    emails = known | {row.work_email for row in rows}
    for row in rows:
        if row.manager_email and row.manager_email not in emails:
            yield Problem(
                row.line, "manager_email", f"{row.manager_email} is not in this file or the roster"
            )
