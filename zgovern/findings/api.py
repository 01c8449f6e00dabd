"""REST endpoints of the findings scan: queue a scan, read scans, list, filter and read
findings, the dashboard summary, and the scan's windows.

The bearer token decides the organisation; every object is looked up through it, so
another organisation's id answers 404. Writes go through :mod:`zgovern.findings.services`.
"""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.findings import queries, services
from zgovern.findings.models import FindingsScan
from zgovern.findings.scan.base import windows_for
from zgovern.findings.schemas import (
    MAX_ID,
    ErrorOut,
    FindingOut,
    FindingPage,
    FindingQuery,
    FindingsSettingsOut,
    FindingsSettingsPatch,
    FindingsSummaryOut,
    ScanIn,
    ScanOut,
    ScanPage,
)

router = Router(tags=["findings"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
ScanId = Path(..., ge=1, le=MAX_ID, description="A findings scan's id.")
FindingId = Path(..., ge=1, le=MAX_ID, description="A finding's id.")


@router.post("/findings/scans", response={202: ScanOut, **WRITE_ERRORS}, summary="Run a scan")
def run_scan(request: HttpRequest, payload: ScanIn):
    """Queue a findings scan for the audit's period (`audit_id`), the days given, or the
    last 6 months; it runs in the background. Logged as `findings.scan_requested`."""
    scan = services.request_scan(
        request.organization,
        Actor.from_request(request),
        period_start=payload.period_start,
        period_end=payload.period_end,
        audit_id=payload.audit_id,
    )
    return Status(202, FindingsScan.objects.get(organization=request.organization, pk=scan.pk))


@router.get("/findings/scans", response={200: ScanPage, **READ_ERRORS}, summary="List scans")
def list_scans(request: HttpRequest, limit: int = Query(20, ge=1, le=200)):
    """The organisation's scans, newest first."""
    rows = FindingsScan.objects.filter(organization=request.organization)
    return {"count": rows.count(), "items": list(rows[:limit])}


@router.get(
    "/findings/scans/{int:scan_id}", response={200: ScanOut, **READ_ERRORS}, summary="Get a scan"
)
def get_scan(request: HttpRequest, scan_id: int = ScanId):
    """One scan: its period, status, timing and exceptions per category."""
    scan = queries.scan(request.organization, scan_id)
    if scan is None:
        raise NotFound("No such scan.")
    return scan


@router.get("/findings", response={200: FindingPage, **READ_ERRORS}, summary="List findings")
def list_findings(request: HttpRequest, filters: Query[FindingQuery]):
    """Findings (open by default), filtered by category, severity, kind, control key and
    system, `limit` from `offset`."""
    rows = queries.findings(
        request.organization,
        category=filters.category or "",
        severity=filters.severity or "",
        kind=filters.kind or "",
        status=filters.status,
        control=filters.control.strip(),
        system=filters.system.strip(),
    )
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.get(
    "/findings/{int:finding_id}", response={200: FindingOut, **READ_ERRORS}, summary="Get a finding"
)
def get_finding(request: HttpRequest, finding_id: int = FindingId):
    """One finding with its evidence references and remediation task."""
    row = queries.finding(request.organization, finding_id)
    if row is None:
        raise NotFound("No such finding.")
    return row


@router.get(
    "/findings/summary",
    response={200: FindingsSummaryOut, **READ_ERRORS},
    summary="Findings summary",
)
def summary(request: HttpRequest):
    """Open exceptions by severity and category, from the stored results."""
    result = queries.summary(request.organization)
    return {
        "total": result.total,
        "by_severity": dict(result.severity_rows),
        "by_category": {key: n for key, _, n in result.by_category},
        "scan_id": result.scan.pk if result.scan else None,
    }


@router.get(
    "/findings/settings", response={200: FindingsSettingsOut, **READ_ERRORS}, summary="Scan windows"
)
def get_settings(request: HttpRequest):
    """The windows the scan tests (revocation and onboarding come from identity settings)."""
    return _settings(request)


@router.patch(
    "/findings/settings",
    response={200: FindingsSettingsOut, **WRITE_ERRORS},
    summary="Change windows",
)
def patch_settings(request: HttpRequest, payload: FindingsSettingsPatch):
    """Change the review cadence and the vendor, training and plan-test windows (months).
    Logged as `findings.settings_updated` when something changes."""
    services.update_settings(request.organization, Actor.from_request(request), **payload.changes())
    return _settings(request)


def _settings(request: HttpRequest) -> dict:
    data = dataclasses.asdict(windows_for(request.organization))
    data["production_systems"] = list(data["production_systems"])
    return data
