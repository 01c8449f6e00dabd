"""The audit's exceptions with management's responses, together, for the draft report:
as rows (CSV and XLSX through :mod:`zgovern.core.exports`, formula-like cells
neutralised) and as a PDF (reportlab; text escaped before it reaches paragraph markup)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from zgovern.core.exports import XLSX_TYPE, csv_bytes, download, xlsx_bytes
from zgovern.pbc import queries
from zgovern.pbc.models import AuditException

HEADER = ["id", "control", "control name", "description", "period from", "period to",
          "severity", "response", "management response", "responded on", "remediated on",
          "responded by", "evidence ids"]  # fmt: skip
FORMATS = ("csv", "xlsx", "pdf")
_styles = getSampleStyleSheet()
BODY = ParagraphStyle("pbc-body", parent=_styles["BodyText"], fontSize=7.5, leading=9.5)
MARGIN = 12 * mm


def row(exc: AuditException) -> list:
    return [
        exc.pk, exc.control.key, exc.control.name, exc.description, exc.period_from,
        exc.period_to, exc.get_severity_display(),
        exc.get_response_kind_display() if exc.response_kind else "no response yet",
        exc.response_text, exc.responded_on, exc.remediated_on,
        exc.responded_by.email if exc.responded_by else "",
        " ".join(str(pk) for pk in queries.evidence_ids(exc)),
    ]  # fmt: skip


def rows(org, audit) -> list[list]:
    return [row(exc) for exc in queries.exceptions(org, audit)]


def render(org, audit, fmt: str):
    """An HTTP download of the exceptions in ``fmt`` (csv, xlsx or pdf)."""
    stem = f"exceptions-audit-{audit.pk}"
    data = rows(org, audit)
    if fmt == "xlsx":
        return download(xlsx_bytes({"Exceptions": (HEADER, data)}), f"{stem}.xlsx", XLSX_TYPE)
    if fmt == "pdf":
        return download(pdf(org, audit, data), f"{stem}.pdf", "application/pdf")
    return download(csv_bytes(HEADER, data), f"{stem}.csv", "text/csv; charset=utf-8")


def _p(value) -> Paragraph:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
    return Paragraph(escape(text).replace("\n", "<br/>"), BODY)


def pdf(org, audit, data: list[list]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN, title=f"Exceptions: {audit.name}",
        author="zGovern",
    )  # fmt: skip
    title = f"Exceptions and management responses: {audit.name}"
    story = [
        Paragraph(escape(title), _styles["Title"]),
        _p(f"{org.name}. Generated {timezone.localdate().isoformat()}; {len(data)} exception(s)."),
    ]
    if data:
        head = ["Control", "Description", "From", "To", "Severity", "Response",
                "Management response", "Responded / remediated"]  # fmt: skip
        body = [
            [_p(r[1]), _p(r[3]), _p(r[4]), _p(r[5]), _p(r[6]), _p(r[7]), _p(r[8]),
             _p(f"{r[9] or ''} / {r[10] or '—'}")]
            for r in data
        ]  # fmt: skip
        widths = [w * mm for w in (30, 70, 20, 20, 16, 26, 70, 25)]
        table = Table([[_p(h) for h in head], *body], colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d9dee6")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f6")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))  # fmt: skip
        story.append(table)
    doc.build(story)
    return buffer.getvalue()
