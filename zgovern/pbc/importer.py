"""Reading the auditor's request list (CSV or XLSX) into validated rows.

The file is read with :mod:`zgovern.core.uploads` (UTF-8 and BOM handling, XLSX cells,
formulas refused, row limit) and checked whole: every problem is reported with its line
(the spreadsheet row; line 1 is the header) and column, and nothing is imported until there
are none. :func:`check_against` adds what needs the database: the
criteria of the audit's framework and who is a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from zgovern.core import uploads
from zgovern.core.errors import DomainError
from zgovern.core.uploads import Column, Problem
from zgovern.pbc import validation as v

COLUMNS: tuple[Column, ...] = (
    Column("reference", True, 40, "The auditor's number for the request, e.g. PBC-001; "
           "identifies it across imports."),
    Column("title", True, 300, "What is asked, in a line."),
    Column("description", False, 10_000, "The request in full."),
    Column("criteria", False, 2_000, "Criteria of the audit's framework it concerns, "
           "separated by commas or semicolons, e.g. CC6.1; CC6.2."),
    Column("due_date", False, 10, "When the auditor needs it, as YYYY-MM-DD; not before "
           "today."),
    Column("assignee_email", False, 254, "The email of the member who answers it."),
)  # fmt: skip
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
# Headers auditors commonly write, read as the documented names.
ALIASES = {"due": "due_date", "assignee": "assignee_email", "ref": "reference",
           "criterion": "criteria", "request": "title"}  # fmt: skip


class ImportError_(uploads.UploadError):
    """The file cannot be imported; ``problems`` lists every reason. Nothing was written."""

    subject = "request list"


_LAYOUT = uploads.Layout(
    known=COLUMN_NAMES,
    required=tuple(c.name for c in COLUMNS if c.required),
    noun="requests",
    key=lambda values: values.get("reference") or None,
    key_column="reference",
    error=ImportError_,
    aliases=ALIASES,
)


@dataclass(frozen=True)
class RequestRow:
    line: int
    reference: str
    title: str
    description: str
    criteria: list[str]
    due_date: date | None
    assignee_email: str


def too_large(limit: int) -> ImportError_:
    return ImportError_([uploads.too_large(limit)])


def read(name: str, data: bytes, *, max_rows: int) -> list[RequestRow]:
    """Parse and validate ``data`` (CSV unless ``name`` ends in .xlsx)."""
    # The roster's wording, which this list has always given.
    too_many = f"too many rows: more than {max_rows} people in one file"
    return uploads.read_rows(name, data, _LAYOUT, _row, max_rows=max_rows, too_many=too_many)


def _row(line: int, values: dict[str, str], cells: list[Any], columns: dict[str, int]):
    problems: list[Problem] = []
    for column in COLUMNS:
        value = values.get(column.name, "")
        if column.required and not value:
            problems.append(Problem(line, column.name, "a value is required"))
        elif len(value) > column.max_length and column.name != "due_date":
            problems.append(
                Problem(line, column.name, f"longer than {column.max_length} characters")
            )
    due = _due(line, uploads.cell(cells, columns, "due_date"), problems)
    email = values.get("assignee_email", "").lower()
    if email and not uploads.is_email(email):
        problems.append(Problem(line, "assignee_email", f"{email[:80]!r} is not an email"))
    try:
        refs = v.split_refs(values.get("criteria", ""))
    except DomainError as exc:
        problems.append(Problem(line, "criteria", exc.message))
        refs = []
    if problems:
        return None, problems
    return RequestRow(line, values["reference"], values["title"], values.get("description", ""),
                      refs, due, email), []  # fmt: skip


def _due(line: int, cell: Any, problems: list[Problem]) -> date | None:
    if cell in (None, ""):
        return None
    try:
        due = v.a_date(cell, "due_date")
    except DomainError:
        problems.append(
            Problem(
                line,
                "due_date",
                f"{uploads.cell_text(cell)[:40]!r} is not a date in the form YYYY-MM-DD",
            )
        )
        return None
    return due


def check_against(org, audit, rows: list[RequestRow], existing: dict, users: dict) -> None:
    """Problems that need the database: criteria unknown to the audit's framework,
    assignees who are not members, and due dates before the request was made (today for a
    new request, its creation day for one already imported)."""
    problems: list[Problem] = []
    wanted = sorted({ref for row in rows for ref in row.criteria})
    unknown = set(v.unknown_refs(org, audit.framework_id, wanted))
    today = timezone.localdate()
    for row in rows:
        bad = [ref for ref in row.criteria if ref in unknown]
        if bad:
            problems.append(
                Problem(
                    row.line, "criteria", f"not criteria of {audit.framework}: {', '.join(bad)}"
                )
            )
        if row.assignee_email and row.assignee_email not in users:
            problems.append(
                Problem(
                    row.line,
                    "assignee_email",
                    f"{row.assignee_email} is not a member who can answer requests",
                )
            )
        current = existing.get(row.reference)
        made = timezone.localdate(current.created_at) if current else today
        changed = current is None or current.due_date != row.due_date
        if row.due_date and changed and row.due_date < made:
            problems.append(
                Problem(
                    row.line, "due_date", f"{row.due_date} is before the request was made ({made})"
                )
            )
    if problems:
        raise ImportError_(sorted(problems, key=lambda p: p.line))
