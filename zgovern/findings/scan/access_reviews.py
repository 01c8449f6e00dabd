"""2. Access reviews: a system with no completed review in one of the period's review
windows (quarters by default, counted from the period's start; only windows that have
ended are tested), a campaign completed after its due date (on the due date is in time),
and a REVOKE decision not carried out within the revocation window."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from zgovern.findings.scan.base import (
    Exceptions,
    Item,
    Period,
    Windows,
    add_months,
    day_start,
    plural,
    ref,
)
from zgovern.identity.models import Account
from zgovern.reviews.models import Campaign, CampaignStatus, Decision, ReviewItem, Revocation

CATEGORY = "access_reviews"
CONTROLS = ("access-reviews-quarterly",)
CRITERIA = ("soc2:CC6.2", "soc2:CC6.3")
SEVERITY = "high"


def review_windows(period: Period, months: int) -> list[tuple[date, date]]:
    """Consecutive windows of ``months`` from the period's start that ended by ``as_of``
    (inclusive first and last days)."""
    found, start = [], period.start
    while True:
        stop = add_months(period.start, months * (len(found) + 1)) - timedelta(days=1)
        if stop > period.as_of:
            return found
        found.append((start, stop))
        start = stop + timedelta(days=1)


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    campaigns = list(Campaign.objects.filter(organization=org).order_by("due_date", "id"))
    quarters = review_windows(period, windows.review_cadence_months)
    items: list[Item] = []
    systems = _systems(org, period)
    for system, first_seen in systems:
        for start, stop in quarters:
            if first_seen <= stop and not _reviewed(campaigns, system, start, stop):
                items.append(_missing(system, start, stop))
    items += [_late(c) for c in campaigns if _is_late(c, period)]
    items += [_revoke(i) for i in _unrevoked(org, period)]
    summary = (
        f"{sum(1 for i in items if i.key.startswith('access_reviews:missing'))} of "
        f"{plural(len(systems) * len(quarters), 'system review')} due in the period "
        f"({len(systems)} systems, {len(quarters)} windows of {windows.review_cadence_months} "
        f"months) were not completed; "
        f"{sum(1 for i in items if i.key.startswith('access_reviews:late'))} campaigns "
        f"finished late; {sum(1 for i in items if i.key.startswith('access_reviews:revoke'))}"
        f" revocations were not carried out in time"
    )
    return Exceptions(items, population=len(systems) * len(quarters), summary=summary)


def _systems(org, period: Period) -> list[tuple[str, date]]:
    rows = Account.objects.filter(organization=org, first_seen_at__lt=period.end_at)
    firsts: dict[str, date] = {}
    for system, seen in rows.values_list("system", "first_seen_at").order_by().iterator(5000):
        day = timezone.localdate(seen)
        if system not in firsts or day < firsts[system]:
            firsts[system] = day
    return sorted(firsts.items())


def _reviewed(campaigns: list[Campaign], system: str, start: date, stop: date) -> bool:
    return any(
        system in (c.systems or [])
        and c.completed_at is not None
        and start <= timezone.localdate(c.completed_at) <= stop
        for c in campaigns
    )


def _is_late(campaign: Campaign, period: Period) -> bool:
    if campaign.due_date < period.start or campaign.due_date >= period.as_of:
        return False
    if campaign.completed_at is None:
        return campaign.status == CampaignStatus.OPEN
    return timezone.localdate(campaign.completed_at) > campaign.due_date


def _missing(system: str, start: date, stop: date) -> Item:
    return Item(
        key=f"access_reviews:missing:{system}:{start}",
        severity=SEVERITY,
        system=system,
        subject_type="system",
        subject_id=system,
        subject_label=system,
        period_from=day_start(start),
        period_until=day_start(stop + timedelta(days=1)),
        wording=f"No access review of {system} was completed in the review window "
        f"{start} to {stop}",
    )


def _late(c: Campaign) -> Item:
    done = timezone.localdate(c.completed_at) if c.completed_at else None
    how = (
        f"was completed {done}, {(done - c.due_date).days} days late"
        if done
        else ("was still open after its due date")
    )
    return Item(
        key=f"access_reviews:late:{c.pk}",
        severity="medium",
        system=", ".join(c.systems)[:100],
        subject_type="campaign",
        subject_id=str(c.pk),
        subject_label=c.title,
        wording=f"Access review '{c.title}' ({', '.join(c.systems)}), due {c.due_date}, {how}",
        evidence=[ref("campaign", c.pk, c.title)],
    )


def _unrevoked(org, period: Period):
    now = period.end_at
    pending = Q(revocation=Revocation.PENDING, revoke_by__lt=now)
    return (
        ReviewItem.objects.filter(organization=org, decision=Decision.REVOKE)
        .filter(Q(revocation=Revocation.EXCEPTION) | pending)
        .filter(Q(revoke_by__isnull=True) | Q(revoke_by__gte=period.start_at))
        .select_related("campaign")
        .order_by("system", "username", "id")
    )


def _revoke(item: ReviewItem) -> Item:
    return Item(
        key=f"access_reviews:revoke:{item.pk}",
        severity=SEVERITY,
        system=item.system,
        subject_type="review_item",
        subject_id=str(item.pk),
        subject_label=f"{item.username} ({item.system})",
        period_from=item.revoke_by,
        wording=f"{item.username} ({item.system}) was marked REVOKE in '{item.campaign.title}' "
        f"but was still active after the revocation deadline"
        + (f" ({item.revoke_by:%Y-%m-%d})" if item.revoke_by else ""),
        evidence=[
            ref("review_item", item.pk, item.username),
            ref("campaign", item.campaign_id, item.campaign.title),
        ],
    )
