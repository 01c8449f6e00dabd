"""The shared reader of uploaded tables: CSV with or without a BOM, XLSX, refusals that name
the line and column, and the size and row limits."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from zgovern.core import uploads
from zgovern.core.uploads import Problem, UploadError

TOO_MANY = "too many rows: more than 2 things in one file"


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refusal(name: str, data: bytes, max_rows: int = 2) -> list[str]:
    with pytest.raises(UploadError) as caught:
        uploads.read_table(name, data, max_rows=max_rows, too_many=TOO_MANY)
    return [str(p) for p in caught.value.problems]


def test_a_bom_is_dropped_and_lines_are_the_files():
    data = b'\xef\xbb\xbfWork Email,name\n"a@x.io","multi\nline"\nb@x.io,B\n'
    table = uploads.read_table("people.csv", data, max_rows=2, too_many=TOO_MANY)
    assert table == [
        (1, ["Work Email", "name"]),
        (2, ["a@x.io", "multi\nline"]),
        (4, ["b@x.io", "B"]),
    ]
    columns, problems = uploads.read_header(*uploads.header_row(table), ("work_email", "name"))
    assert (columns, problems) == ({"work_email": 0, "name": 1}, [])


def test_a_bad_byte_after_a_bom_is_located_in_the_file():
    assert refusal("people.csv", b"\xef\xbb\xbfa\nb\n\xe9\n") == [
        "line 3: not UTF-8 text: byte 0xe9 at byte offset 7; save the file as CSV UTF-8"
    ]


def test_xlsx_cells_keep_their_types_and_whole_numbers_lose_their_point():
    data = xlsx([["email", "start"], ["a@x.io", datetime(2026, 1, 2)], [3.0, None]])
    table = uploads.read_table("PEOPLE.XLSX", data, max_rows=2, too_many=TOO_MANY)
    assert table[1] == (2, ["a@x.io", datetime(2026, 1, 2)])
    assert uploads.cell_text(uploads.cell(table[2][1], {"email": 0}, "email")) == "3"
    assert uploads.cell(table[2][1], {"start": 5}, "start") is None


def test_an_xlsx_formula_is_refused_naming_the_cell():
    assert refusal("people.xlsx", xlsx([["email"], ["=HYPERLINK(1)"]])) == [
        "line 2: cell A2 holds a formula (=HYPERLINK(1)); upload values only"
    ]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("scan.xlsx", b"%PDF-1.7 not a workbook", "file: not a readable XLSX workbook"),
        ("logo.png", b"\x89PNG\r\n\x1a\n", "line 1: not UTF-8 text: byte 0x89 at byte offset 0"),
        ("data.bin", b"email\nA\x00B\n", "file: the file holds NUL characters; is it really CSV?"),
        ("list.csv", b"email\n" + b"x" * 200_000, "line 2: malformed CSV (field larger than"),
    ],
)
def test_a_file_of_another_type_is_refused_clearly(name, data, expected):
    assert refusal(name, data)[0].startswith(expected)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("list.csv", b"email\na\nb\nc\n"),
        ("list.xlsx", xlsx([["email"], ["a"], ["b"], ["c"]])),
    ],
)
def test_more_rows_than_the_limit_are_refused(name, data):
    assert refusal(name, data) == [f"file: {TOO_MANY}"]
    assert len(uploads.read_table(name, data, max_rows=3, too_many=TOO_MANY)) == 4


def test_a_file_over_the_byte_limit_is_refused():
    uploads.check_size(b"x" * 10, 10)
    with pytest.raises(UploadError) as caught:
        uploads.check_size(b"x" * 10_001, 10_000)
    assert [str(p) for p in caught.value.problems] == [
        "file: the file is larger than the limit of 10,000 bytes"
    ]
    assert caught.value.message == "The file has 1 problem; nothing was imported."


def test_an_empty_file_needs_a_header():
    with pytest.raises(UploadError, match="1 problem") as caught:
        uploads.header_row([(1, ["", None])])
    assert str(caught.value.problems[0]) == "line 1: the file is empty: it needs a header row"


def test_header_problems_name_the_column():
    header = ["Ref", "title", "colour", "title", ""]
    columns, problems = uploads.read_header(1, header, ("reference", "title"), {"ref": "reference"})
    problems += uploads.missing_columns(1, columns, ("reference", "due"))
    assert columns == {"reference": 0, "title": 1}
    assert [str(p) for p in problems] == [
        "line 1, column colour: unknown column (known: reference, title)",
        "line 1, column title: the column appears twice",
        "line 1, column due: missing required column",
    ]


class ThingsError(UploadError):
    subject = "list of things"


LAYOUT = uploads.Layout(
    known=("key", "n"),
    required=("key",),
    noun="things",
    key=lambda values: values["key"] or None,
    key_column="key",
    error=ThingsError,
    aliases={"id": "key"},
)


def a_number(line, values, cells, columns):
    if values.get("n", "").isdigit():
        return int(values["n"]), []
    return None, [Problem(line, "n", "not a number")]


def read_things(data: bytes) -> list[int]:
    return uploads.read_rows("t.csv", data, LAYOUT, a_number, max_rows=5, too_many=TOO_MANY)


def test_rows_are_checked_whole_duplicates_first():
    assert read_things(b"ID,n\na,1\n , \nb,2\n") == [1, 2]
    with pytest.raises(ThingsError) as caught:
        read_things(b"key,n\na,1\n,x\na,x\n")
    assert caught.value.message == "The list of things has 3 problems; nothing was imported."
    assert [str(p) for p in caught.value.problems] == [
        "line 3, column n: not a number",
        "line 4, column key: duplicate of line 2",
        "line 4, column n: not a number",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"key,n\n", "line 2: the file has a header but no things"),
        (b"n,colour\n1,red\n", "line 1, column colour: unknown column (known: key, n)"),
        (b"n\n1\n", "line 1, column key: missing required column"),
        (b"key\n" + b"a\n" * 6, f"file: {TOO_MANY}"),
    ],
)
def test_a_file_that_cannot_be_read_raises_the_importers_error(data, expected):
    with pytest.raises(ThingsError) as caught:
        read_things(data)
    assert str(caught.value.problems[0]) == expected


def test_only_the_first_problems_are_listed_and_all_are_counted():
    error = UploadError([Problem(n, "", "bad") for n in range(1, uploads.MAX_LISTED_ERRORS + 6)])
    assert len(error.problems) == uploads.MAX_LISTED_ERRORS
    assert error.total == uploads.MAX_LISTED_ERRORS + 5
