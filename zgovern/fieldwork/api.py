"""REST endpoints of audit fieldwork: the workspace's controls and their evidence in the
period, populations, samples, auditors' access, comments, and the record of what auditors
opened.

Samples and comments need a token that may write (members); auditors add theirs on the
web, where their grant to the audit is checked. A limited auditor's token reaches only
the audits of their open grants (see :mod:`zgovern.fieldwork.access`).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from zgovern.api import require
from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.core.schema_types import MAX_ID
from zgovern.fieldwork import access, populations, scope, services
from zgovern.fieldwork.models import AuditorGrant, Comment, CommentTarget, PopulationKind, Sample
from zgovern.fieldwork.schemas import (
    ErrorOut,
    FieldworkCommentIn,
    FieldworkCommentOut,
    FieldworkControlDetailOut,
    FieldworkControlOut,
    FieldworkGrantIn,
    FieldworkGrantOut,
    FieldworkPopulationOut,
    FieldworkPopulationSummaryOut,
    FieldworkSampleDetailOut,
    FieldworkSampleIn,
    FieldworkSampleOut,
    FieldworkViewPage,
)
from zgovern.fieldwork.views import access_rows
from zgovern.tenancy import roles

router = Router(tags=["fieldwork"])
READ_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
AuditId = Path(..., ge=1, le=MAX_ID, description="An audit's id.")
ControlId = Path(..., ge=1, le=MAX_ID, description="A control's id.")
SampleId = Path(..., ge=1, le=MAX_ID, description="A sample's id.")
GrantId = Path(..., ge=1, le=MAX_ID, description="An auditor grant's id.")
BASE = "/audits/{int:audit_id}/fieldwork"


def _control_out(row) -> dict:
    c = row.control
    return {
        "id": c.pk,
        "key": c.key,
        "name": c.name,
        "description": c.description,
        "owner_email": c.owner.email if c.owner_id else None,
        "criteria": row.criteria,
        "checks": row.checks,
        "requirements": row.requirements,
        "policies": row.policies,
        "evidence_in_period": row.evidence_count,
    }


@router.get(
    f"{BASE}/controls",
    response={200: list[FieldworkControlOut], **READ_ERRORS},
    summary="List the audit's controls",
)
def list_workspace_controls(request: HttpRequest, audit_id: int = AuditId):
    """Controls mapped to the audit's in-scope criteria, with their tests and the count of
    current evidence collected in the period."""
    audit = services.get_audit(request.organization, audit_id)
    return [_control_out(row) for row in scope.controls(request.organization, audit)]


@router.get(
    f"{BASE}/controls/{{int:control_id}}",
    response={200: FieldworkControlDetailOut, **READ_ERRORS},
    summary="Get a control's evidence in the period",
)
def get_workspace_control(
    request: HttpRequest, audit_id: int = AuditId, control_id: int = ControlId
):
    """One control in scope with all its evidence within the period: linked evidence items,
    check history intervals (the first 200, with the total), access-review campaigns and
    the policy versions in force with their acknowledgements. A control outside the audit's
    scope is a 404 to an auditor invited to the audit (members see every control)."""
    org = request.organization
    audit = services.get_audit(org, audit_id)
    found = scope.control(org, audit, control_id)
    if found is None and access.limited_grants(request) is None:
        found = scope.any_control(org, control_id)
    if found is None:
        raise NotFound("No such control in this audit.")
    row = scope.controls(org, audit, only=[found])[0]
    view = scope.control_evidence(org, audit, found)
    return {
        **_control_out(row),
        "evidence": view.items,
        "check_history": [
            {
                "check_id": i.check_id,
                "resource": i.resource.name,
                "status": i.status,
                "reason": i.reason,
                "started_at": i.started_at,
                "ended_at": i.ended_at,
            }
            for i in view.history
        ],
        "check_history_total": view.history_total,
        "access_reviews": view.campaigns,
        "policy_versions": [
            {
                "policy_key": v.policy.key,
                "title": v.policy.title,
                "number": v.number,
                "published_at": v.published_at,
                "retired_at": v.retired_at,
                "acknowledgements": n,
                "acknowledgements_shown": [
                    {
                        "person": a.person.full_name if a.person_id else "",
                        "acknowledged_at": a.acknowledged_at,
                        "method": a.method,
                    }
                    for a in acks
                ],
            }
            for v, acks, n in view.versions
        ],
    }


@router.get(
    f"{BASE}/populations",
    response={200: list[FieldworkPopulationSummaryOut], **READ_ERRORS},
    summary="Count the period's populations",
)
def list_populations(request: HttpRequest, audit_id: int = AuditId):
    """How many items each population holds in the period (400 for an audit without one)."""
    audit = services.get_audit(request.organization, audit_id)
    start, end = services.period(audit)
    out = []
    for kind in PopulationKind.values:
        listed = populations.population(request.organization, kind, start, end)
        out.append({"kind": kind, "title": listed.title, "count": len(listed.items)})
    return out


@router.get(
    f"{BASE}/populations/{{population}}",
    response={200: FieldworkPopulationOut, **READ_ERRORS},
    summary="List a population",
)
def get_population(request: HttpRequest, population: PopulationKind, audit_id: int = AuditId):
    """Every item of the population in the period, in the fixed order samples draw from;
    `key` is what a sample names."""
    audit = services.get_audit(request.organization, audit_id)
    start, end = services.period(audit)
    listed = populations.population(request.organization, population.value, start, end)
    items = [
        {
            "key": item.key,
            "label": item.label,
            "on": item.on,
            "columns": dict(zip(listed.header, item.columns, strict=True)),
        }
        for item in listed.items
    ]
    return {
        "kind": listed.kind,
        "title": listed.title,
        "period_start": start,
        "period_end": end,
        "count": len(items),
        "items": items,
    }


@router.post(
    f"{BASE}/samples",
    response={201: FieldworkSampleDetailOut, **WRITE_ERRORS},
    summary="Draw a sample",
)
def create_sample(request: HttpRequest, payload: FieldworkSampleIn, audit_id: int = AuditId):
    """A seeded random sample of `size` items (the seed is chosen and stored when not
    given), or the items named in `keys`. A size larger than the population, or a key not
    in it, is a 400 naming the field. Logged as `fieldwork.sample_created`."""
    data = payload.model_dump(exclude={"population"})
    if data["keys"] is None:
        data.pop("keys")
    sample = services.create_sample(
        request.organization,
        Actor.from_request(request),
        audit_id,
        population=payload.population.value,
        **data,
    )
    return Status(201, _sample_detail(request, sample))


def _sample_detail(request: HttpRequest, sample: Sample) -> Sample:
    """The sample with its items' evidence attached, for the detail schema."""
    items = populations.evidence(request.organization, sample.population, sample.chosen_keys)
    sample.items = [
        {
            "key": i.key,
            "label": i.label,
            "verdict": i.verdict,
            "facts": [{"name": n, "value": v} for n, v in i.facts],
        }
        for i in items
    ]
    return sample


@router.get(
    f"{BASE}/samples",
    response={200: list[FieldworkSampleOut], **READ_ERRORS},
    summary="List the audit's samples",
)
def list_samples(request: HttpRequest, audit_id: int = AuditId):
    """Every sample of the audit, newest first, with its seed and the keys it chose."""
    audit = services.get_audit(request.organization, audit_id)
    return list(Sample.objects.filter(organization=request.organization, audit=audit))


@router.get(
    f"{BASE}/samples/{{int:sample_id}}",
    response={200: FieldworkSampleDetailOut, **READ_ERRORS},
    summary="Get a sample with its evidence",
)
def get_sample(request: HttpRequest, audit_id: int = AuditId, sample_id: int = SampleId):
    """A sample and, for each item, the evidence that the control operated and a verdict
    (`operated` or `exception`)."""
    audit = services.get_audit(request.organization, audit_id)
    sample = Sample.objects.filter(
        organization=request.organization, audit=audit, pk=sample_id
    ).first()
    if sample is None:
        raise NotFound("No such sample in this audit.")
    return _sample_detail(request, sample)


@router.get(
    f"{BASE}/auditors",
    response={200: list[FieldworkGrantOut], **READ_ERRORS},
    summary="List the audit's auditors",
)
def list_grants(request: HttpRequest, audit_id: int = AuditId):
    """The auditors invited to the audit, with their expiry and state."""
    audit = services.get_audit(request.organization, audit_id)
    rows = AuditorGrant.objects.filter(organization=request.organization, audit=audit)
    return list(rows.select_related("invited_by"))


@router.post(
    f"{BASE}/auditors",
    response={201: FieldworkGrantOut, **WRITE_ERRORS},
    summary="Invite an auditor",
)
def invite_auditor(request: HttpRequest, payload: FieldworkGrantIn, audit_id: int = AuditId):
    """Give an address read-only access to this audit only, until `expires_at` (at most
    400 days ahead; a naive time is UTC). A known user gets an auditor membership; an
    unknown address the organisation's invitation. An address with another role is a 409.
    Needs the right to manage members. Logged as `fieldwork.auditor_granted`."""
    require(request, roles.MANAGE_MEMBERS)
    grant = services.invite_auditor(
        request.organization,
        request.membership,
        Actor.from_request(request),
        audit_id,
        email=payload.email,
        expires_at=payload.expires_at,
    )
    return Status(201, grant)


@router.post(
    f"{BASE}/auditors/{{int:grant_id}}/revoke",
    response={200: FieldworkGrantOut, **WRITE_ERRORS},
    summary="Revoke an auditor's access",
)
def revoke_auditor(request: HttpRequest, audit_id: int = AuditId, grant_id: int = GrantId):
    """End the grant now. Already revoked is a 409. Logged as `fieldwork.auditor_revoked`."""
    require(request, roles.MANAGE_MEMBERS)
    return services.revoke_grant(
        request.organization, request.membership, Actor.from_request(request), audit_id, grant_id
    )


class FieldworkCommentQuery(Schema):
    target_kind: CommentTarget | None = None
    target_id: int | None = Field(None, ge=1, le=MAX_ID)


@router.get(
    f"{BASE}/comments",
    response={200: list[FieldworkCommentOut], **READ_ERRORS},
    summary="List the audit's comments",
)
def list_comments(
    request: HttpRequest, filters: Query[FieldworkCommentQuery], audit_id: int = AuditId
):
    """Comments of the audit, oldest first, optionally on one target."""
    audit = services.get_audit(request.organization, audit_id)
    rows = Comment.objects.filter(organization=request.organization, audit=audit)
    if filters.target_kind:
        rows = rows.filter(target_kind=filters.target_kind.value)
    if filters.target_id:
        rows = rows.filter(target_id=filters.target_id)
    return list(rows)


@router.post(
    f"{BASE}/comments", response={201: FieldworkCommentOut, **WRITE_ERRORS}, summary="Comment"
)
def add_comment(request: HttpRequest, payload: FieldworkCommentIn, audit_id: int = AuditId):
    """Comment on a control, evidence item, sample or request of this audit (a target
    outside it is a 404). `@address` mentions a member who may see the audit, who is
    emailed. Logged as `fieldwork.commented`."""
    comment = services.add_comment(
        request.organization,
        Actor.from_request(request),
        audit_id,
        target_kind=payload.target_kind.value,
        target_id=payload.target_id,
        body=payload.body,
    )
    return Status(201, comment)


class FieldworkLogQuery(Schema):
    auditor_id: int | None = Field(None, ge=1, le=MAX_ID)
    audit_id: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_ID)


@router.get(
    "/fieldwork/access-log",
    response={200: FieldworkViewPage, **READ_ERRORS},
    summary="List what auditors opened",
)
def list_access_log(request: HttpRequest, filters: Query[FieldworkLogQuery]):
    """Every page, file and export auditors opened, newest first, by auditor and audit."""
    rows = access_rows(request.organization, filters.auditor_id, filters.audit_id)
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }
