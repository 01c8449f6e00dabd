"""Reads of access reviews shared by the pages and the API: campaigns with their counts,
and a campaign's items filtered on the server."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from zgovern.reviews.models import FLAG_KEYS, Campaign, Decision, ReviewItem, Revocation
from zgovern.tenancy.models import Organization

DECISION_FILTERS = ("undecided", "approve", "revoke")


def campaigns(org: Organization) -> QuerySet[Campaign]:
    """Every campaign, newest first, with item counts (``total``, ``decided``, ``revoked``,
    ``exception_count``)."""
    return (
        Campaign.objects.filter(organization=org)
        .select_related("default_reviewer")
        .annotate(
            total=Count("items"),
            decided=Count("items", filter=~Q(items__decision=Decision.PENDING)),
            revoked=Count("items", filter=Q(items__decision=Decision.REVOKE)),
            exception_count=Count("items", filter=Q(items__revocation=Revocation.EXCEPTION)),
        )
        .order_by("-started_at", "-id")
    )


def campaign(org: Organization, campaign_id: int) -> Campaign | None:
    return campaigns(org).filter(pk=campaign_id).first()


def items(
    org: Organization,
    campaign: Campaign,
    *,
    flag: str = "",
    decision: str = "",
    system: str = "",
    reviewer_id: int | None = None,
    q: str = "",
) -> QuerySet[ReviewItem]:
    """The campaign's items by system and username, narrowed by a flag (``terminated``,
    ``unlinked``, ``privileged``, ``dormant``, ``contractor``), a decision (``undecided``,
    ``approve``, ``revoke``), a system, a reviewer, or a search of username and person."""
    rows = ReviewItem.objects.filter(organization=org, campaign=campaign)
    if flag in FLAG_KEYS:
        rows = rows.filter(**{FLAG_KEYS[flag]: True})
    if decision in DECISION_FILTERS:
        rows = rows.filter(decision=Decision.PENDING if decision == "undecided" else decision)
    if system:
        rows = rows.filter(system=system)
    if reviewer_id is not None:
        rows = rows.filter(reviewer_id=reviewer_id)
    if q:
        rows = rows.filter(
            Q(username__icontains=q) | Q(person_name__icontains=q) | Q(account_email__icontains=q)
        )
    return rows.select_related("reviewer", "decided_by").order_by("system", "username", "id")


def item(org: Organization, item_id: int) -> ReviewItem | None:
    rows = ReviewItem.objects.filter(organization=org, pk=item_id)
    return rows.select_related("campaign", "reviewer", "decided_by", "task").first()


def flag_counts(org: Organization, campaign: Campaign) -> dict[str, Any]:
    rows = ReviewItem.objects.filter(organization=org, campaign=campaign)
    return rows.aggregate(
        **{key: Count("pk", filter=Q(**{name: True})) for key, name in FLAG_KEYS.items()}
    )
