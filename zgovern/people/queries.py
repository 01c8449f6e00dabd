"""Reads of the roster for the pages and the API: the filtered list and one person."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from zgovern.people.models import Person, PersonStatus
from zgovern.tenancy.models import Organization


def people(
    org: Organization,
    *,
    q: str = "",
    status: str = "",
    employment_type: str = "",
    department: str = "",
) -> QuerySet[Person]:
    """The roster by name, filtered. ``status`` is the current one: a passed end date
    counts as terminated whatever is stored."""
    rows = Person.objects.filter(organization=org).select_related("manager")
    if q:
        rows = rows.filter(
            Q(full_name__icontains=q) | Q(work_email__icontains=q) | Q(external_id=q)
        )
    if status:
        rows = rows.filter(status_filter(status))
    if employment_type:
        rows = rows.filter(employment_type=employment_type)
    if department:
        rows = rows.filter(department__iexact=department)
    return rows.order_by("full_name", "id")


def status_filter(status: str) -> Q:
    ended = Q(end_date__lt=timezone.localdate())
    if status == PersonStatus.TERMINATED:
        return Q(status=PersonStatus.TERMINATED) | ended
    return Q(status=status) & ~ended


def departments(org: Organization) -> list[str]:
    rows = Person.objects.filter(organization=org).exclude(department="")
    return list(rows.values_list("department", flat=True).distinct().order_by("department"))


def person(org: Organization, person_id: int) -> Person | None:
    return Person.objects.filter(organization=org, pk=person_id).select_related("manager").first()
