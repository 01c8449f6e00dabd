"""The bundle's evidence section: each current evidence item linked to an in-scope control
and collected in the period (the file itself, a record's JSON, or a link's address), and
an index relating every item to its controls, its stored SHA-256 and its file here.

Files on a local file system are copied by :mod:`zgovern.audits.copying` on a second core
while the other sections run; the index is written when the copy is done. Anything else is
streamed here, one file at a time.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

from django.core.files.storage import FileSystemStorage

from zgovern.audits import copying
from zgovern.audits.builder import BundleContext
from zgovern.audits.sections import period_links
from zgovern.audits.writer import Entry
from zgovern.evidence.models import EvidenceItem
from zgovern.evidence.storage import InvalidDigest, blob_key, evidence_storage

SECTION = "evidence"
BATCH = 500
HEADER = ["id", "kind", "title", "source", "collected at", "stored sha256", "intact",
          "controls", "file in bundle"]  # fmt: skip
INTACT, PATH = 6, 8  # columns of HEADER
FIELDS = ("pk", "kind", "title", "source", "collected_at", "sha256", "file_name", "file_size",
          "link_url")  # fmt: skip


class _Item(NamedTuple):
    pk: int
    kind: str
    title: str
    source: str
    collected_at: datetime
    sha256: str
    file_name: str
    file_size: int | None
    link_url: str
    record: Any


def write(ctx: BundleContext) -> None:
    controls: dict[int, list[str]] = defaultdict(list)
    for link in period_links(ctx):
        controls[link.evidence_id].append(link.control_key)
    ctx.total += len(controls)
    paths: dict[int, str] = ctx.cache.setdefault("evidence_paths", {})
    rows: list[list[Any]] = []
    jobs: list[tuple[str, str, int | None]] = []
    titles: dict[str, tuple[str, str]] = {}  # path of a copied file: its title, stored digest
    for item in _items(ctx, sorted(controls)):
        row = [item.pk, item.kind, item.title, item.source, item.collected_at, item.sha256,
               "", " ".join(sorted(controls[item.pk])), ""]  # fmt: skip
        source = _local_source(ctx, item) if ctx.writer.staged else None
        if source is None:
            entry = _write_item(ctx, item)
            row[INTACT], row[PATH] = _intact(item.source, entry.sha256, item.sha256), entry.path
            ctx.step(SECTION)
        else:
            row[PATH] = ctx.writer.unique(f"evidence/{item.pk}-{item.file_name}")
            jobs.append((row[PATH], source, item.file_size))
            titles[row[PATH]] = (_title(item), item.sha256)
        paths[item.pk] = row[PATH]
        rows.append(row)
    if not jobs:
        _write_index(ctx, rows)
        return
    target, offset = ctx.writer.lend()
    process = copying.CopyProcess(target, offset, ctx.writer.stamp, jobs)
    ctx.cleanups.append(process.stop)
    ctx.pending.append(lambda: _settle(ctx, process, rows, titles))


def _settle(ctx: BundleContext, process: copying.CopyProcess, rows, titles) -> None:
    """Once every other section has run: take the copied files into the bundle, then
    write the index with what the copy found."""
    copied = {row.path: row for row in process.results()}
    unreadable = [row for row in copied.values() if row.size is None]
    if unreadable:
        # It existed a moment ago: blobs are never changed, so something removed it.
        raise copying.CopyFailed(f"{unreadable[0].path} could not be read while the bundle "
                                 f"was built ({unreadable[0].error}); build it again")  # fmt: skip
    ctx.writer.settle(
        [Entry(c.path, c.size or 0, c.sha256, titles[c.path][0], SECTION) for c in copied.values()]
    )
    for row in rows:
        if row[PATH] in titles:
            row[INTACT] = _intact("file", copied[row[PATH]].sha256, titles[row[PATH]][1])
    ctx.step(SECTION, len(copied))
    _write_index(ctx, rows)


def _write_index(ctx: BundleContext, rows: list[list[Any]]) -> None:
    ctx.add_csv("evidence/evidence-index.csv", HEADER, rows, "Evidence index", SECTION)


def _items(ctx: BundleContext, ids: list[int]) -> Iterator[Any]:
    """The items as named rows of :data:`FIELDS`, by id, plus ``record`` (the JSON of a
    record item, else None): read in batches, and only for the records that need it."""
    for start in range(0, len(ids), BATCH):
        batch = EvidenceItem.objects.filter(organization=ctx.org, pk__in=ids[start : start + BATCH])
        rows = list(batch.order_by("pk").values_list(*FIELDS, named=True))
        wanted = [row.pk for row in rows if row.source != "link" and not row.file_name]
        records = dict(batch.filter(pk__in=wanted).values_list("pk", "record")) if wanted else {}
        for row in rows:
            yield _Item(*row, record=records.get(row.pk))


def _intact(source: str, written: str, stored: str) -> str:
    return "yes" if source == "link" or written == stored else "NO"


def _title(item: _Item) -> str:
    return f"Evidence {item.pk}: {item.title}"


def _local_source(ctx: BundleContext, item: _Item) -> str | None:
    """The path of ``item``'s stored file if another process can copy it from there."""
    storage = _storage(ctx)
    if item.source == "link" or not item.file_name or not isinstance(storage, FileSystemStorage):
        return None
    try:
        path = storage.path(blob_key(ctx.org, item.sha256))
    except InvalidDigest:
        return None
    return path if os.path.isfile(path) else None


def _write_item(ctx: BundleContext, item: _Item) -> Entry:
    stem = f"evidence/{item.pk}-{item.title[:60]}"
    title = _title(item)
    if item.source == "link":
        return ctx.add_bytes(f"{stem}.url.txt", f"{item.link_url}\n".encode(), title, SECTION)
    if item.file_name:
        try:
            handle = _storage(ctx).open(blob_key(ctx.org, item.sha256), "rb")
        except (FileNotFoundError, InvalidDigest):
            note = f"The stored file {item.sha256} of evidence {item.pk} is missing.\n"
            return ctx.add_bytes(f"{stem}.MISSING.txt", note.encode(), title, SECTION)
        with handle:
            name = f"evidence/{item.pk}-{item.file_name}"
            return ctx.add_stream(name, handle, item.file_size, title, SECTION)
    data = json.dumps(item.record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return ctx.add_bytes(f"{stem}.json", data.encode(), title, SECTION)


def _storage(ctx: BundleContext):
    if "storage" not in ctx.cache:
        ctx.cache["storage"] = evidence_storage()
    return ctx.cache["storage"]
