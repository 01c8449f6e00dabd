"""REST endpoints: the risk register: scoring, treatment, acceptance and assessments.

The bearer token decides the organisation; every risk is looked up through it, so another
organisation's id answers 404. Writes go through :mod:`zgovern.risks.services`, which log
each one.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.risks import queries, scales, services
from zgovern.risks.models import Risk
from zgovern.risks.schemas import (
    MAX_ID,
    ErrorOut,
    RiskAcceptanceIn,
    RiskAssessmentIn,
    RiskAssessmentOut,
    RiskHeatMapQuery,
    RiskHeatMapsOut,
    RiskIn,
    RiskOut,
    RiskPage,
    RiskPatch,
    RiskScaleLevelIn,
    RiskScaleLevelOut,
    RisksQuery,
)

router = Router(tags=["risks"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
RiskId = Path(..., ge=1, le=MAX_ID, description="A risk's id.")


def _risk(request: HttpRequest, risk_id: int) -> Risk:
    risk = queries.risk(request.organization, risk_id)
    if risk is None:
        raise NotFound("No such risk.")
    return risk


@router.get("/risks", response={200: RiskPage, **READ_ERRORS}, summary="List risks")
def list_risks(request: HttpRequest, filters: Query[RisksQuery]):
    """The register, `limit` from `offset`, filtered and sorted on the server (default:
    highest inherent score first)."""
    rows = queries.risks(
        request.organization, q=filters.q.strip(),
        category=filters.category.value if filters.category else "",
        status=filters.status.value if filters.status else "",
        treatment=filters.treatment.value if filters.treatment is not None else None,
        owner=filters.owner.strip(), min_score=filters.min_score, flag=filters.flag,
        sort=filters.sort,
    )  # fmt: skip
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {"count": rows.count(), "items": queries.attach_controls(page)}


@router.post("/risks", response={201: RiskOut, **WRITE_ERRORS}, summary="Add a risk")
def create_risk(request: HttpRequest, payload: RiskIn):
    """Add a risk. A likelihood or impact outside 1 to 5, an unknown owner or control, or
    the treatment `accept` (use the acceptance) is a 400 naming the field. Logged as
    `risk.created`."""
    risk = services.create_risk(
        request.organization, Actor.from_request(request), **payload.model_dump()
    )
    return Status(201, _risk(request, risk.pk))


@router.get(
    "/risks/heat-map", response={200: RiskHeatMapsOut, **READ_ERRORS}, summary="Risk heat maps"
)
def heat_map(request: HttpRequest, filters: Query[RiskHeatMapQuery]):
    """Risks counted per likelihood and impact, inherent and residual (closed risks left
    out unless `include_closed`)."""
    maps = queries.heat_maps(request.organization, include_closed=filters.include_closed)
    return {
        name: {"rows": [[c.count for c in row] for row in m.rows], "total": m.total,
               "unrated": m.unrated}
        for name, m in maps.items()
    }  # fmt: skip


@router.get("/risk-scales", response={200: list[RiskScaleLevelOut], **READ_ERRORS},
            summary="Likelihood and impact scales")  # fmt: skip
def list_scales(request: HttpRequest):
    """The organisation's wording of each level of both scales (the defaults until it
    rewords them)."""
    table = scales.levels(request.organization)
    return [table[(axis, n)] for axis in scales.AXES for n in scales.LEVELS]


@router.put("/risk-scales", response={200: RiskScaleLevelOut, **WRITE_ERRORS},
            summary="Reword a scale level")  # fmt: skip
def define_level(request: HttpRequest, payload: RiskScaleLevelIn):
    """Set the name and description of one level (1 to 5) of the likelihood or impact
    scale. Logged as `risk.scale_defined`."""
    return services.define_level(
        request.organization, Actor.from_request(request), **payload.model_dump()
    )


@router.post("/risks/assessments", response={201: RiskAssessmentOut, **WRITE_ERRORS},
             summary="Record a risk assessment")  # fmt: skip
def record_assessment(request: HttpRequest, payload: RiskAssessmentIn):
    """Snapshot the whole register (scores, treatments, acceptances, heat maps) as an
    evidence item of kind `risk_assessment`, linked to the controls
    `risk-assessment-annual` and `risk-register-maintained`."""
    item = services.record_assessment(
        request.organization, Actor.from_request(request), **payload.model_dump()
    )
    return Status(201, {
        "evidence_id": item.pk, "title": item.title, "sha256": item.sha256,
        "risks": item.record["summary"]["risks"], "collected_at": item.collected_at,
    })  # fmt: skip


@router.get("/risks/{int:risk_id}", response={200: RiskOut, **READ_ERRORS}, summary="Get a risk")
def get_risk(request: HttpRequest, risk_id: int = RiskId):
    """One risk with its scores, treatment, acceptance and linked controls."""
    return _risk(request, risk_id)


@router.patch("/risks/{int:risk_id}", response={200: RiskOut, **WRITE_ERRORS},
              summary="Change a risk")  # fmt: skip
def update_risk(request: HttpRequest, payload: RiskPatch, risk_id: int = RiskId):
    """Change the fields given. Changing the treatment away from `accept` ends the
    acceptance. Logged as `risk.updated` with old and new values."""
    _risk(request, risk_id)
    services.update_risk(
        request.organization, Actor.from_request(request), risk_id,
        **payload.model_dump(exclude_unset=True),
    )  # fmt: skip
    return _risk(request, risk_id)


@router.post("/risks/{int:risk_id}/acceptance", response={200: RiskOut, **WRITE_ERRORS},
             summary="Accept a risk")  # fmt: skip
def accept_risk(request: HttpRequest, payload: RiskAcceptanceIn, risk_id: int = RiskId):
    """Accept the risk with an approver (a member who is owner, admin or member) and an
    expiry date after today; both are required (400 naming the field). Logged as
    `risk.accepted` with who approved and when."""
    _risk(request, risk_id)
    services.accept_risk(
        request.organization, Actor.from_request(request), risk_id, **payload.model_dump()
    )
    return _risk(request, risk_id)
