"""Reads of evidence shared by the pages and the API. Each takes the organisation and
filters by it explicitly, on top of the active scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

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
    """The versions before ``item`` (newest first) and after it (oldest first), at most
    ``CHAIN_LIMIT`` each, read in one query whatever the chain's length. Should the chain
    ever fork, the newest branch (by collection time, then id) is followed."""
    rows = {row.pk: row for row in _versions(org).filter(pk__in=_chain_ids(org, item))}
    older: list[EvidenceItem] = []
    pk = item.supersedes_id
    while pk is not None and pk in rows and len(older) < CHAIN_LIMIT:
        older.append(rows[pk])
        pk = rows[pk].supersedes_id
    children: dict[int, list[EvidenceItem]] = defaultdict(list)
    for row in rows.values():
        if row.supersedes_id is not None:
            children[row.supersedes_id].append(row)
    newer: list[EvidenceItem] = []
    current = item.pk
    while children[current] and len(newer) < CHAIN_LIMIT:
        newest = max(children[current], key=lambda row: (row.collected_at, row.pk))
        newer.append(newest)
        current = newest.pk
    return older, newer


def latest_version(org: Organization, item: EvidenceItem) -> EvidenceItem:
    """The newest correction of ``item`` (``item`` itself when it was never corrected)."""
    _, newer = history(org, item)
    return newer[-1] if newer else item


def _versions(org: Organization) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(organization=org).defer("record", "description")


# Recursive CTEs (SQLite and PostgreSQL alike) walk ``supersedes`` both ways inside the
# database. Depth stops at CHAIN_LIMIT so that a cycle, which no service writes, cannot loop.
_CHAIN_SQL = """
WITH RECURSIVE
  older(id, depth) AS (
    SELECT supersedes_id, 1 FROM evidence_evidenceitem WHERE id = %s AND organization_id = %s
    UNION ALL
    SELECT e.supersedes_id, older.depth + 1
    FROM evidence_evidenceitem e JOIN older ON e.id = older.id
    WHERE e.organization_id = %s AND e.supersedes_id IS NOT NULL AND older.depth < %s
  ),
  newer(id, depth) AS (
    SELECT id, 1 FROM evidence_evidenceitem WHERE supersedes_id = %s AND organization_id = %s
    UNION ALL
    SELECT e.id, newer.depth + 1
    FROM evidence_evidenceitem e JOIN newer ON e.supersedes_id = newer.id
    WHERE e.organization_id = %s AND newer.depth < %s
  )
SELECT id FROM older WHERE id IS NOT NULL UNION SELECT id FROM newer
"""


def _chain_ids(org: Organization, item: EvidenceItem) -> RawSQL:
    """The ids of ``item``'s ancestors and descendants in ``org``, as a subquery, so that
    a chain costs one query instead of one per version."""
    params = [item.pk, org.pk, org.pk, CHAIN_LIMIT, item.pk, org.pk, org.pk, CHAIN_LIMIT]
    return RawSQL(_CHAIN_SQL, params)  # noqa: S611 - constant SQL, every value a parameter


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
