"""1. MFA: any account in any connected system without MFA at any time in the period
(service accounts and contractors included), and for how long: every failing interval of
the checks that test ``mfa-enforced``."""

from __future__ import annotations

from zgovern.findings.scan.base import Exceptions, Item, Period, Windows, days_text, plural, ref
from zgovern.findings.scan.intervals import checks_for_control, failing
from zgovern.monitoring.models import CheckInterval

CATEGORY = "mfa"
CONTROLS = ("mfa-enforced",)
CRITERIA = ("soc2:CC6.1", "soc2:CC6.6")
SEVERITY = "critical"


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    checks = checks_for_control("mfa-enforced")
    found = failing(org, period, checks)
    items = [_item(f) for f in sorted(found.values(), key=lambda f: (f.provider, f.name))]
    tested = (
        CheckInterval.objects.filter(organization=org, check_id__in=checks)
        .values("resource_id")
        .distinct()
        .count()
    )
    summary = (
        f"{len(items)} of {plural(tested, 'account')} monitored for MFA in the period "
        f"were without MFA at some time"
    )
    return Exceptions(items, population=tested, summary=summary)


def _item(f) -> Item:
    wording = (
        f"Account {f.name} ({f.provider}) was without MFA for {days_text(f.seconds)} in the "
        f"period, from {f.first:%Y-%m-%d} until {f.last:%Y-%m-%d %H:%M}"
    )
    evidence = [ref("resource", f.resource_id, f.name)]
    evidence += [ref("check_interval", pk, ", ".join(sorted(f.checks))) for pk in f.interval_ids]
    return Item(
        key=f"mfa:resource:{f.resource_id}",
        wording=wording,
        severity=SEVERITY,
        system=f.provider,
        subject_type="resource",
        subject_id=str(f.resource_id),
        subject_label=f.name,
        period_from=f.first,
        period_until=f.last,
        duration_seconds=f.seconds,
        evidence=evidence,
    )
