"""A policy body as HTML, and the difference between two versions.

Bodies are Markdown written by members; the HTML shown to every reader (the employee
portal included) is sanitised with nh3 after Markdown conversion: raw HTML other than a
small allow-list of formatting tags is removed, ``<script>``/``<style>`` disappear with
their content, event-handler and style attributes are dropped, and links keep only the
http, https and mailto schemes (a ``javascript:`` link loses its target). The result is
safe to mark safe in a template.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def to_html(body: str) -> str:
    """The sanitised HTML of a Markdown ``body``."""
    raw = markdown.markdown(body or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed" | "gap"
    old: int | None  # line number in the old text
    new: int | None
    text: str


def diff(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """The changed lines of ``new`` against ``old`` with ``context`` lines around each
    change; a "gap" line stands for unchanged lines left out. Text, not HTML: templates
    escape it."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", i + 1, j1 + i - i1 + 1, a[i]) for i in range(i1, i2)]
                continue
            if tag in ("replace", "delete"):
                lines += [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            if tag in ("replace", "insert"):
                lines += [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return lines


def unified(old: str, new: str, old_label: str, new_label: str) -> str:
    """The classic unified diff, for the API and downloads."""
    a, b = (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, fromfile=old_label, tofile=new_label))
