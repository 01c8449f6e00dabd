"""The audit bundle's access reviews: the campaigns completed or due in the period, every
decision of those campaigns (streamed), and the revocations still active after their
window (the exceptions)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q, QuerySet

from zgovern.audits.builder import BundleContext
from zgovern.reviews import package, queries
from zgovern.reviews.models import Campaign, ReviewItem, Revocation

SECTION = "reviews"
CAMPAIGN_HEADER = ["campaign", "title", "systems", "status", "started at", "due date",
                   "completed at", "completed by", "accounts", "decided", "revoked",
                   "exceptions"]  # fmt: skip
EXCEPTION_HEADER = ["campaign", "system", "username", "person", "decision", "decided by",
                    "decided at", "note", "revoke by", "revocation"]  # fmt: skip


def campaigns_in_period(ctx: BundleContext) -> QuerySet[Campaign]:
    start, end = ctx.bounds()
    due = Q(due_date__gte=ctx.start, due_date__lte=ctx.end)
    completed = Q(completed_at__gte=start, completed_at__lt=end)
    return (
        queries.campaigns(ctx.org)
        .filter(due | completed)
        .select_related("completed_by")
        .order_by("started_at", "pk")
    )


def write(ctx: BundleContext) -> None:
    campaigns = list(campaigns_in_period(ctx))
    rows = [
        [c.pk, c.title, " ".join(c.systems), c.status, c.started_at, c.due_date,
         c.completed_at, c.completed_by.email if c.completed_by else "", c.total, c.decided,
         c.revoked, c.exception_count]
        for c in campaigns
    ]  # fmt: skip
    ctx.add_table("reviews/campaigns", CAMPAIGN_HEADER, rows, "Access review campaigns", SECTION)
    ctx.add_csv("reviews/decisions.csv", ["campaign", *package.HEADER],
                _decisions(ctx, campaigns), "Access review decisions", SECTION)  # fmt: skip
    exceptions = (
        ReviewItem.objects.filter(
            organization=ctx.org, campaign__in=campaigns, revocation=Revocation.EXCEPTION
        )
        .select_related("decided_by")
        .order_by("campaign_id", "system", "username", "pk")
    )
    ctx.add_table("reviews/exceptions", EXCEPTION_HEADER,
                  [_exception_row(item) for item in exceptions],
                  "Access review exceptions", SECTION)  # fmt: skip


def _decisions(ctx: BundleContext, campaigns: list[Campaign]) -> Iterator[list]:
    """Each campaign's items in turn, read in chunks by the shared package rows."""
    for campaign in campaigns:
        items = ReviewItem.objects.filter(organization=ctx.org, campaign=campaign)
        for row in package.rows(items):
            yield [campaign.pk, *row]


def _exception_row(item: ReviewItem) -> list:
    return [
        item.campaign_id, item.system, item.username, item.person_name, item.decision,
        item.decided_by.email if item.decided_by else "", item.decided_at, item.note,
        item.revoke_by, item.revocation,
    ]  # fmt: skip
