"""4. Vendors: a critical vendor without a completed assessment, with one older than the
reassessment window (12 months by default), or with an expired SOC 2 report, as of the
period's end. An assessment exactly 12 months old is still in time."""

from __future__ import annotations

from django.utils import timezone

from zgovern.findings.scan.base import Exceptions, Item, Period, Windows, add_months, plural, ref
from zgovern.vendors.models import Vendor, VendorCriticality

CATEGORY = "vendors"
CONTROLS = ("vendor-assessments",)
CRITERIA = ("soc2:CC9.2",)
SEVERITY = "high"


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    vendors = list(
        Vendor.objects.filter(organization=org, criticality=VendorCriticality.CRITICAL)
        .only("id", "name", "last_assessed_at", "soc2_expires_on")
        .order_by("name", "id")
    )
    items: list[Item] = []
    for vendor in vendors:
        items += _vendor(vendor, period, windows)
    flagged = len({i.subject_id for i in items})
    summary = (
        f"{flagged} of {plural(len(vendors), 'critical vendor')} had no current assessment "
        f"(within {windows.vendor_reassessment_months} months) or SOC 2 report as of "
        f"{period.as_of}"
    )
    return Exceptions(items, population=len(vendors), summary=summary)


def _vendor(vendor: Vendor, period: Period, windows: Windows) -> list[Item]:
    as_of, found = period.as_of, []
    base = {
        "severity": SEVERITY,
        "system": "vendors",
        "subject_type": "vendor",
        "subject_id": str(vendor.pk),
        "subject_label": vendor.name,
        "evidence": [ref("vendor", vendor.pk, vendor.name)],
    }
    if vendor.last_assessed_at is None:
        found.append(
            Item(
                key=f"vendors:unassessed:{vendor.pk}",
                wording=f"Critical vendor {vendor.name} has no completed "
                f"security assessment on record",
                **base,
            )
        )
    else:
        assessed = timezone.localdate(vendor.last_assessed_at)
        due = add_months(assessed, windows.vendor_reassessment_months)
        if due < as_of:
            found.append(
                Item(
                    key=f"vendors:stale:{vendor.pk}",
                    period_from=vendor.last_assessed_at,
                    wording=f"Critical vendor {vendor.name} was last assessed {assessed}, "
                    f"{(as_of - assessed).days} days before {as_of}; reassessment was due {due}",
                    **base,
                )
            )
    if vendor.soc2_expires_on is not None and vendor.soc2_expires_on < as_of:
        found.append(
            Item(
                key=f"vendors:soc2:{vendor.pk}",
                wording=f"Critical vendor {vendor.name}'s SOC 2 report expired on "
                f"{vendor.soc2_expires_on}",
                **{**base, "severity": "medium"},
            )
        )
    return found
