"""REST endpoints of readiness: the current readiness of every framework with its
projection, the daily snapshot history, and taking today's snapshot now.

The bearer token decides the organisation; every snapshot is looked up through it, so
another organisation's id answers 404. The one write goes through
:func:`zgovern.readiness.services.take_snapshot`, which logs it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.readiness import overview, services
from zgovern.readiness.models import ReadinessSnapshot
from zgovern.readiness.schemas import (
    MAX_ID,
    ErrorOut,
    ReadinessOut,
    SnapshotOut,
    SnapshotPage,
    SnapshotQuery,
)
from zgovern.readiness.serialize import overview_data

router = Router(tags=["readiness"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
SnapshotId = Path(..., ge=1, le=MAX_ID, description="A readiness snapshot's id.")


def _snapshots(request: HttpRequest):
    return ReadinessSnapshot.objects.filter(organization=request.organization).select_related(
        "framework"
    )


@router.get("/readiness", response={200: ReadinessOut, **READ_ERRORS}, summary="Get readiness")
def get_readiness(request: HttpRequest):
    """Every adopted framework's readiness now: score, criteria ready and in scope,
    categories, controls by status, gaps worst first with their reasons, and the projected
    audit-ready date from the daily history (or why there is none)."""
    return overview_data(overview.build(request.organization))


@router.get(
    "/readiness/snapshots",
    response={200: SnapshotPage, **READ_ERRORS},
    summary="List readiness snapshots",
)
def list_snapshots(request: HttpRequest, filters: Query[SnapshotQuery]):
    """Daily snapshots, by framework and then oldest first, optionally of one framework
    and within a range of days (both ends included)."""
    rows = _snapshots(request)
    if filters.framework is not None:
        rows = rows.filter(framework_id=filters.framework)
    if filters.day_from is not None:
        rows = rows.filter(day__gte=filters.day_from)
    if filters.day_to is not None:
        rows = rows.filter(day__lte=filters.day_to)
    rows = rows.order_by("framework_id", "day", "id")
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": list(page)}


@router.get(
    "/readiness/snapshots/{int:snapshot_id}",
    response={200: SnapshotOut, **READ_ERRORS},
    summary="Get a readiness snapshot",
)
def get_snapshot(request: HttpRequest, snapshot_id: int = SnapshotId):
    """One day's recorded readiness of one framework: score, criteria counts and controls
    by status. Another organisation's snapshot answers 404."""
    snapshot = _snapshots(request).filter(pk=snapshot_id).first()
    if snapshot is None:
        raise NotFound("No such snapshot.")
    return snapshot


@router.post(
    "/readiness/snapshots",
    response={201: SnapshotPage, **WRITE_ERRORS},
    summary="Take today's readiness snapshot now",
)
def take_snapshot(request: HttpRequest):
    """Record every framework's readiness for today now, replacing today's figures if the
    daily task already took them. Logged as `readiness.snapshot_taken`."""
    day = timezone.localdate()
    services.take_snapshot(request.organization, day=day, actor=Actor.from_request(request))
    rows = _snapshots(request).filter(day=day).order_by("framework_id")
    return Status(201, {"count": len(rows), "items": list(rows)})
