"""The readiness report as a PDF (reportlab): for each framework its score, projection and
burn-up chart, categories, controls by status and every gap with its reasons; then the
remediation plan. The chart reuses the geometry of :mod:`zgovern.readiness.chart`.

Text is escaped before it reaches reportlab's paragraph markup, so a control named
"<b>" prints as typed.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from zgovern.readiness.chart import BurnUp
from zgovern.readiness.overview import FrameworkView, Overview, is_overdue

INK, MUTED, LINE = (
    colors.HexColor("#1d2430"),
    colors.HexColor("#5b6676"),
    colors.HexColor("#d9dee6"),
)
ACCENT, OK, BAD = colors.HexColor("#2456c9"), colors.HexColor("#1f7a3d"), colors.HexColor("#b3261e")
MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=9, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
H1, H2, H3 = _styles["Title"], _styles["Heading2"], _styles["Heading3"]


def _p(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def render(overview: Overview) -> bytes:
    buffer = io.BytesIO()
    name = overview.organization.name
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"Readiness report: {name}", author="zGovern",
    )  # fmt: skip
    story = [
        Paragraph(escape(f"Readiness report: {name}"), H1),
        _p(f"As of {_day(overview.today)}. {overview.overdue_tasks} remediation task(s) overdue."),
    ]
    if not overview.frameworks:
        story.append(_p("No framework is adopted yet, so there is no readiness to report."))
    for index, fw in enumerate(overview.frameworks):
        if index:
            story.append(PageBreak())
        story += _framework(fw)
    story += [PageBreak(), *_plan(overview)]
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
    ]
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
        ]
    table.setStyle(TableStyle(style))
    return table


def _framework(fw: FrameworkView) -> list:
    r, p = fw.readiness, fw.projection
    date_text = {
        "projected": f"{_day(p.date)} (likely {_day(p.earliest)} to "
        f"{_day(p.latest) if p.latest else 'an open-ended later date'})",
        "ready": "ready now",
        "not_converging": "not converging",
    }.get(p.status, "insufficient data")
    summary = [
        ["Readiness", f"{r.score:.0%}"],
        ["Criteria ready / in scope", f"{r.criteria_ready} / {r.criteria_in_scope}"],
        ["Criteria without a control", ", ".join(c.ref for c in r.criteria_uncovered) or "none"],
        ["Projected audit-ready date", date_text],
    ]
    half = CONTENT_WIDTH / 2
    return [
        Paragraph(escape(f"{r.framework.name} ({r.framework.version})"), H2),
        _table([[_p(k), _p(v)] for k, v in summary], [half * 0.8, half * 1.2], header=False),
        Spacer(1, 4),
        _p(p.message),
        KeepTogether([burn_up_drawing(fw.chart, CONTENT_WIDTH), _p(fw.chart.desc, SMALL)]),
        Paragraph("Categories", H3),
        _table(
            [["Category", "Criteria ready", "In scope", "Readiness"]]
            + [
                [_p(c.category.name), c.criteria_ready, c.criteria_in_scope, f"{c.score:.0%}"]
                for c in r.categories
            ],
            [CONTENT_WIDTH * w for w in (0.5, 0.17, 0.16, 0.17)],
        ),
        Paragraph("Controls by status", H3),
        _table(
            [["Status", "Controls"]] + [[s.label, s.count] for s in fw.statuses],
            [CONTENT_WIDTH * 0.5, CONTENT_WIDTH * 0.2],
        ),
        Paragraph("Gaps, worst first", H3),
        *_gaps(fw),
    ]


def _gaps(fw: FrameworkView) -> list:
    gaps = fw.gaps
    if not gaps:
        return [_p("No gaps: every control in scope is implemented and evidenced.")]
    rows = [["#", "Control", "Severity", "Status", "Why"]]
    for gap in gaps:
        reasons = "<br/>".join(escape(reason) for reason in gap.reasons)
        rows.append([
            gap.rank, _p(gap.control.name, SMALL), gap.control.get_severity_display(),
            _p(gap.label, SMALL), Paragraph(reasons, SMALL),
        ])  # fmt: skip
    return [_table(rows, [CONTENT_WIDTH * w for w in (0.05, 0.27, 0.1, 0.16, 0.42)])]


def _plan(overview: Overview) -> list:
    story: list = [Paragraph("Remediation plan", H2)]
    if not overview.tasks:
        return [*story, _p("No remediation tasks yet.")]
    rows = [["Task", "Control", "Owner", "Priority", "Target", "Status"]]
    for task in overview.tasks:
        status = escape(task.get_status_display())
        if is_overdue(task, overview.today):
            status += '<br/><font color="#b3261e"><b>OVERDUE</b></font>'
        rows.append([
            _p(task.title, SMALL), _p(task.control.name if task.control else "", SMALL),
            _p(task.owner.email if task.owner else "unassigned", SMALL),
            task.get_priority_display(), _day(task.target_date), Paragraph(status, SMALL),
        ])  # fmt: skip
    widths = [CONTENT_WIDTH * w for w in (0.26, 0.22, 0.2, 0.09, 0.11, 0.12)]
    return [*story, _p(f"{overview.overdue_tasks} overdue."), _table(rows, widths)]


def burn_up_drawing(chart: BurnUp, width: float) -> Drawing:
    """The burn-up chart as a reportlab drawing ``width`` points wide. The geometry's y
    grows downwards (SVG); reportlab's grows upwards, hence ``flip``."""
    scale = width / chart.width
    group = Group()

    def flip(points):
        return [v for x, y in points for v in (x, chart.height - y)]

    for tick in chart.y_ticks:
        y = chart.height - tick.pos
        group.add(Line(chart.left, y, chart.right, y, strokeColor=LINE, strokeWidth=0.5))
        group.add(String(chart.y_label_x, y - 3, tick.label, fontSize=8, fillColor=MUTED,
                         textAnchor="end"))  # fmt: skip
    for tick in chart.x_ticks:
        group.add(Line(tick.pos, chart.height - chart.top, tick.pos, chart.height - chart.bottom,
                       strokeColor=LINE, strokeWidth=0.5))  # fmt: skip
        group.add(String(tick.pos, chart.height - chart.x_label_y, tick.label, fontSize=8,
                         fillColor=MUTED, textAnchor="middle"))  # fmt: skip
    if chart.band:
        band = colors.Color(ACCENT.red, ACCENT.green, ACCENT.blue, alpha=0.15)
        group.add(Polygon(flip(chart.band), fillColor=band, strokeColor=None, strokeWidth=0))
    target = chart.height - chart.target_y
    group.add(Line(chart.left, target, chart.right, target, strokeColor=OK, strokeWidth=1.2))
    if chart.trend:
        group.add(PolyLine(flip(chart.trend), strokeColor=ACCENT, strokeWidth=1.2,
                           strokeDashArray=[5, 3]))  # fmt: skip
    if len(chart.actual) > 1:
        group.add(PolyLine(flip(chart.actual), strokeColor=INK, strokeWidth=1.6))
    if chart.last:
        x, y = chart.last
        group.add(Circle(x, chart.height - y, 2.5, fillColor=INK, strokeColor=None))
    group.scale(scale, scale)
    drawing = Drawing(width, chart.height * scale)
    drawing.add(group)
    return drawing
