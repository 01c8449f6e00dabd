"""Reading a roster file (CSV or XLSX) into validated rows, without touching the database.

The whole file is read and checked before anything is imported: :func:`read_roster`
returns every row or raises :class:`RosterError` listing every problem, each located by
line (the spreadsheet row; line 1 is the header) and column. Whether a manager's email is
known needs the existing roster, so :func:`check_managers` takes the known emails.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from zgovern.core.errors import DomainError
from zgovern.people.models import EmploymentType

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_LISTED_ERRORS = 1000  # problems listed in one report; the rest are counted


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    max_length: int
    description: str


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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. ``line`` 0 and ``column`` "" mean the whole file."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return (
            f"{where}, column {self.column}: {self.message}"
            if self.column
            else (f"{where}: {self.message}")
        )


class RosterError(DomainError):
    """The file cannot be imported; ``problems`` says every reason. Nothing was written."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_LISTED_ERRORS]
        self.total = total if total is not None else len(problems)
        noun = "problem" if self.total == 1 else "problems"
        super().__init__(f"The roster has {self.total} {noun}; nothing was imported.", field="file")


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
    table = (
        _xlsx_rows(data, max_rows) if name.lower().endswith(".xlsx") else _csv_rows(data, max_rows)
    )
    return _validate(table)


# -- reading --------------------------------------------------------------------------

Table = list[tuple[int, list[Any]]]  # (line, cells), the header first


def _csv_rows(data: bytes, max_rows: int) -> Table:
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if bom else 0)
        line = data[:offset].count(b"\n") + 1
        byte = data[offset : offset + 1].hex()
        raise RosterError(
            [
                Problem(
                    line,
                    "",
                    f"not UTF-8 text: byte 0x{byte} at byte offset {offset}; "
                    "save the file as CSV UTF-8",
                )
            ]
        ) from None
    if "\x00" in text:
        raise RosterError([Problem(0, "", "the file holds NUL characters; is it really CSV?")])
    reader = csv.reader(io.StringIO(text, newline=""))
    table: Table = []
    start = 1
    try:
        for cells in reader:
            table.append((start, cells))
            start = reader.line_num + 1
            _check_row_count(len(table) - 1, max_rows)
    except csv.Error as exc:
        raise RosterError([Problem(reader.line_num, "", f"malformed CSV ({exc})")]) from None
    return table


def _xlsx_rows(data: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # any parser failure: the upload is not an XLSX
        raise RosterError([Problem(0, "", "not a readable XLSX workbook")]) from None
    try:
        sheet = book.worksheets[0]
        table: Table = []
        formulas: list[Problem] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            for index, value in enumerate(cells, start=1):
                if isinstance(value, str) and value.startswith("="):
                    cell = f"{get_column_letter(index)}{line}"
                    formulas.append(
                        Problem(
                            line,
                            "",
                            f"cell {cell} holds a formula ({value[:40]}); upload values only",
                        )
                    )
            table.append((line, cells))
            _check_row_count(len(table) - 1, max_rows)
    except RosterError:
        raise
    except Exception:  # a damaged sheet is the upload's fault, never a 500
        raise RosterError([Problem(0, "", "the XLSX workbook is damaged")]) from None
    finally:
        book.close()
    if formulas:
        raise RosterError(formulas)
    return table


def _check_row_count(rows: int, max_rows: int) -> None:
    if rows > max_rows:
        raise RosterError(
            [Problem(0, "", f"too many rows: more than {max_rows} people in one file")]
        )


# -- validating -----------------------------------------------------------------------


def _validate(table: Table) -> list[RosterRow]:
    if not table or not any(_text(v) for v in table[0][1]):
        raise RosterError([Problem(1, "", "the file is empty: it needs a header row")])
    header_line, header = table[0]
    columns, problems = _header(header_line, header)
    if problems:
        raise RosterError(problems)
    rows: list[RosterRow] = []
    first_line: dict[str, int] = {}
    for line, cells in table[1:]:
        values = {name: _text(cells[i]) if i < len(cells) else "" for name, i in columns.items()}
        if not any(values.values()):
            continue  # a blank line
        row, row_problems = _row(line, values, cells, columns)
        email = values["work_email"].lower()
        if email and email in first_line:
            # Duplicates are told even when either row has other problems too.
            row_problems.insert(
                0, Problem(line, "work_email", f"duplicate of line {first_line[email]}")
            )
        elif email:
            first_line[email] = line
        problems.extend(row_problems)
        if row is not None and not row_problems:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(2, "", "the file has a header but no people"))
    if problems:
        raise RosterError(problems)
    return rows


def _header(line: int, header: list[Any]) -> tuple[dict[str, int], list[Problem]]:
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for index, raw in enumerate(header):
        name = _text(raw).lower().replace(" ", "_")
        if not name:
            continue
        if name not in _BY_NAME:
            known = ", ".join(COLUMN_NAMES)
            problems.append(Problem(line, name[:60], f"unknown column (known: {known})"))
        elif name in columns:
            problems.append(Problem(line, name, "the column appears twice"))
        else:
            columns[name] = index
    for column in COLUMNS:
        if column.required and column.name not in columns:
            problems.append(Problem(line, column.name, "missing required column"))
    return columns, problems


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
    if email and not _is_email(email):
        problems.append(Problem(line, "work_email", f"{values['work_email']!r} is not an email"))
    manager = values.get("manager_email", "").lower()
    if manager and not _is_email(manager):
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
    index = columns.get(name)
    raw = cells[index] if index is not None and index < len(cells) else None
    if isinstance(raw, datetime):  # an XLSX date cell
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    if not text:
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(line, name, f"{text[:40]!r} is not a date in the form YYYY-MM-DD"))
        return None


def _text(value: Any) -> str:
    """A cell as stripped text; a whole number from a spreadsheet loses its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def check_managers(rows: Iterable[RosterRow], known: set[str]) -> Iterator[Problem]:
    """A problem for every manager email that is neither in the file nor in ``known``."""
    rows = list(rows)
    emails = known | {row.work_email for row in rows}
    for row in rows:
        if row.manager_email and row.manager_email not in emails:
            yield Problem(
                row.line, "manager_email", f"{row.manager_email} is not in this file or the roster"
            )
