"""REST endpoints: security incidents, their timelines and response figures.

The bearer token decides the organisation; every incident is looked up through it, so
another organisation's id answers 404. Writes go through
:mod:`zgovern.incidents.services`, which log each one.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError, NotFound
from zgovern.incidents import figures, queries, services
from zgovern.incidents.models import Incident
from zgovern.incidents.schemas import (
    MAX_ID,
    ErrorOut,
    IncidentDetailOut,
    IncidentFiguresQuery,
    IncidentIn,
    IncidentPage,
    IncidentPatch,
    IncidentSeverityIn,
    IncidentSeverityOut,
    IncidentsQuery,
    IncidentTimelineIn,
    IncidentTimelineOut,
    SeverityResponseFiguresOut,
)

router = Router(tags=["incidents"])

READ_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
IncidentId = Path(..., ge=1, le=MAX_ID, description="An incident's id.")


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    incident = queries.incident(request.organization, incident_id)
    if incident is None:
        raise NotFound("No such incident.")
    return incident


def _period(start, end) -> None:
    if start is not None and end is not None and end < start:
        raise DomainError("The end of the period is before its start.", field="detected_to")


@router.get("/incidents", response={200: IncidentPage, **READ_ERRORS}, summary="List incidents")
def list_incidents(request: HttpRequest, filters: Query[IncidentsQuery]):
    """The log, `limit` from `offset`, filtered and sorted on the server (default: newest
    detection first). `past_target` keeps incidents open past their severity's target."""
    _period(filters.detected_from, filters.detected_to)
    rows = queries.incidents(
        request.organization, q=filters.q.strip(), severity=filters.severity.strip(),
        status=filters.status.value if filters.status else "", owner=filters.owner.strip(),
        past_target=filters.past_target, detected_from=filters.detected_from,
        detected_to=filters.detected_to, sort=filters.sort,
    )  # fmt: skip
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {"count": rows.count(), "items": queries.attach_links(page)}


@router.post("/incidents", response={201: IncidentDetailOut, **WRITE_ERRORS},
             summary="Log an incident")  # fmt: skip
def create_incident(request: HttpRequest, payload: IncidentIn):
    """Log an incident. An unknown severity, times out of order (a resolution before the
    detection, say) or in the future, an unknown owner, risk or control: a 400 naming the
    field. Created `closed`, it is recorded as evidence at once. Logged as
    `incident.created`."""
    incident = services.create_incident(
        request.organization, Actor.from_request(request), **payload.model_dump()
    )
    return Status(201, _incident(request, incident.pk))


@router.get("/incidents/figures", response={200: list[SeverityResponseFiguresOut], **READ_ERRORS},
            summary="Response figures per severity")  # fmt: skip
def response_figures(request: HttpRequest, filters: Query[IncidentFiguresQuery]):
    """Time to detect, report, contain and resolve (hours: count, median, mean, 90th
    percentile) per severity, for incidents detected in the period. Time to detect counts
    only incidents whose start is known."""
    _period(filters.detected_from, filters.detected_to)
    rows = figures.response_figures(
        request.organization, filters.detected_from, filters.detected_to
    )
    return [{"severity": r.severity, "incidents": r.incidents, **r.figures} for r in rows]


@router.get("/incident-severities", response={200: list[IncidentSeverityOut], **READ_ERRORS},
            summary="Severity definitions")  # fmt: skip
def list_severities(request: HttpRequest):
    """The organisation's severity table, most severe first (the defaults until it has
    its own)."""
    return queries.severity_table(request.organization)


@router.put("/incident-severities", response={200: IncidentSeverityOut, **WRITE_ERRORS},
            summary="Define a severity")  # fmt: skip
def define_severity(request: HttpRequest, payload: IncidentSeverityIn):
    """Add a severity or change one, found by name. A changed response target moves the
    due time of that severity's incidents. Logged as `incident.severity_defined`."""
    return services.define_severity(
        request.organization, Actor.from_request(request), **payload.model_dump()
    )


@router.get("/incidents/{int:incident_id}", response={200: IncidentDetailOut, **READ_ERRORS},
            summary="Get an incident")  # fmt: skip
def get_incident(request: HttpRequest, incident_id: int = IncidentId):
    """One incident with its timeline, figures and links."""
    return _incident(request, incident_id)


@router.patch("/incidents/{int:incident_id}", response={200: IncidentDetailOut, **WRITE_ERRORS},
              summary="Change an incident")  # fmt: skip
def update_incident(request: HttpRequest, payload: IncidentPatch, incident_id: int = IncidentId):
    """Change the fields given. Moving to `closed` records the incident as evidence linked
    to the incident controls; a closed incident cannot change (409). Logged as
    `incident.updated`."""
    _incident(request, incident_id)
    services.update_incident(
        request.organization, Actor.from_request(request), incident_id,
        **payload.model_dump(exclude_unset=True),
    )  # fmt: skip
    return _incident(request, incident_id)


@router.post(
    "/incidents/{int:incident_id}/timeline",
    response={201: IncidentTimelineOut, **WRITE_ERRORS},
    summary="Add a timeline entry",
)
def add_timeline_entry(
    request: HttpRequest, payload: IncidentTimelineIn, incident_id: int = IncidentId
):
    """Append a response action (who, what, when). The timeline is append-only; a closed
    incident's is final (409). Logged as `incident.timeline_added`."""
    _incident(request, incident_id)
    entry = services.add_timeline_entry(
        request.organization, Actor.from_request(request), incident_id, **payload.model_dump()
    )
    return Status(201, entry)
