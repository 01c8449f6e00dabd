"""The findings list as CSV, XLSX and PDF (reportlab). Text is escaped before it reaches
reportlab's paragraph markup, and spreadsheet cells are neutralised by the shared
exporters."""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zgovern.core.exports import csv_bytes, xlsx_bytes
from zgovern.findings.models import Category, Finding, Kind
from zgovern.findings.serialize import COLUMNS, cells

MAX_PDF_ROWS = 2000  # a PDF past this is unreadable; the spreadsheet has them all

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("findings-body", parent=_styles["BodyText"], fontSize=8, leading=10)
MARGIN = 14 * mm


def as_csv(rows: Iterable[Finding]) -> bytes:
    return csv_bytes(COLUMNS, (cells(r) for r in rows))


def as_xlsx(rows: Iterable[Finding]) -> bytes:
    return xlsx_bytes({"Findings": (COLUMNS, (cells(r) for r in rows))})


def _p(text: object) -> Paragraph:
    return Paragraph(escape(str(text)), BODY)


def as_pdf(org_name: str, heading: str, rows: list[Finding]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Findings: {org_name}",
        author="zGovern",
    )
    story = [
        Paragraph(escape(f"Pre-audit findings: {org_name}"), _styles["Title"]),
        _p(heading),
        Spacer(1, 4 * mm),
    ]
    table = [[_p(h) for h in ("Category", "Severity", "Controls", "System", "Finding", "Task")]]
    for row in rows[:MAX_PDF_ROWS]:
        wording = row.wording if row.kind == Kind.EXCEPTION else f"Summary: {row.wording}"
        table.append(
            [
                _p(Category(row.category).label),
                _p(row.severity),
                _p(", ".join(row.controls)),
                _p(row.system),
                _p(wording),
                _p(f"#{row.task_id}" if row.task_id else ""),
            ]
        )
    if len(rows) > MAX_PDF_ROWS:
        story.append(_p(f"The first {MAX_PDF_ROWS} of {len(rows)} findings; export XLSX for all."))
    widths = [32 * mm, 18 * mm, 40 * mm, 25 * mm, 135 * mm, 16 * mm]
    grid = Table(table, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d9dee6")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(grid)
    doc.build(story)
    return buffer.getvalue()
