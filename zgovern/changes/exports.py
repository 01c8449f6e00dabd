"""Change records as CSV and XLSX: the population an auditor samples for CC8.1. Every
cell goes through :mod:`zgovern.core.exports`, which neutralises text a spreadsheet
would evaluate (a pull request title is written by anyone with push access)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse

from zgovern.changes.models import ChangeRecord
from zgovern.core import exports

HEADER = (
    "Repository", "Pull request", "Title", "URL", "Author", "Approvers", "Approved",
    "Flagged reason", "Merged at (UTC)", "Merged by", "Checks", "Source", "Id",
)  # fmt: skip
FORMATS = ("csv", "xlsx")
XLSX_TYPE = exports.XLSX_TYPE


def rows(records: QuerySet[ChangeRecord]) -> Iterator[list[Any]]:
    for r in records.iterator(chunk_size=1000):
        yield [
            r.repository, r.number, r.title, r.url, r.author, ", ".join(r.approvers),
            "yes" if r.approved else "no", r.flagged_reason, r.merged_at, r.merged_by,
            r.checks, r.source, r.pk,
        ]  # fmt: skip


def download(records: QuerySet[ChangeRecord], slug: str, fmt: str) -> HttpResponse:
    """The records as an attachment, ``fmt`` "csv" or "xlsx"."""
    if fmt == "xlsx":
        content = exports.xlsx_bytes({"Changes": (HEADER, rows(records))})
        return exports.download(content, f"{slug}-changes.xlsx", exports.XLSX_TYPE)
    content = exports.csv_bytes(HEADER, rows(records))
    return exports.download(content, f"{slug}-changes.csv", "text/csv; charset=utf-8")
