"""Exports neutralise spreadsheet formulas and keep real values typed."""

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from zgovern.core.exports import csv_bytes, safe_cell, xlsx_bytes


def test_formula_prefixes_are_neutralised():
    for text in ("=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("plain") == "plain"
    assert safe_cell(-5) == -5  # a real number stays a number
    assert safe_cell(None) == ""


def test_csv_round_trip():
    data = csv_bytes(["name", "due"], [["=cmd|' /C calc'!A0", date(2026, 1, 2)]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "due"], ["'=cmd|' /C calc'!A0", "2026-01-02"]]


def test_xlsx_cells_are_text_not_formulas():
    when = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    data = xlsx_bytes({"Plan": (["title", "at", "n"], [["=1+1", when, 3], ["ok\x07", None, 0]])})
    sheet = load_workbook(io.BytesIO(data))["Plan"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ["'=1+1", datetime(2026, 3, 4, 5, 6), 3]
    assert sheet.cell(2, 1).data_type == "s"
    assert values[2][0] == "ok"
