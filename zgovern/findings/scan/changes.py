"""5. Change management: a production change (a pull request merged into a default
branch) in the period without approval by someone other than its author, or without its
required checks passing (failed, or no result reported)."""

from __future__ import annotations

from zgovern.changes.models import ChangeRecord, ChecksState
from zgovern.findings.scan.base import Exceptions, Item, Period, Windows, plural, ref

CATEGORY = "changes"
CONTROLS = ("change-approval",)
CRITERIA = ("soc2:CC8.1",)
SEVERITY = "high"


def independent_approvers(author: str, approvers: list) -> list[str]:
    """Approvers other than the author (logins compare case-insensitively)."""
    me = (author or "").lower()
    return [a for a in approvers or [] if str(a).lower() != me]


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    rows = ChangeRecord.objects.filter(
        organization=org, merged_at__gte=period.start_at, merged_at__lt=period.end_at
    ).values_list("id", "repository", "number", "author", "approvers", "checks", "merged_at")
    items, total, unapproved, unchecked = [], 0, 0, 0
    for pk, repo, number, author, approvers, checks, merged in rows.order_by().iterator(2000):
        total += 1
        if not independent_approvers(author, approvers):
            unapproved += 1
            items.append(_unapproved(pk, repo, number, author, approvers, merged))
        if checks != ChecksState.PASSED:
            unchecked += 1
            items.append(_unchecked(pk, repo, number, checks, merged))
    summary = (
        f"{unapproved} of {plural(total, 'production change')} in the period had no approval "
        f"by someone other than the author; {unchecked} lacked passing required checks"
    )
    items.sort(key=lambda i: i.key)
    return Exceptions(items, population=total, summary=summary)


def _unapproved(pk, repo, number, author, approvers, merged) -> Item:
    how = "approved only by its author" if approvers else "merged without any approval"
    return Item(
        key=f"changes:unapproved:{pk}",
        severity=SEVERITY,
        system="github",
        wording=f"Change {repo}#{number} by {author}, merged {merged:%Y-%m-%d}, was {how}",
        subject_type="change",
        subject_id=str(pk),
        subject_label=f"{repo}#{number}",
        period_from=merged,
        period_until=merged,
        evidence=[ref("change", pk, f"{repo}#{number}")],
        controls=("change-approval",),
    )


def _unchecked(pk, repo, number, checks, merged) -> Item:
    how = (
        "with failing required checks"
        if checks == ChecksState.FAILED
        else ("with no record of its required checks")
    )
    return Item(
        key=f"changes:checks:{pk}",
        severity="medium",
        system="github",
        wording=f"Change {repo}#{number} was merged {merged:%Y-%m-%d} {how}",
        subject_type="change",
        subject_id=str(pk),
        subject_label=f"{repo}#{number}",
        period_from=merged,
        period_until=merged,
        evidence=[ref("change", pk, f"{repo}#{number}")],
        controls=("change-testing",),
    )
