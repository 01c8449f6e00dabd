"""The bundle's ``index.html``: a self-contained page (no script, no outside resource) that
lets an auditor find every file of the bundle offline."""

from __future__ import annotations

from collections import defaultdict

from django.template.loader import render_to_string

from zgovern.audits.builder import BundleContext


def render(ctx: BundleContext, key, sections: list[tuple[str, str]]) -> str:
    grouped = defaultdict(list)
    for entry in ctx.writer.entries:
        grouped[entry.section].append(entry)
    listed = [
        {"key": section, "title": title, "entries": grouped.get(section, [])}
        for section, title in sections
    ]
    return render_to_string(
        "audits/bundle_index.html",
        {
            "org": ctx.org,
            "audit": ctx.audit,
            "start": ctx.start,
            "end": ctx.end,
            "generated_at": ctx.generated_at,
            "key": key,
            "sections": listed,
            "controls": len(ctx.controls),
        },
    )
