"""The inventory as rows: for the CSV and XLSX downloads and the evidence snapshot (the
same CSV, stored as an evidence file).

Rows are read with ``values_list`` in chunks (no model instances), so exporting 10,000
vendors stays a single streamed query. Cells are neutralised by ``zgovern.core.exports``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from zgovern.core import exports
from zgovern.vendors import queries
from zgovern.vendors.models import Vendor, VendorCriticality, VendorDataCategory

HEADER = (
    "id", "name", "service", "owner", "criticality", "data accessed", "contract start",
    "contract end", "contact name", "contact email", "subprocessor", "public description",
    "last assessed", "next review due", "SOC 2 expires", "flags",
)  # fmt: skip
_COLUMNS = (
    "pk", "name", "service", "owner__email", "criticality", "data_categories", "contract_start",
    "contract_end", "contact_name", "contact_email", "is_subprocessor", "public_description",
    "last_assessed_at", "next_review_due", "soc2_expires_on",
)  # fmt: skip


def rows(vendors: QuerySet[Vendor], today: date | None = None) -> Iterator[list]:
    today = today or timezone.localdate()
    stale = queries.stale_before(today)
    labels = dict(VendorDataCategory.choices)
    for values in vendors.values_list(*_COLUMNS).iterator(chunk_size=2000):
        row = list(values)
        row[5] = "; ".join(labels.get(k, k) for k in row[5].split(",") if k)
        row[12] = row[12].date() if row[12] else None
        row.append(", ".join(_flags(values, today, stale)))
        yield row


def _flags(values: tuple, today: date, stale) -> list[str]:
    criticality, assessed, due, soc2 = values[4], values[12], values[13], values[14]
    found = []
    if criticality == VendorCriticality.CRITICAL and assessed is None:
        found.append("no_assessment")
    if criticality == VendorCriticality.CRITICAL and assessed is not None and assessed < stale:
        found.append("assessment_stale")
    if soc2 is not None and soc2 < today:
        found.append("soc2_expired")
    if due is not None and due < today:
        found.append("review_overdue")
    return found


def csv_download(vendors: QuerySet[Vendor], slug: str):
    content = exports.csv_bytes(HEADER, rows(vendors))
    return exports.download(content, f"{slug}-vendors.csv", "text/csv; charset=utf-8")


def xlsx_download(vendors: QuerySet[Vendor], slug: str):
    content = exports.xlsx_bytes({"Vendors": (HEADER, rows(vendors))})
    return exports.download(content, f"{slug}-vendors.xlsx", exports.XLSX_TYPE)
