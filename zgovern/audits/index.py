"""The bundle's ``index.html``: a self-contained page (no script, no outside resource) that
lets an auditor find every file of the bundle offline.

Built with plain string joins rather than the template engine: a bundle lists thousands of
files, and every value passes through :func:`html.escape`.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from urllib.parse import quote

from zgovern.audits.builder import BundleContext

STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#1d2330}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}"
    "th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #dde1e8;"
    "vertical-align:top}code{font-size:.85em;word-break:break-all}nav a{margin-right:1rem}"
    ".meta td:first-child{color:#596174;width:14rem}"
)


def render(ctx: BundleContext, key, sections: list[tuple[str, str]]) -> str:
    audit = ctx.audit
    grouped = defaultdict(list)
    for entry in ctx.writer.entries:
        grouped[entry.section].append(entry)
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(audit.name)} — audit bundle of {escape(ctx.org.name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(audit.name)}</h1>",
        f"<p>{escape(ctx.org.name)} · {escape(audit.get_audit_type_display())} · "
        f"{escape(audit.framework.name)}</p>",
        _meta(ctx, key),
        _how_to_verify(key),
        "<nav>",
        *(f'<a href="#{escape(k)}">{escape(title)}</a>' for k, title in sections),
        "</nav>",
    ]
    for section_key, title in sections:
        parts.append(f'<h2 id="{escape(section_key)}">{escape(title)}</h2>')
        parts.append(_table(grouped.get(section_key, [])))
    parts.append("</body></html>\n")
    return "".join(parts)


def _meta(ctx: BundleContext, key) -> str:
    audit = ctx.audit
    firm = audit.firm or "—"
    if audit.lead_auditor:
        firm += f" ({audit.lead_auditor})"
    rows = (
        ("Evidence window", f"{ctx.start.isoformat()} to {ctx.end.isoformat()}"),
        ("Controls in scope", str(len(ctx.controls))),
        ("Generated", ctx.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Audit firm", firm),
        ("Signing key fingerprint", key.fingerprint),
    )
    cells = "".join(f"<tr><td>{escape(a)}</td><td>{escape(b)}</td></tr>" for a, b in rows)
    return f'<table class="meta">{cells}</table>'


def _how_to_verify(key) -> str:
    return (
        "<h2>Checking this bundle</h2><p><code>manifest.json</code> lists every file with its "
        "size and SHA-256 and is signed (<code>manifest.sig</code>, Ed25519) with the key "
        "above. Run <code>python3 verify.py THIS_BUNDLE.zip --fingerprint "
        f"{escape(key.fingerprint)}</code> with the unpacked <code>verify.py</code> (Python "
        "standard library only): it names any file that differs, is missing or was added. "
        "Compare the fingerprint with the one in the organisation's settings.</p>"
    )


def _table(entries) -> str:
    if not entries:
        return "<p>Nothing in this section for the period.</p>"
    rows = [
        f'<tr><td><a href="{quote(e.path)}">{escape(e.title or e.path)}</a><br>'
        f"<small>{escape(e.path)}</small></td><td>{e.size:,} bytes</td>"
        f"<td><code>{e.sha256}</code></td></tr>"
        for e in entries
    ]
    return "<table><tr><th>File</th><th>Size</th><th>SHA-256</th></tr>" + "".join(rows) + "</table>"
