"""The audit bundle's risk register as of the end of the period: every risk recorded by
then with its scores, treatment and acceptance, flags judged on the period's last day
(or today, for a period not yet over). The register keeps current values only, so a risk
is shown as it stands now."""

from __future__ import annotations

from django.utils import timezone

from zgovern.audits.builder import BundleContext
from zgovern.risks import queries

SECTION = "risks"


def write(ctx: BundleContext) -> None:
    _, end = ctx.bounds()
    as_of = min(ctx.end, timezone.localdate())
    register = queries.risks(ctx.org, today=as_of).filter(created_at__lt=end)
    rows = list(queries.export_rows(register, as_of))
    ctx.add_table("risks/risk-register", list(queries.EXPORT_HEADER), rows,
                  "Risk register", SECTION)  # fmt: skip
