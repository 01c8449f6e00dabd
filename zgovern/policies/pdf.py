"""Policies as PDF (reportlab): one version, or the whole library (each policy's published
version, else its latest, with its approval record).

The Markdown is read line by line (headings, lists, tables, paragraphs); every text is
escaped before it reaches reportlab's paragraph markup, so a body holding markup or HTML
prints as text. Only ``**bold**`` and ``code`` spans are turned into formatting.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zgovern.policies.models import Policy, PolicyVersion
from zgovern.readiness.pdf import BODY, CONTENT_WIDTH, H1, H2, H3, LINE, MARGIN, SMALL

BOLD = re.compile(r"\*\*(.+?)\*\*")
CODE = re.compile(r"`([^`]+)`")
BULLET = re.compile(r"^\s*(?:[-*+]|(\d+)\.)\s+(.*)$")
RULE = re.compile(r"^\|?\s*:?-{2,}")


def _inline(text: str) -> str:
    text = escape(text)
    text = BOLD.sub(r"<b>\1</b>", text)
    return CODE.sub(r'<font face="Courier">\1</font>', text)


def body_flowables(body: str) -> list:
    story: list = []
    paragraph: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if paragraph:
            story.append(Paragraph(_inline(" ".join(paragraph)), BODY))
            paragraph.clear()
        if table:
            story.append(_table(list(table)))
            table.clear()

    for line in (body or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            if paragraph:
                flush()
            if not RULE.match(stripped):
                table.append([cell.strip() for cell in stripped.strip("|").split("|")])
            continue
        if table:
            flush()
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        bullet = BULLET.match(line)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = len(heading[1])
            story.append(Paragraph(_inline(heading[2]), (H1, H2, H3)[min(level, 3) - 1]))
        elif bullet:
            flush()
            mark = f"{bullet[1]}." if bullet[1] else "•"
            story.append(Paragraph(_inline(bullet[2]), BODY, bulletText=mark))
        else:
            paragraph.append(stripped)
    flush()
    return story


def _table(rows: list[list[str]]) -> Table:
    width = max(len(r) for r in rows)
    cells = [[Paragraph(_inline(c), SMALL) for c in r + [""] * (width - len(r))] for r in rows]
    table = Table(cells, colWidths=[CONTENT_WIDTH / width] * width, repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
    ]))  # fmt: skip
    return table


def _record(version: PolicyVersion) -> list:
    approvals = ", ".join(
        f"{a.approver_label} ({a.approved_at:%Y-%m-%d})" for a in version.approvals.all()
    )
    facts = [
        f"Version {version.number}, {version.get_status_display().lower()}",
        f"effective {version.effective_date:%Y-%m-%d}" if version.effective_date else "",
        f"approved by {approvals}" if approvals else "not approved",
        f"owner {version.policy.owner.email}" if version.policy.owner else "",
    ]
    text = "; ".join(f for f in facts if f) + "."
    summary = f"Change: {version.change_summary}" if version.change_summary else ""
    return [Paragraph(escape(text), SMALL), Paragraph(escape(summary), SMALL), Spacer(1, 6)]


def _document(title: str, story: list) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=title, author="zGovern",
    )  # fmt: skip
    doc.build(story or [Paragraph(escape(title), H1)])
    return buffer.getvalue()


def version_pdf(version: PolicyVersion) -> bytes:
    return _document(
        f"{version.policy.title} v{version.number}", _record(version) + body_flowables(version.body)
    )


def library_pdf(org_name: str, policies: list[tuple[Policy, PolicyVersion]]) -> bytes:
    """A cover listing every policy and its state, then each policy on its own pages."""
    rows = [["Policy", "Version", "Status", "Next review"]]
    for policy, version in policies:
        review = f"{policy.next_review_date:%Y-%m-%d}" if policy.next_review_date else "—"
        rows.append([policy.title, str(version.number), version.get_status_display(), review])
    story: list = [Paragraph(escape(f"Policy library: {org_name}"), H1), _table(rows)]
    if len(rows) == 1:
        story.append(Paragraph("No policy adopted yet.", BODY))
    for _policy, version in policies:
        story += [PageBreak(), *_record(version), *body_flowables(version.body)]
    story.append(Paragraph(escape(f"{len(policies)} policies."), SMALL))
    return _document(f"Policy library: {org_name}", story)
