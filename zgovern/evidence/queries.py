"""Reads of evidence shared by the pages and the API. Each takes the organisation and
filters by it explicitly, on top of the active scope."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from zgovern.evidence.models import EvidenceItem
from zgovern.tenancy.models import Organization

CHAIN_LIMIT = 100  # corrections of one item; far beyond any real chain


def items(
    org: Organization,
    *,
    kind: str = "",
    source: str = "",
    collected_from: date | None = None,
    collected_to: date | None = None,
) -> QuerySet[EvidenceItem]:
    """Items newest first, in the order of the ``evidence_recent`` and ``evidence_kind``
    indexes. Collection dates are whole UTC days, both ends included. Records' bodies are
    left out: lists do not show them and one can be large. Pass the page through
    :func:`with_corrections` to learn which items were corrected."""
    rows = EvidenceItem.objects.filter(organization=org)
    if kind:
        rows = rows.filter(kind=kind)
    if source:
        rows = rows.filter(source=source)
    if collected_from is not None:
        rows = rows.filter(collected_at__gte=_day_start(collected_from))
    if collected_to is not None and collected_to < date.max:
        rows = rows.filter(collected_at__lt=_day_start(collected_to + timedelta(days=1)))
    return (
        rows.select_related("created_by")
        .defer("record", "description")
        .order_by("-collected_at", "-id")
    )


def with_corrections(org: Organization, page: Iterable[EvidenceItem]) -> list[EvidenceItem]:
    """The items of ``page`` with ``corrected_by_id`` set (the item superseding each, or
    None), in one indexed query for the whole page. (A correlated subquery per row would
    be evaluated for every row an OFFSET skips, too.)"""
    rows = list(page)
    newer = dict(
        EvidenceItem.objects.filter(organization=org, supersedes__in=[r.pk for r in rows])
        .order_by()
        .values_list("supersedes_id", "pk")
    )
    for row in rows:
        row.corrected_by_id = newer.get(row.pk)
    return rows


def item(org: Organization, evidence_id: int) -> EvidenceItem | None:
    """One item with ``corrected_by_id`` set, or None."""
    row = (
        EvidenceItem.objects.filter(organization=org, pk=evidence_id)
        .select_related("created_by")
        .first()
    )
    return with_corrections(org, [row])[0] if row is not None else None


def kinds(org: Organization) -> list[str]:
    """The kinds in use, for suggestions (read from the ``evidence_kind`` index)."""
    rows = EvidenceItem.objects.filter(organization=org).order_by("kind")
    return list(rows.values_list("kind", flat=True).distinct()[:500])


def history(org: Organization, item: EvidenceItem) -> tuple[list[EvidenceItem], list[EvidenceItem]]:
    """The versions before ``item`` (newest first) and after it (oldest first)."""
    older: list[EvidenceItem] = []
    pk = item.supersedes_id
    while pk is not None and len(older) < CHAIN_LIMIT:
        row = _versions(org).filter(pk=pk).first()
        if row is None:
            break
        older.append(row)
        pk = row.supersedes_id
    newer: list[EvidenceItem] = []
    current = item
    while len(newer) < CHAIN_LIMIT:
        row = _versions(org).filter(supersedes=current).first()
        if row is None:
            break
        newer.append(row)
        current = row
    return older, newer


def latest_version(org: Organization, item: EvidenceItem) -> EvidenceItem:
    """The newest correction of ``item`` (``item`` itself when it was never corrected)."""
    _, newer = history(org, item)
    return newer[-1] if newer else item


def _versions(org: Organization) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(organization=org).defer("record", "description")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
