"""The audit bundle's policy library: every version in force at any time during the
period as PDF, its approvals, and the acknowledgements of those versions.

A version is in force from its effective date (its publication day when none was set)
until it was retired or superseded; a version still published has no end. Only versions
that were published (now published or retired) count: a draft was never in force.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from zgovern.audits.builder import BundleContext
from zgovern.policies.models import Acknowledgement, Approval, PolicyVersion, VersionStatus

SECTION = "policies"
VERSION_HEADER = ["policy", "title", "version", "status", "in force from", "in force until",
                  "published at", "retired at", "approvals", "author", "change summary",
                  "pdf in bundle"]  # fmt: skip
ACK_FIELDS = ("person__full_name", "person__work_email", "policy__key", "version__number",
              "acknowledged_at", "client_ip", "user_agent", "method", "recorded_by")  # fmt: skip
APPROVAL_HEADER = ["policy", "version", "approver", "approved at"]
ACK_HEADER = ["person", "work email", "policy", "version", "acknowledged at", "ip",
              "user agent", "method", "recorded by"]  # fmt: skip


def versions_in_force(org, start: datetime, end: datetime) -> QuerySet[PolicyVersion]:
    """Published or retired versions whose time in force overlaps [start, end)."""
    last_day = timezone.localtime(end).date()
    return (
        PolicyVersion.objects.filter(
            organization=org,
            status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED),
            published_at__isnull=False,
            published_at__lt=end,
        )
        .filter(Q(effective_date__isnull=True) | Q(effective_date__lt=last_day))
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gte=start))
        .select_related("policy", "policy__owner")
        .prefetch_related("approvals")
        .order_by("policy__key", "number")
    )


def write(ctx: BundleContext) -> None:
    start, end = ctx.bounds()
    versions = list(versions_in_force(ctx.org, start, end))
    rows = [_version_row(version, _write_pdf(ctx, version).path) for version in versions]
    ctx.add_table("policies/versions-in-force", VERSION_HEADER, rows,
                  "Policy versions in force", SECTION)  # fmt: skip
    approvals = Approval.objects.filter(organization=ctx.org, version__in=versions).order_by(
        "version__policy__key", "version__number", "approved_at", "pk"
    )
    approval_rows = [
        [a.version.policy.key, a.version.number, a.approver_label, a.approved_at]
        for a in approvals.select_related("version__policy")
    ]
    ctx.add_table("policies/approvals", APPROVAL_HEADER, approval_rows,
                  "Policy approvals", SECTION)  # fmt: skip
    ctx.add_csv("policies/acknowledgements.csv", ACK_HEADER,
                _acknowledgements(ctx.org, [v.pk for v in versions], end),
                "Acknowledgements of the versions in force", SECTION)  # fmt: skip


def _write_pdf(ctx: BundleContext, version: PolicyVersion):
    # Imported here: reportlab takes a third of a second to load, wasted on a bundle
    # without policies.
    from zgovern.policies.pdf import version_pdf

    title = f"{version.policy.title} v{version.number} (PDF)"
    path = f"policies/{version.policy.key}-v{version.number}.pdf"
    return ctx.add_bytes(path, version_pdf(version), title, SECTION)


def _version_row(version: PolicyVersion, pdf_path: str) -> list:
    since: date = version.effective_date or timezone.localtime(version.published_at).date()
    until = timezone.localtime(version.retired_at).date() if version.retired_at else None
    approvals = "; ".join(
        f"{a.approver_label} {a.approved_at.isoformat(timespec='seconds')}"
        for a in version.approvals.all()
    )
    return [
        version.policy.key, version.policy.title, version.number, version.status, since,
        until, version.published_at, version.retired_at, approvals, version.author_label,
        version.change_summary, pdf_path,
    ]  # fmt: skip


def _acknowledgements(org, version_ids: list[int], end: datetime) -> Iterator[tuple]:
    """Every acknowledgement of those versions made before the period ended (one made
    before the period began still covers a version in force during it)."""
    rows = (
        Acknowledgement.objects.filter(
            organization=org, version_id__in=version_ids, acknowledged_at__lt=end
        )
        .order_by("policy__key", "version__number", "acknowledged_at", "pk")
        .values_list(*ACK_FIELDS)
    )
    return rows.iterator(chunk_size=5000)
