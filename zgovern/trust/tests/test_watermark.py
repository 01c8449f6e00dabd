"""The stamp: on every page whatever its size, as searchable text; junk is refused."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape, letter
from reportlab.pdfgen import canvas

from zgovern.trust.watermark import NotAPdf, stamp_text, watermark_pdf


def _mixed_sizes() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for size in (A4, letter, landscape(A4)):
        pdf.setPageSize(size)
        pdf.drawString(72, 72, "body text")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_every_page_carries_the_stamp():
    text = stamp_text(
        "Pat", "Initech", "pat@initech.example", datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    )
    assert (
        text == "Confidential: Pat (Initech) <pat@initech.example> downloaded 2026-01-02 03:04 UTC"
    )
    reader = PdfReader(io.BytesIO(watermark_pdf(_mixed_sizes(), text)))
    assert len(reader.pages) == 3
    for page in reader.pages:
        extracted = page.extract_text()
        assert "pat@initech.example" in extracted and "body text" in extracted
    assert float(reader.pages[2].mediabox.width) > float(reader.pages[2].mediabox.height)


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 broken", b"not a pdf at all"])
def test_junk_is_refused(data):
    with pytest.raises(NotAPdf):
        watermark_pdf(data, "x")
