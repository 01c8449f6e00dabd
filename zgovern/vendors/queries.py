"""Reads of the vendor module for the pages, the API and the exports: the filtered and
sorted inventory, one vendor, and the flags that feed readiness.

Flags (``today`` is the organisation's local date):

- ``no_assessment``: a critical vendor never assessed (no completed assessment);
- ``assessment_stale``: a critical vendor whose last assessment is more than 365 days old
  (364 days is current, 366 is stale; counted in days so leap years change nothing);
- ``soc2_expired``: the vendor's latest SOC 2 report has expired;
- ``review_overdue``: any vendor whose next review date has passed.

Every flag is a condition on the vendor row itself (see the denormalised fields in
:mod:`zgovern.vendors.models`), so filtering 10,000 vendors by flag is one query.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from zgovern.tenancy.models import Organization
from zgovern.vendors.models import Assessment, Vendor, VendorCriticality

STALE_AFTER_DAYS = 365
FLAGS = {
    "no_assessment": "Critical vendor never assessed",
    "assessment_stale": "Critical vendor's last assessment is over a year old",
    "soc2_expired": "SOC 2 report expired",
    "review_overdue": "Next review is overdue",
}
SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "criticality": ("-criticality_rank", "name", "id"),
    "-criticality": ("criticality_rank", "name", "id"),
    "next_review_due": ("next_review_due", "name", "id"),
    "-next_review_due": ("-next_review_due", "name", "id"),
    "contract_end": ("contract_end", "name", "id"),
    "-contract_end": ("-contract_end", "name", "id"),
    "last_assessed_at": ("last_assessed_at", "name", "id"),
    "-last_assessed_at": ("-last_assessed_at", "name", "id"),
}
_RANK = {
    VendorCriticality.LOW: 1,
    VendorCriticality.MEDIUM: 2,
    VendorCriticality.HIGH: 3,
    VendorCriticality.CRITICAL: 4,
}


def stale_before(today: date) -> datetime:
    """An assessment before this moment is stale (more than 365 days before ``today``)."""
    cutoff = today - timedelta(days=STALE_AFTER_DAYS)
    return timezone.make_aware(datetime.combine(cutoff, time.min))


def flag_conditions(today: date) -> dict[str, Q]:
    critical = Q(criticality=VendorCriticality.CRITICAL)
    return {
        "no_assessment": critical & Q(last_assessed_at__isnull=True),
        "assessment_stale": critical & Q(last_assessed_at__lt=stale_before(today)),
        "soc2_expired": Q(soc2_expires_on__lt=today),
        "review_overdue": Q(next_review_due__lt=today),
    }


def flags_of(vendor: Vendor, today: date | None = None) -> list[str]:
    """The flags of one vendor, in :data:`FLAGS` order."""
    today = today or timezone.localdate()
    found = []
    critical = vendor.criticality == VendorCriticality.CRITICAL
    if critical and vendor.last_assessed_at is None:
        found.append("no_assessment")
    if critical and vendor.last_assessed_at and vendor.last_assessed_at < stale_before(today):
        found.append("assessment_stale")
    if vendor.soc2_expires_on and vendor.soc2_expires_on < today:
        found.append("soc2_expired")
    if vendor.next_review_due and vendor.next_review_due < today:
        found.append("review_overdue")
    return found


def vendors(
    org: Organization,
    *,
    q: str = "",
    criticality: str = "",
    data_category: str = "",
    subprocessor: str = "",
    flag: str = "",
    sort: str = "name",
    today: date | None = None,
) -> QuerySet[Vendor]:
    """The inventory, filtered and sorted (``sort`` a key of :data:`SORTS`). ``flag`` is a
    key of :data:`FLAGS` or ``any``."""
    today = today or timezone.localdate()
    rows = Vendor.objects.filter(organization=org).select_related("owner")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(service__icontains=q))
    if criticality:
        rows = rows.filter(criticality=criticality)
    if data_category:
        rows = rows.filter(data_categories__contains=f",{data_category},")
    if subprocessor in ("yes", "no"):
        rows = rows.filter(is_subprocessor=subprocessor == "yes")
    conditions = flag_conditions(today)
    if flag == "any":
        rows = rows.filter(_any(conditions.values()))
    elif flag:
        rows = rows.filter(conditions[flag])
    if sort.lstrip("-") == "criticality":
        rows = rows.annotate(criticality_rank=_rank())
    return rows.order_by(*SORTS.get(sort, SORTS["name"]))


def _any(conditions) -> Q:
    combined = Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined


def _rank() -> Case:
    whens = [When(criticality=level, then=Value(rank)) for level, rank in _RANK.items()]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def flag_counts(org: Organization, today: date | None = None) -> dict[str, int]:
    """How many vendors carry each flag (one query per flag, each on indexed columns)."""
    rows = Vendor.objects.filter(organization=org)
    return {
        key: rows.filter(q).count()
        for key, q in flag_conditions(today or timezone.localdate()).items()
    }


def flagged(org: Organization, today: date | None = None) -> list[tuple[Vendor, list[str]]]:
    """Every flagged vendor with its flags, by name."""
    today = today or timezone.localdate()
    rows = vendors(org, flag="any", today=today)
    return [(vendor, flags_of(vendor, today)) for vendor in rows]


def vendor(org: Organization, vendor_id: int) -> Vendor | None:
    return Vendor.objects.filter(organization=org, pk=vendor_id).select_related("owner").first()


def assessment(org: Organization, assessment_id: int) -> Assessment | None:
    return (
        Assessment.objects.filter(organization=org, pk=assessment_id)
        .select_related("vendor", "reviewed_by", "evidence")
        .first()
    )


def public_subprocessors(org: Organization) -> list[dict[str, str]]:
    """The subprocessors as a Trust Center lists them: name and public description only
    (never the internal service notes, contacts or flags)."""
    rows = Vendor.objects.filter(organization=org, is_subprocessor=True).order_by("name", "id")
    return [
        {"name": name, "description": description}
        for name, description in rows.values_list("name", "public_description")
    ]
