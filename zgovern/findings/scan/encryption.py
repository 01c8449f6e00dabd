"""8. Encryption: a data store, log bucket or backup without encryption at rest at any
time in the period: every failing interval of the checks that test
``encryption-at-rest`` (S3 buckets, RDS instances, clusters and snapshots, EBS volumes and
snapshots)."""

from __future__ import annotations

from zgovern.findings.scan.base import Exceptions, Item, Period, Windows, plural
from zgovern.findings.scan.intervals import Failing, checks_for_control, failing, failing_item
from zgovern.monitoring.models import CheckInterval

CATEGORY = "encryption"
CONTROLS = ("encryption-at-rest",)
CRITERIA = ("soc2:CC6.1", "soc2:CC6.7")
SEVERITY = "critical"


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    checks = checks_for_control("encryption-at-rest")
    found = failing(org, period, checks)
    items = [_item(f) for f in sorted(found.values(), key=lambda f: (f.resource_type, f.name))]
    tested = (
        CheckInterval.objects.filter(organization=org, check_id__in=checks)
        .values("resource_id")
        .distinct()
        .count()
    )
    summary = (
        f"{len(items)} of {plural(tested, 'data store')} (storage, logs, backups) were "
        f"unencrypted at rest at some time in the period"
    )
    return Exceptions(items, population=tested, summary=summary)


def _item(f: Failing) -> Item:
    state = f"{f.resource_type} {f.name} was not encrypted at rest"
    return failing_item(f, category=CATEGORY, severity=SEVERITY, state=state)
