"""Reads of change records for the pages, the exports and the API: the filtered, sorted
list and one record."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from zgovern.changes.models import ChangeRecord
from zgovern.tenancy.models import Organization

# Sort keys a caller may ask for ("-" for descending) -> the columns ordered by.
SORTS = {
    "merged_at": ("merged_at", "id"),
    "repository": ("repository", "number"),
    "number": ("number", "repository"),
    "author": ("author", "merged_at"),
    "approved": ("approved", "merged_at"),
}
DEFAULT_SORT = "-merged_at"
APPROVALS = ("approved", "unapproved")


def sort_choices() -> list[str]:
    return [prefix + key for key in SORTS for prefix in ("-", "")]


def changes(
    org: Organization,
    *,
    repository: str = "",
    approval: str = "",
    author: str = "",
    merged_from: date | None = None,
    merged_to: date | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[ChangeRecord]:
    """Records of ``org``, filtered; ``merged_from``/``merged_to`` are days in UTC, both
    included; ``approval`` is "approved", "unapproved" or "" (both); ``sort`` one of
    :func:`sort_choices` (an unknown one falls back to newest first)."""
    rows = ChangeRecord.objects.filter(organization=org)
    if repository:
        rows = rows.filter(repository__iexact=repository)
    if approval in APPROVALS:
        rows = rows.filter(approved=approval == "approved")
    if author:
        rows = rows.filter(author__iexact=author)
    if merged_from:
        rows = rows.filter(merged_at__gte=_start_of(merged_from))
    if merged_to:
        rows = rows.filter(merged_at__lt=_start_of(merged_to + timedelta(days=1)))
    return rows.order_by(*_ordering(sort))


def _ordering(sort: str) -> list[str]:
    key = sort.lstrip("-")
    columns = SORTS.get(key)
    if columns is None:
        return _ordering(DEFAULT_SORT)
    prefix = "-" if sort.startswith("-") else ""
    return [prefix + column for column in columns]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def repositories(org: Organization) -> list[str]:
    rows = ChangeRecord.objects.filter(organization=org)
    return list(rows.values_list("repository", flat=True).distinct().order_by("repository"))


def change(org: Organization, change_id: int) -> ChangeRecord | None:
    return ChangeRecord.objects.filter(organization=org, pk=change_id).first()
