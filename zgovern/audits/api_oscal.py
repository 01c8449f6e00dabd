"""The audit as OSCAL assessment results over the API (the same document the bundle holds
at ``oscal/assessment-results.json``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router

from zgovern.audits import services
from zgovern.audits.schemas import AuditErrorOut
from zgovern.core.actor import Actor
from zgovern.core.schema_types import MAX_ID

router = Router(tags=["audits"])
ERRORS = {code: AuditErrorOut for code in (400, 401, 403, 404, 422)}
AuditId = Path(..., ge=1, le=MAX_ID, description="An audit's id.")


@router.get(
    "/audits/{int:audit_id}/oscal",
    response={200: None, **ERRORS},
    summary="Export the audit as OSCAL assessment results",
)
def oscal_results(request: HttpRequest, audit_id: int = AuditId):
    """The audit's OSCAL assessment-results JSON (OSCAL 1.1): a result over the audit's
    period, a finding per in-scope control and criterion, an observation per evidence item
    collected in the period with its SHA-256. An audit without a period is a 400. Logged
    as `audit.oscal_exported`."""
    audit, content = services.oscal_export(
        request.organization, Actor.from_request(request), audit_id
    )
    response = HttpResponse(content, content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="audit-{audit.pk}-oscal.json"'
    return response
