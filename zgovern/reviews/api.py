"""REST endpoints: access-review campaigns with an APPROVE or REVOKE per account.

The bearer token decides the organisation, and every campaign and item is looked up
through it, so another organisation's id answers 404. Writes go through
:mod:`zgovern.reviews.services`, which record each one in the activity log. A decision on
a completed campaign answers 409; on one's own account, or on someone else's item without
being owner or admin, 403; an unknown decision 400.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.reviews import queries, revocations, services
from zgovern.reviews.models import Campaign, CampaignStatus, ReviewItem
from zgovern.reviews.schemas import (
    MAX_ID,
    ErrorOut,
    ReviewCampaignDetailOut,
    ReviewCampaignIn,
    ReviewCampaignPage,
    ReviewCampaignQuery,
    ReviewDecisionIn,
    ReviewItemOut,
    ReviewItemPage,
    ReviewItemQuery,
    ReviewVerifyOut,
)

router = Router(tags=["reviews"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
CampaignId = Path(..., ge=1, le=MAX_ID, description="A campaign's id.")
ItemId = Path(..., ge=1, le=MAX_ID, description="A review item's id.")


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = queries.campaign(request.organization, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign


def _item(request: HttpRequest, item_id: int) -> ReviewItem:
    item = queries.item(request.organization, item_id)
    if item is None:
        raise NotFound("No such review item.")
    return item


@router.get(
    "/reviews/campaigns",
    response={200: ReviewCampaignPage, **READ_ERRORS},
    summary="List access-review campaigns",
)
def list_campaigns(request: HttpRequest, filters: Query[ReviewCampaignQuery]):
    """Campaigns, newest first, with their counts; `late` selects open ones past their
    due date (or the others)."""
    rows = queries.campaigns(request.organization)
    if filters.status is not None:
        rows = rows.filter(status=filters.status.value)
    if filters.late is not None:
        late = {"status": CampaignStatus.OPEN, "due_date__lt": timezone.localdate()}
        rows = rows.filter(**late) if filters.late else rows.exclude(**late)
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.post(
    "/reviews/campaigns",
    response={201: ReviewCampaignDetailOut, **WRITE_ERRORS},
    summary="Start an access-review campaign",
)
def start_campaign(request: HttpRequest, payload: ReviewCampaignIn):
    """Start a campaign over the accounts of `systems` (snapshotted now). Reviewers and
    owners are members with the owner, admin or member role, else 400. Logged as
    `review_campaign.started`."""
    data = payload.model_dump()
    campaign = services.start_campaign(request.organization, Actor.from_request(request), **data)
    return Status(201, _campaign(request, campaign.pk))


@router.get(
    "/reviews/campaigns/{int:campaign_id}",
    response={200: ReviewCampaignDetailOut, **READ_ERRORS},
    summary="Get an access-review campaign",
)
def get_campaign(request: HttpRequest, campaign_id: int = CampaignId):
    """One campaign with its counts and its per-system reviewers and owners."""
    return _campaign(request, campaign_id)


@router.get(
    "/reviews/campaigns/{int:campaign_id}/items",
    response={200: ReviewItemPage, **READ_ERRORS},
    summary="List a campaign's review items",
)
def list_items(
    request: HttpRequest, filters: Query[ReviewItemQuery], campaign_id: int = CampaignId
):
    """The accounts under review by system and username, filtered by flag, decision,
    system, reviewer or a search, `limit` from `offset`."""
    campaign = _campaign(request, campaign_id)
    rows = queries.items(
        request.organization, campaign,
        flag=filters.flag or "", decision=filters.decision or "",
        system=filters.system.strip().lower(), reviewer_id=filters.reviewer_id,
        q=filters.q.strip(),
    )  # fmt: skip
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.get(
    "/reviews/campaigns/{int:campaign_id}/exceptions",
    response={200: list[ReviewItemOut], **READ_ERRORS},
    summary="List a campaign's revocation exceptions",
)
def list_exceptions(request: HttpRequest, campaign_id: int = CampaignId):
    """Revoked accounts still active after the campaign's revocation window."""
    campaign = _campaign(request, campaign_id)
    return list(revocations.exceptions(request.organization, campaign)[:1000])


@router.post(
    "/reviews/campaigns/{int:campaign_id}/complete",
    response={200: ReviewCampaignDetailOut, **WRITE_ERRORS},
    summary="Complete an access-review campaign",
)
def complete_campaign(request: HttpRequest, campaign_id: int = CampaignId):
    """Lock the campaign and store its evidence package (decisions CSV and summary),
    linked to the access-review controls. 409 while any item is undecided, or when it is
    already completed. Logged as `review_campaign.completed`."""
    _campaign(request, campaign_id)
    services.complete_campaign(request.organization, Actor.from_request(request), campaign_id)
    return _campaign(request, campaign_id)


@router.get(
    "/reviews/items/{int:item_id}",
    response={200: ReviewItemOut, **READ_ERRORS},
    summary="Get a review item",
)
def get_item(request: HttpRequest, item_id: int = ItemId):
    """One account as it was when its campaign started, with the decision."""
    return _item(request, item_id)


@router.post(
    "/reviews/items/{int:item_id}/decision",
    response={200: ReviewItemOut, **WRITE_ERRORS},
    summary="Decide a review item",
)
def decide(request: HttpRequest, payload: ReviewDecisionIn, item_id: int = ItemId):
    """APPROVE or REVOKE the account, with an optional note. A REVOKE opens a remediation
    task for the system's owner. Logged as `review_item.decided`."""
    _item(request, item_id)
    services.decide(
        request.organization, Actor.from_request(request), item_id,
        decision=payload.decision, note=payload.note,
    )  # fmt: skip
    return _item(request, item_id)


@router.post(
    "/reviews/verify-revocations",
    response={200: ReviewVerifyOut, **WRITE_ERRORS},
    summary="Verify revocations now",
)
def verify(request: HttpRequest):
    """Check every open revocation against the identity graph: verified ones close their
    task, late ones become exceptions."""
    report = revocations.verify_revocations(request.organization)
    return report.__dict__
