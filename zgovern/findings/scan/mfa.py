"""1. MFA: any account in any connected system without MFA at any time in the period
(service accounts and contractors included), and for how long: every failing interval of
the checks that test ``mfa-enforced``. An active account whose MFA the last sync reported
as not enabled, and which no check history covers, is an exception too: its state is known
only as of that sync."""

from __future__ import annotations

from zgovern.findings.scan.base import Exceptions, Item, Period, Windows, plural, ref
from zgovern.findings.scan.intervals import Failing, checks_for_control, failing, failing_item
from zgovern.identity.models import Account, AccountStatus, MfaState
from zgovern.monitoring.models import CheckInterval, Resource

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
    unmonitored = _unmonitored(org, period, checks)
    items += unmonitored
    tested += len(unmonitored)
    summary = (
        f"{len(items)} of {plural(tested, 'account')} monitored for MFA in the period "
        f"were without MFA at some time"
    )
    return Exceptions(items, population=tested, summary=summary)


def _covered(org, checks: tuple[str, ...]) -> set[int]:
    """Ids of identity accounts the workforce MFA check has history for."""
    rows = Resource.objects.filter(
        organization=org, provider="workforce", intervals__check_id__in=checks
    ).values_list("external_id", flat=True)
    ids = set()
    for external in rows.order_by().distinct().iterator(5000):
        kind, _, pk = external.partition(":")
        if kind == "account" and pk.isdigit():
            ids.add(int(pk))
    return ids


def _unmonitored(org, period: Period, checks: tuple[str, ...]) -> list[Item]:
    covered = _covered(org, checks)
    rows = Account.objects.filter(
        organization=org,
        status=AccountStatus.ACTIVE,
        mfa=MfaState.DISABLED,
        first_seen_at__lt=period.end_at,
    ).values_list("id", "system", "username", "is_service", "updated_at")
    found = []
    for pk, system, username, service, seen in rows.order_by("system", "username").iterator(5000):
        if pk in covered:
            continue
        what = "Service account" if service else "Account"
        found.append(
            Item(
                key=f"mfa:account:{pk}",
                severity=SEVERITY,
                system=system,
                subject_type="account",
                subject_id=str(pk),
                subject_label=f"{username} ({system})",
                period_until=seen,
                wording=f"{what} {username} ({system}) had MFA not enabled at its last sync "
                f"({seen:%Y-%m-%d}); no check history covers it",
                evidence=[ref("account", pk, username)],
            )
        )
    return found


def _item(f: Failing) -> Item:
    label = f.name if f.name.endswith(f"({f.provider})") else f"{f.name} ({f.provider})"
    return failing_item(
        f, category=CATEGORY, severity=SEVERITY, state=f"Account {label} was without MFA"
    )
