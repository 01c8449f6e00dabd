"""The bundle's operating-effectiveness section: for the audit's period and in-scope
controls, each control's summary, its exceptions with dates, its timeline as segments of
one status, and its periodic windows, as CSV files under ``effectiveness/``."""

from __future__ import annotations

from zgovern.audits.builder import BundleContext
from zgovern.effectiveness import loader
from zgovern.effectiveness.timeline import SUMMARY_LABELS

SECTION = "effectiveness"


def write(ctx: BundleContext) -> None:
    lines = loader.timelines(ctx.org, ctx.controls, ctx.start, ctx.end, ctx.generated_at)
    rows = [(control, lines[control.pk]) for control in ctx.controls]
    summary = []
    for control, line in rows:
        counts = line.counts()
        share = line.population_share
        summary.append(
            [control.key, control.name, SUMMARY_LABELS[line.summary], line.reason,
             counts["pass"], counts["fail"], counts["gap"], counts["exception"],
             counts["no_data"], counts["future"], len(line.exceptions),
             len(line.population), "" if share is None else f"{share:.4f}",
             " ".join(line.unconnected)]
        )  # fmt: skip
    header = ["control", "name", "summary", "reason", "days operated", "days failing",
              "days with a monitoring gap", "days with a late or missing record",
              "days without data", "days not yet observed", "exceptions", "population",
              "population share with evidence", "checks not connected"]  # fmt: skip
    ctx.add_csv("effectiveness/control-summaries.csv", header, summary,
                "Operating effectiveness: control summaries", SECTION)  # fmt: skip
    ctx.add_csv(
        "effectiveness/exceptions.csv",
        ["control", "kind", "from", "until", "detail"],
        ([c.key, e.kind, e.first, e.last, e.detail] for c, line in rows for e in line.exceptions),
        "Operating effectiveness: exceptions",
        SECTION,
    )
    ctx.add_csv(
        "effectiveness/timelines.csv",
        ["control", "status", "from", "until"],
        ([c.key, s, a, b] for c, line in rows for s, a, b in line.segments()),
        "Operating effectiveness: timelines",
        SECTION,
    )
    ctx.add_csv(
        "effectiveness/periodic-records.csv",
        ["control", "record", "window start", "window end", "status", "first evidence on"],
        (
            [c.key, w.kind, w.first, w.last, w.status, w.evidence_on]
            for c, line in rows
            for w in line.windows
        ),
        "Operating effectiveness: periodic records",
        SECTION,
    )
