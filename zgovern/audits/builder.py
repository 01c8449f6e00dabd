"""Build an audit bundle: run every section into a :class:`BundleWriter`, then the
offline index, the verifier and the signed manifest.

A section is a function ``write(ctx: BundleContext) -> None`` listed in
:data:`zgovern.audits.sections.SECTIONS`; it writes its files through ``ctx`` and never
holds more than one evidence file in memory.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from django.db.models import Q
from django.utils import timezone

from zgovern.audits import copying, signing
from zgovern.audits.models import Audit, AuditType
from zgovern.audits.writer import BundleWriter, Entry
from zgovern.controls.models import Control
from zgovern.core.exports import FORMULA_PREFIXES, safe_cell, xlsx_bytes
from zgovern.evidence.storage import evidence_storage
from zgovern.frameworks.models import Criterion

# A Type 1 report is as of one day; its evidence is what was current then: a year back.
TYPE1_LOOKBACK = timedelta(days=365)
Progress = Callable[[str, int, int], None]
CSV_BATCH = 2000
FORMULA_START = frozenset(FORMULA_PREFIXES)
# A field of csv.writer's text that starts like a formula (perhaps quoted): the first one,
# or one after a delimiter or a line break (two patterns: an alternation with ``\A`` is
# several times slower to search).
_FORMULA_FIRST = re.compile(r'"?[=+\-@\t]|"\r')
_FORMULA_NEXT = re.compile(r'[,\n](?:"?[=+\-@\t]|"\r)')
_TEXT_KINDS = frozenset((str, type(None)))
_FIRST = itemgetter(0)


def csv_text(rows: list[Sequence[Any]]) -> str:
    """``rows`` as CSV text, each cell as :func:`_cell` makes it. csv.writer's own text is
    the same unless a cell is a datetime (str() puts a space where isoformat() puts "T")
    or starts like a formula. Most batches have neither, and handing them to csv.writer
    whole is several times faster than converting every cell in Python."""
    values = list(chain.from_iterable(rows))
    kinds = set(map(type, values))
    if kinds <= _TEXT_KINDS:
        # Only text: the first characters tell, without searching the written text.
        if set(map(_FIRST, filter(None, values))).isdisjoint(FORMULA_START):
            return _written(rows)
    elif not any(issubclass(kind, datetime) for kind in kinds):
        text = _written(rows)
        if not (_FORMULA_FIRST.match(text) or _FORMULA_NEXT.search(text)):
            return text
    return _written([_cell(value) for value in row] for row in rows)


def _written(rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """``safe_cell`` for CSV, with the common cases first: this runs once per cell of
    tables with hundreds of thousands of rows."""
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in FORMULA_START else value
    if kind is datetime or kind is date:
        return value.isoformat()
    if value is None:
        return ""
    return safe_cell(value)


@dataclass
class BundleContext:
    """What every section needs: the audit, its period (inclusive dates), the controls in
    scope, and the writer."""

    org: Any
    audit: Audit
    start: date
    end: date
    writer: BundleWriter
    generated_at: datetime
    controls: list[Control] = field(default_factory=list)
    report: Progress = lambda stage, done, total: None
    done: int = 0
    total: int = 0
    cache: dict[str, Any] = field(default_factory=dict)  # what several sections share
    # Work a section started in the background: each pending callable finishes it once
    # every section has run; each cleanup stops it if the build gives up first.
    pending: list[Callable[[], None]] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    _last_report: float = 0.0

    def add_bytes(self, path: str, data: bytes, title: str, section: str) -> Entry:
        return self.writer.add_bytes(path, data, title=title, section=section)

    def add_stream(
        self, path: str, source: IO[bytes], size: int | None, title: str, section: str
    ) -> Entry:
        return self.writer.add_stream(path, source, size=size, title=title, section=section)

    def add_csv(
        self,
        path: str,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        title: str,
        section: str,
    ) -> Entry:
        """A CSV streamed in batches of rows (UTF-8 with BOM, formula-like cells
        neutralised, datetimes in ISO 8601)."""
        with self.writer.entry(path, title=title, section=section) as stream:
            stream.write(("\ufeff" + csv_text([[safe_cell(h) for h in header]])).encode())
            iterator = iter(rows)
            while batch := list(islice(iterator, CSV_BATCH)):
                stream.write(csv_text(batch).encode())
        return self.writer.entries[-1]

    def add_table(
        self,
        path_stem: str,
        header: Sequence[str],
        rows: list[Sequence[Any]],
        title: str,
        section: str,
    ) -> None:
        """The same table as CSV and XLSX (for tables small enough to hold in memory)."""
        self.add_csv(f"{path_stem}.csv", header, rows, f"{title} (CSV)", section)
        workbook = xlsx_bytes({title[:31]: (header, rows)})
        self.add_bytes(f"{path_stem}.xlsx", workbook, f"{title} (XLSX)", section)

    def step(self, stage: str, amount: int = 1) -> None:
        """Count ``amount`` units of work; reports at most twice a second."""
        self.done += amount
        now = time.monotonic()
        if now - self._last_report >= 0.5:
            self._last_report = now
            self.report(stage, self.done, max(self.total, self.done))

    def bounds(self) -> tuple[datetime, datetime]:
        """The evidence window as [start, end) instants in the site's time zone."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.start, datetime.min.time(), zone)
        return start, datetime.combine(self.end + timedelta(days=1), datetime.min.time(), zone)

    def in_period(self, moment: datetime | date | None) -> bool:
        if moment is None:
            return False
        day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
        return self.start <= day <= self.end


def period_of(audit: Audit) -> tuple[date, date]:
    """The audit's evidence window (inclusive); a Type 1 looks back a year from its date."""
    if audit.audit_type == AuditType.TYPE1:
        return audit.period_end - TYPE1_LOOKBACK + timedelta(days=1), audit.period_end
    return audit.period_start, audit.period_end


def controls_in_scope(org, audit: Audit) -> list[Control]:
    """Controls mapped to an in-scope, assessable criterion of the audit's framework (the
    audit's categories when it names them, else the organisation's scoping), with their
    owners and all their criteria loaded."""
    criteria = Criterion.objects.filter(
        organization=org, framework=audit.framework, assessable=True, not_applicable=False
    )
    if audit.category_keys:
        criteria = criteria.filter(category__key__in=audit.category_keys)
    else:
        criteria = criteria.filter(Q(category__in_scope=True) | Q(category__always_in_scope=True))
    return list(
        Control.objects.filter(organization=org, criteria__in=criteria)
        .select_related("owner")
        .prefetch_related("criteria")
        .distinct()
        .order_by("key")
    )


def build(
    org,
    audit: Audit,
    target: IO[bytes],
    *,
    report: Progress | None = None,
    sections: tuple[tuple[str, str, str], ...] | None = None,
) -> tuple[bytes, list[Entry], str]:
    """Write the whole bundle of ``audit`` into ``target``; returns the manifest's bytes,
    the entries and the signing key's fingerprint."""
    from zgovern.audits.sections import SECTIONS

    start, end = period_of(audit)
    now = timezone.now()
    key = signing.active_key(org)
    staged = copying.available(target, evidence_storage())
    with BundleWriter(target, now, staged=staged) as writer:
        ctx = BundleContext(org, audit, start, end, writer, now, controls_in_scope(org, audit))
        ctx.report = report or ctx.report
        chosen = SECTIONS if sections is None else sections
        ctx.total = len(chosen) + 2
        try:
            _run_sections(ctx, chosen)
            _finish_index(ctx, key, chosen)
            raw = writer.finish(_meta(ctx, key), lambda message: signing.sign(key, message))
        finally:
            for cleanup in ctx.cleanups:
                cleanup()
        entries = list(writer.entries)
    ctx.report("done", ctx.total, ctx.total)
    return raw, entries, key.fingerprint


def _run_sections(ctx: BundleContext, chosen: tuple[tuple[str, str, str], ...]) -> None:
    for _key, title, dotted in chosen:
        module, _, function = dotted.partition(":")
        getattr(import_module(module), function)(ctx)
        ctx.step(title)
    while ctx.pending:
        ctx.pending.pop(0)()


def _finish_index(ctx: BundleContext, key, chosen) -> None:
    from zgovern.audits import index

    verifier = Path(__file__).with_name("verify.py").read_bytes()
    ctx.add_bytes("verify.py", verifier, "Offline verifier (python3 verify.py bundle.zip)", "")
    html = index.render(ctx, key, [(k, title) for k, title, _ in chosen])
    ctx.add_bytes("index.html", html.encode(), "Start here", "")
    ctx.step("index")


def _meta(ctx: BundleContext, key) -> dict[str, Any]:
    audit = ctx.audit
    return {
        "generated_at": ctx.generated_at.isoformat(),
        "organization": {"name": ctx.org.name, "slug": ctx.org.slug},
        "audit": {
            "id": audit.pk,
            "name": audit.name,
            "type": audit.audit_type,
            "framework": audit.framework.key,
            "period_start": audit.period_start.isoformat() if audit.period_start else None,
            "period_end": audit.period_end.isoformat() if audit.period_end else None,
        },
        "evidence_window": {"start": ctx.start.isoformat(), "end": ctx.end.isoformat()},
        "signing_key": {
            "algorithm": "Ed25519",
            "public_key": key.public_key,
            "fingerprint": key.fingerprint,
        },
    }
