"""REST endpoints of the continuous record: runs, checks (with their current counts),
resources (with their status at any moment) and status intervals. All read-only; runs
are started through ``/integrations/{id}/runs``."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query, Router

from zgovern.core.errors import DomainError
from zgovern.monitoring import queries, registry
from zgovern.monitoring.checkspec import CheckSpec
from zgovern.monitoring.models import CheckInterval, CheckRun, Resource
from zgovern.monitoring.schemas import (
    MAX_ID,
    CheckOut,
    CheckQuery,
    ErrorOut,
    IntervalOut,
    IntervalPage,
    IntervalQuery,
    ResourceDetailOut,
    ResourcePage,
    ResourceQuery,
    RunOut,
    RunPage,
    RunQuery,
    StatusAtOut,
    StatusAtQuery,
)

router = Router(tags=["monitoring"])

READ_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 422)}
RunId = Path(..., ge=1, le=MAX_ID, description="A run's id.")
ResourceId = Path(..., ge=1, le=MAX_ID, description="A resource's id.")
IntervalId = Path(..., ge=1, le=MAX_ID, description="An interval's id.")


# -- runs -----------------------------------------------------------------------------


@router.get("/runs", response={200: RunPage, **READ_ERRORS}, summary="List check runs")
def list_runs(request: HttpRequest, filters: Query[RunQuery]):
    """Runs and imports, newest first, optionally of one integration or with one status."""
    rows = queries.runs(
        request.organization,
        integration_id=filters.integration_id,
        status=filters.status.value if filters.status else None,
    )
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.get("/runs/{int:run_id}", response={200: RunOut, **READ_ERRORS}, summary="Get a check run")
def get_run(request: HttpRequest, run_id: int = RunId):
    """Who or what started it, when, how long it took, its counts and its errors (each
    naming the service or check and any missing permission)."""
    return get_object_or_404(CheckRun, pk=run_id, organization=request.organization)


# -- checks ---------------------------------------------------------------------------


def _check(check_id: str, spec: CheckSpec | None, counts: queries.CheckCounts) -> dict:
    return {
        "id": check_id,
        "registered": spec is not None,
        "title": spec.title if spec else "",
        "provider": spec.provider if spec else check_id.split(".")[0],
        "service": spec.service if spec else "",
        "resource_type": spec.resource_type if spec else "",
        "severity": spec.severity if spec else "",
        "criteria": list(spec.criteria) if spec else [],
        "controls": list(spec.controls) if spec else [],
        "permissions": list(spec.permissions) if spec else [],
        "remediation": spec.remediation if spec else "",
        "current": asdict(counts),
    }


@router.get("/checks", response={200: list[CheckOut], **READ_ERRORS}, summary="List checks")
def list_checks(request: HttpRequest, filters: Query[CheckQuery]):
    """Every registered check, and every check known from imported findings (or only
    `check_id`), with how many resources pass, fail and error right now and since when
    the oldest current failure lasts. The failures themselves are the open `fail`
    intervals: `/intervals?check_id=…&status=fail&current=true`."""
    org = request.organization
    counts = queries.current_counts(org)
    specs = registry.all_checks()
    ids = sorted(set(specs) | set(counts))
    if filters.check_id:
        ids = [check_id for check_id in ids if check_id == filters.check_id]
    since = queries.failing_since_by_check(org)
    return [
        {
            **_check(check_id, specs.get(check_id), counts.get(check_id, queries.CheckCounts())),
            "failing_since": since.get(check_id),
        }
        for check_id in ids
    ]


# -- resources ------------------------------------------------------------------------


@router.get("/resources", response={200: ResourcePage, **READ_ERRORS}, summary="List resources")
def list_resources(request: HttpRequest, filters: Query[ResourceQuery]):
    """Resources the checks have seen, by provider, type and name, optionally those whose
    name or external id contains `q`, of one type, or last seen by one integration."""
    rows = Resource.objects.filter(organization=request.organization)
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(external_id__icontains=filters.q))
    if filters.resource_type:
        rows = rows.filter(resource_type=filters.resource_type)
    if filters.integration_id:
        rows = rows.filter(integration_id=filters.integration_id)
    rows = rows.order_by("provider", "resource_type", "name", "id")
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.get(
    "/resources/{int:resource_id}",
    response={200: ResourceDetailOut, **READ_ERRORS},
    summary="Get a resource",
)
def get_resource(request: HttpRequest, resource_id: int = ResourceId):
    """The resource with its current status under every check."""
    resource = get_object_or_404(Resource, pk=resource_id, organization=request.organization)
    current = CheckInterval.objects.filter(
        organization=request.organization, resource=resource, ended_at__isnull=True
    ).order_by("check_id")
    resource.current = list(current)
    return resource


@router.get(
    "/resources/{int:resource_id}/status",
    response={200: StatusAtOut, **READ_ERRORS},
    summary="A resource's status at a moment",
)
def resource_status_at(
    request: HttpRequest, filters: Query[StatusAtQuery], resource_id: int = ResourceId
):
    """The interval holding the resource's status under each check (or one) at `at`
    (default: now); a check that had not observed it then is left out."""
    org = request.organization
    resource = get_object_or_404(Resource, pk=resource_id, organization=org)
    at = _moment(filters.at)
    if filters.check_id:
        found = queries.status_at(org, resource.pk, filters.check_id, at)
        statuses = [found] if found else []
    else:
        statuses = queries.statuses_at(org, resource.pk, at)
    return {"at": at, "statuses": statuses}


def _moment(value: datetime | None) -> datetime:
    if value is None:
        return timezone.now()
    try:
        return value.astimezone(UTC) if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    except OverflowError:
        raise DomainError("The moment is out of range.", field="at") from None


# -- intervals ------------------------------------------------------------------------


@router.get(
    "/intervals", response={200: IntervalPage, **READ_ERRORS}, summary="List status intervals"
)
def list_intervals(request: HttpRequest, filters: Query[IntervalQuery]):
    """Status intervals, newest first: each is one status of one resource under one
    check from `started_at` until `ended_at` (null while current)."""
    rows = CheckInterval.objects.filter(organization=request.organization)
    if filters.check_id:
        rows = rows.filter(check_id=filters.check_id)
    if filters.resource_id:
        rows = rows.filter(resource_id=filters.resource_id)
    if filters.status:
        rows = rows.filter(status=filters.status.value)
    if filters.current is not None:
        rows = rows.filter(ended_at__isnull=filters.current)
    rows = rows.order_by("-started_at", "-id")
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.get(
    "/intervals/{int:interval_id}",
    response={200: IntervalOut, **READ_ERRORS},
    summary="Get a status interval",
)
def get_interval(request: HttpRequest, interval_id: int = IntervalId):
    """One status interval: the resource's status under the check from `started_at` until
    `ended_at` (null while current), last confirmed at `confirmed_at`."""
    return get_object_or_404(CheckInterval, pk=interval_id, organization=request.organization)
