"""Reading an uploaded table (CSV or XLSX) into rows of cells, shared by every importer.

An importer describes its file with a :class:`Layout` and reads it with :func:`read_rows`,
giving the check of one row; what the columns mean stays the importer's. An importer that
needs other steps uses the parts: :func:`read_table` (or :func:`read_csv` for text it
decoded itself), :func:`header_row`, :func:`read_header`, :func:`missing_columns` and
:func:`data_rows`. Every problem is a
:class:`Problem` located by line (the spreadsheet row; line 1 is the header) and column,
and the reading functions raise :class:`UploadError` listing them. An importer raises its
own subclass of :class:`UploadError`, so that its message names what was uploaded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from zgovern.core.errors import DomainError

MAX_LISTED_ERRORS = 1000  # problems listed in one report; the rest are counted
_BOM = b"\xef\xbb\xbf"

Table = list[tuple[int, list[Any]]]  # (line, cells), the header first
Values = dict[str, str]  # column name -> the cell's text, for the columns the header has
R = TypeVar("R")


@dataclass(frozen=True)
class Column:
    """A documented column of an importer's file."""

    name: str
    required: bool
    max_length: int
    description: str


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


class UploadError(DomainError):
    """The file cannot be imported; ``problems`` says every reason (the first
    :data:`MAX_LISTED_ERRORS`, ``total`` counts them all). Nothing was written. A subclass
    sets ``subject``, the name of what was uploaded in the message."""

    subject = "file"

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_LISTED_ERRORS]
        self.total = total if total is not None else len(problems)
        noun = "problem" if self.total == 1 else "problems"
        super().__init__(
            f"The {self.subject} has {self.total} {noun}; nothing was imported.", field="file"
        )


@dataclass(frozen=True)
class Layout:
    """An importer's file, for :func:`read_rows`: its columns, how its rows are told
    apart, and the error it raises."""

    known: tuple[str, ...]  # every column name, in the order the problems list them
    required: tuple[str, ...]  # the columns the header must have
    noun: str  # what the rows are, in "the file has a header but no {noun}"
    key: Callable[[Values], Hashable | None]  # a row's identity; None: it has none
    key_column: str  # where a repeated identity is told
    error: type[UploadError] = UploadError
    aliases: Mapping[str, str] = field(default_factory=dict)  # other header names
    # More header problems, from the header's line and columns (e.g. "one of two").
    header_check: Callable[[int, dict[str, int]], list[Problem]] | None = None


# -- reading --------------------------------------------------------------------------


def too_large(limit: int) -> Problem:
    """The problem of a file over ``limit`` bytes."""
    return Problem(0, "", f"the file is larger than the limit of {limit:,} bytes")


def check_size(data: bytes, limit: int) -> None:
    """Raise :class:`UploadError` when ``data`` is larger than ``limit`` bytes."""
    if len(data) > limit:
        raise UploadError([too_large(limit)])


def read_table(name: str, data: bytes, *, max_rows: int, too_many: str) -> Table:
    """Every row of ``data``, an XLSX workbook's first sheet when ``name`` ends in .xlsx
    (any case), else UTF-8 CSV with or without a BOM. More than ``max_rows`` rows after the
    header raise :class:`UploadError` with the message ``too_many``."""
    if name.lower().endswith(".xlsx"):
        return read_xlsx(data, max_rows=max_rows, too_many=too_many)
    return read_csv(decode_utf8(data), max_rows=max_rows, too_many=too_many)


def read_rows(
    name: str,
    data: bytes,
    layout: Layout,
    check: Callable[[int, Values, list[Any], dict[str, int]], tuple[R | None, list[Problem]]],
    *,
    max_rows: int,
    too_many: str,
) -> list[R]:
    """The file read by :func:`read_table` and checked whole: its header against
    ``layout``, then each non-blank row by ``check`` (given line, values, cells and
    columns; answering the row or None, and its problems). A row whose key an earlier row
    had is a problem too, told first. Raise ``layout.error`` with every problem."""
    try:
        table = read_table(name, data, max_rows=max_rows, too_many=too_many)
        header_line, header = header_row(table)
        columns, problems = read_header(header_line, header, layout.known, layout.aliases)
        problems += missing_columns(header_line, columns, layout.required)
        if layout.header_check is not None:
            problems += layout.header_check(header_line, columns)
        if problems:
            raise UploadError(problems)
        return _check_rows(table, columns, layout, check)
    except UploadError as exc:
        raise layout.error(exc.problems, exc.total) from None


def decode_utf8(data: bytes) -> str:
    """``data`` as text without its BOM; bytes that are not UTF-8 are a problem naming
    the byte, its offset and its line."""
    bom = data.startswith(_BOM)
    try:
        return data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if bom else 0)
        line = data[:offset].count(b"\n") + 1
        byte = data[offset : offset + 1].hex()
        message = (
            f"not UTF-8 text: byte 0x{byte} at byte offset {offset}; save the file as CSV UTF-8"
        )
        raise UploadError([Problem(line, "", message)]) from None


def read_csv(text: str, *, max_rows: int, too_many: str) -> Table:
    """The rows of CSV ``text``, each with the line it starts on (a quoted cell may span
    lines). NUL characters, malformed CSV and more than ``max_rows`` rows after the header
    raise :class:`UploadError`."""
    if "\x00" in text:
        raise UploadError([Problem(0, "", "the file holds NUL characters; is it really CSV?")])
    reader = csv.reader(io.StringIO(text, newline=""))
    table: Table = []
    start = 1
    try:
        for cells in reader:
            table.append((start, cells))
            start = reader.line_num + 1
            _check_row_count(len(table) - 1, max_rows, too_many)
    except csv.Error as exc:
        raise UploadError([Problem(reader.line_num, "", f"malformed CSV ({exc})")]) from None
    return table


def read_xlsx(data: bytes, *, max_rows: int, too_many: str) -> Table:
    """The rows of the workbook's first sheet as values (dates stay dates). A formula in
    any cell, a file that is not a workbook, a damaged sheet and more than ``max_rows`` rows
    after the header raise :class:`UploadError`."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # any parser failure: the upload is not an XLSX
        raise UploadError([Problem(0, "", "not a readable XLSX workbook")]) from None
    try:
        sheet = book.worksheets[0]
        table: Table = []
        formulas: list[Problem] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            for index, value in enumerate(cells, start=1):
                if isinstance(value, str) and value.startswith("="):
                    cell = f"{get_column_letter(index)}{line}"
                    message = f"cell {cell} holds a formula ({value[:40]}); upload values only"
                    formulas.append(Problem(line, "", message))
            table.append((line, cells))
            _check_row_count(len(table) - 1, max_rows, too_many)
    except UploadError:
        raise
    except Exception:  # a damaged sheet is the upload's fault, never a 500
        raise UploadError([Problem(0, "", "the XLSX workbook is damaged")]) from None
    finally:
        book.close()
    if formulas:
        raise UploadError(formulas)
    return table


def _check_row_count(rows: int, max_rows: int, too_many: str) -> None:
    if rows > max_rows:
        raise UploadError([Problem(0, "", too_many)])


# -- header and cells -------------------------------------------------------------------


def header_row(table: Table) -> tuple[int, list[Any]]:
    """The header's line and cells; a table without a non-blank first row raises
    :class:`UploadError`."""
    if not table or not any(cell_text(v) for v in table[0][1]):
        raise UploadError([Problem(1, "", "the file is empty: it needs a header row")])
    return table[0]


def read_header(
    line: int,
    header: Sequence[Any],
    known: Sequence[str],
    aliases: Mapping[str, str] | None = None,
) -> tuple[dict[str, int], list[Problem]]:
    """Column name -> index for the header's cells, named in any letter case with spaces
    for underscores, ``aliases`` read as the names they stand for; blank cells are skipped.
    Names not in ``known`` and names given twice are problems. Which columns are required
    is the caller's (see :func:`missing_columns`)."""
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for index, raw in enumerate(header):
        name = cell_text(raw).lower().replace(" ", "_")
        name = aliases.get(name, name) if aliases else name
        if not name:
            continue
        if name not in known:
            problems.append(Problem(line, name[:60], f"unknown column (known: {', '.join(known)})"))
        elif name in columns:
            problems.append(Problem(line, name, "the column appears twice"))
        else:
            columns[name] = index
    return columns, problems


def missing_columns(
    line: int, columns: Mapping[str, int], required: Sequence[str]
) -> list[Problem]:
    """A problem for each name of ``required`` that the header lacks, in that order."""
    return [
        Problem(line, name, "missing required column") for name in required if name not in columns
    ]


def data_rows(table: Table, columns: Mapping[str, int]) -> Iterator[tuple[int, list[Any], Values]]:
    """(line, cells, column name -> text) for each row after the header, blank rows (no
    text in any known column) skipped; a missing cell is ""."""
    for line, cells in table[1:]:
        values = {
            name: cell_text(cells[i]) if i < len(cells) else "" for name, i in columns.items()
        }
        if any(values.values()):
            yield line, cells, values


def _check_rows(
    table: Table,
    columns: dict[str, int],
    layout: Layout,
    check: Callable[[int, Values, list[Any], dict[str, int]], tuple[R | None, list[Problem]]],
) -> list[R]:
    rows: list[R] = []
    problems: list[Problem] = []
    first_line: dict[Hashable, int] = {}
    for line, cells, values in data_rows(table, columns):
        row, found = check(line, values, cells, columns)
        ident = layout.key(values)
        if ident is not None and ident in first_line:
            # Duplicates are told even when either row has other problems too.
            message = f"duplicate of line {first_line[ident]}"
            found.insert(0, Problem(line, layout.key_column, message))
        elif ident is not None:
            first_line[ident] = line
        problems.extend(found)
        if row is not None and not found:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(2, "", f"the file has a header but no {layout.noun}"))
    if problems:
        raise UploadError(problems)
    return rows


def cell(cells: list[Any], columns: Mapping[str, int], name: str) -> Any:
    """The raw cell of column ``name`` in a row, None when the header or the row lacks it."""
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else None


def cell_text(value: Any) -> str:
    """A cell as stripped text; a whole number from a spreadsheet loses its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_email(value: str) -> bool:
    """Whether ``value`` is an email address as Django validates one."""
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True
