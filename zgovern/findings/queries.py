"""Reads of stored findings: the filtered list, the dashboard summary, the latest scan.

Nothing here runs a scan: the summary reads the stored rows only (one grouped, indexed
query plus the latest scan), so the dashboard can afford it on every load.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from zgovern.findings.models import (
    Category,
    Finding,
    FindingsScan,
    FindingStatus,
    Kind,
    ScanStatus,
)
from zgovern.tenancy.models import Organization

SEVERITIES = ("critical", "high", "medium", "low")


def findings(
    org: Organization,
    *,
    category: str = "",
    severity: str = "",
    control: str = "",
    system: str = "",
    status: str = FindingStatus.OPEN,
    kind: str = "",
) -> QuerySet[Finding]:
    """Findings of ``org``, filtered; empty filters match everything."""
    rows = Finding.objects.filter(organization=org).select_related("task")
    if status:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category=category)
    if severity:
        rows = rows.filter(severity=severity)
    if kind:
        rows = rows.filter(kind=kind)
    if control:
        rows = rows.filter(control_keys__contains=f",{control},")
    if system:
        rows = rows.filter(system__icontains=system)
    return rows


def finding(org: Organization, finding_id: int) -> Finding | None:
    return Finding.objects.filter(organization=org, pk=finding_id).select_related("task").first()


def scan(org: Organization, scan_id: int) -> FindingsScan | None:
    return FindingsScan.objects.filter(organization=org, pk=scan_id).first()


def latest_scan(org: Organization, *, done: bool = False) -> FindingsScan | None:
    rows = FindingsScan.objects.filter(organization=org)
    if done:
        rows = rows.filter(status=ScanStatus.DONE)
    return rows.order_by("-created_at", "-id").first()


@dataclass
class Summary:
    """Open exceptions by category and severity, and the scan they come from."""

    total: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)  # key, label, n
    scan: FindingsScan | None = None

    @property
    def severity_rows(self) -> list[tuple[str, int]]:
        return [(s, self.by_severity.get(s, 0)) for s in SEVERITIES]


def summary(org: Organization) -> Summary:
    """The dashboard's figures from stored results (one grouped query)."""
    rows = (
        Finding.objects.filter(organization=org, status=FindingStatus.OPEN, kind=Kind.EXCEPTION)
        .values_list("category", "severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = Summary(scan=latest_scan(org, done=True))
    per_category: dict[str, int] = {}
    for category, severity, n in rows:
        out.total += n
        out.by_severity[severity] = out.by_severity.get(severity, 0) + n
        per_category[category] = per_category.get(category, 0) + n
    out.by_category = [(c.value, c.label, per_category[c.value]) for c in Category
                       if c.value in per_category]  # fmt: skip
    return out


def systems(org: Organization) -> list[str]:
    rows = Finding.objects.filter(organization=org, status=FindingStatus.OPEN).exclude(system="")
    return sorted(set(rows.values_list("system", flat=True).order_by().distinct()))
