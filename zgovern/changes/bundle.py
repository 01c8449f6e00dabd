"""The audit bundle's change records: every pull request merged in the period (the CC8.1
population), with its approvers and flags, streamed in merge order."""

from __future__ import annotations

from zgovern.audits.builder import BundleContext
from zgovern.changes import exports
from zgovern.changes.models import ChangeRecord

SECTION = "changes"


def write(ctx: BundleContext) -> None:
    start, end = ctx.bounds()
    records = ChangeRecord.objects.filter(
        organization=ctx.org, merged_at__gte=start, merged_at__lt=end
    ).order_by("merged_at", "pk")
    ctx.add_csv("changes/change-records.csv", exports.HEADER, exports.rows(records),
                "Change records merged in the period", SECTION)  # fmt: skip
