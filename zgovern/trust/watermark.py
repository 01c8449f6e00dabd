"""Stamp every page of a PDF with who downloaded it and when.

The stamp is drawn once with reportlab on a page of the same size as each distinct page
size, then merged over each page with pypdf. The text is kept as real text (not an image),
so it can be searched, and is repeated diagonally across the page and along the bottom
edge, so cropping one copy leaves another.
"""

from __future__ import annotations

import io
from functools import lru_cache

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib.colors import Color
from reportlab.pdfgen import canvas

_GREY = Color(0.55, 0.1, 0.1, alpha=0.35)


class NotAPdf(ValueError):
    """The stored report cannot be read as a PDF."""


def stamp_text(name: str, company: str, email: str, at) -> str:
    """The watermark line: who and when (UTC)."""
    when = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"Confidential: {name} ({company}) <{email}> downloaded {when}"


def watermark_pdf(data: bytes, text: str) -> bytes:
    """``data`` (a PDF) with ``text`` stamped on every page. Raises :class:`NotAPdf`."""
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        for page in writer.pages:
            box = page.mediabox
            page.merge_page(_stamp_page(text, (float(box.width), float(box.height))))
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise NotAPdf(str(exc)) from exc
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp_page(text: str, size: tuple[float, float]):
    return PdfReader(io.BytesIO(_stamp_bytes(text, size))).pages[0]


@lru_cache(maxsize=8)
def _stamp_bytes(text: str, size: tuple[float, float]) -> bytes:
    width, height = size
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size)
    pdf.setFillColor(_GREY)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(24, 14, text)
    pdf.saveState()
    pdf.translate(width / 2, height / 2)
    pdf.rotate(35)
    pdf.setFont("Helvetica-Bold", max(8.0, min(14.0, width / max(len(text), 1) * 1.6)))
    pdf.drawCentredString(0, 0, text)
    pdf.restoreState()
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
