"""REST endpoints: the template library, policies, their versions and approval flow,
diffs, PDFs, acknowledgements (the caller's own, and paper ones recorded by an admin), the
acknowledgement matrix, review-cadence tasks and the policy checks.

The bearer token decides the organisation; every object is looked up through it, so
another organisation's id answers 404. Writes go through :mod:`zgovern.policies.services`
and are logged. A person acknowledges for themself through
``POST /policies/versions/{version_id}/acknowledge``, open to every role (employees
included) as long as the caller's email is on the roster.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Path, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from zgovern.api import TokenAuth
from zgovern.core.actor import Actor, client_ip
from zgovern.core.errors import DomainError, NotFound
from zgovern.core.exports import csv_bytes, download
from zgovern.people.models import Person
from zgovern.policies import pdf, queries, rendering, services, templates
from zgovern.policies.models import Policy, PolicyVersion
from zgovern.policies.schemas import (
    MAX_ID,
    ErrorOut,
    PolicyAckOut,
    PolicyAcksOut,
    PolicyAdoptIn,
    PolicyChecksOut,
    PolicyCreateIn,
    PolicyDetailOut,
    PolicyDiffOut,
    PolicyMatrixOut,
    PolicyPatch,
    PolicyPendingOut,
    PolicyPersonAcksOut,
    PolicyPublishIn,
    PolicyReviewTaskOut,
    PolicyTemplateOut,
    PolicyVersionIn,
    PolicyVersionOut,
    PolicyVersionPatch,
    PolicyVersionSummary,
)
from zgovern.tenancy import roles

router = Router(tags=["policies"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 410, 422)}
PolicyId = Path(..., ge=1, le=MAX_ID, description="A policy's id.")
VersionId = Path(..., ge=1, le=MAX_ID, description="A policy version's id.")
# Optional in the signature so that another organisation's version answers 404 first.
PaperPerson = Form(None, ge=1, le=MAX_ID, description="The person who signed (required).")
# Optional in the signature so that a missing scan is the service's 400 naming it.
ScanFile = File(None, description="The signed form's scan (required).")
_BINARY = {"schema": {"type": "string", "format": "binary"}}


class OwnTaskAuth(TokenAuth):
    """Any role with OWN_TASKS may act on its own tasks. Employees' and auditors' tokens are
    read-only by role, so for them read-only is no refusal; a read-only token of a role
    that may write was restricted on purpose and stays read-only here too."""

    def __call__(self, request: HttpRequest):
        token = getattr(request, "api_token", None)
        if token is None:
            return None
        if not request.membership.can(roles.OWN_TASKS):
            raise HttpError(403, f"Your role ({request.membership.role}) cannot do this.")
        writer = request.membership.can(roles.WRITE)
        if request.method not in ("GET", "HEAD", "OPTIONS") and token.read_only and writer:
            raise HttpError(403, "This API token is read-only.")
        return token


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _policy(request: HttpRequest, policy_id: int) -> Policy:
    found = queries.policy(request.organization, policy_id)
    if found is None:
        raise NotFound("No such policy.")
    return found


def _version(request: HttpRequest, version_id: int) -> PolicyVersion:
    found = queries.version(request.organization, version_id)
    if found is None:
        raise NotFound("No such policy version.")
    return found


def policy_out(policy: Policy) -> dict:
    current, latest = policy.current_version(), policy.latest_version()
    today = timezone.localdate()
    return {
        **{
            f: getattr(policy, f)
            for f in (
                "id",
                "key",
                "title",
                "owner_id",
                "audience",
                "departments",
                "review_cadence_months",
                "next_review_date",
                "ack_window_days",
                "controls",
                "criteria",
                "template_key",
            )
        },
        "review_overdue": bool(policy.next_review_date and policy.next_review_date < today),
        "current_version_id": current.pk if current else None,
        "latest_version_id": latest.pk if latest else None,
    }


def version_out(version: PolicyVersion) -> PolicyVersion:
    version.html = rendering.to_html(version.body)
    return version


def _standing(person: Person, cell) -> dict:
    return {
        "person_id": person.pk,
        "full_name": person.full_name,
        "state": cell.state,
        "due": cell.due,
        "acknowledged_at": cell.acknowledged_at,
        "version_number": cell.version_number,
    }


def _rate(rate: queries.PolicyRate) -> dict:
    return {
        "policy_id": rate.published.policy.pk,
        "version_id": rate.published.current.pk,
        "audience": rate.audience,
        "acknowledged": rate.done,
        "rate": rate.rate,
        "exceptions": [_standing(p, c) for p, c in rate.exceptions],
    }


# -- the library ----------------------------------------------------------------------


@router.get(
    "/policies/templates",
    response={200: list[PolicyTemplateOut], **READ_ERRORS},
    summary="List policy templates",
)
def list_templates(request: HttpRequest):
    """The ready-to-adopt templates, with the controls and criteria each supports."""
    return list(templates.all_templates().values())


@router.get(
    "/policies", response={200: list[PolicyDetailOut], **READ_ERRORS}, summary="List policies"
)
def list_policies(request: HttpRequest):
    """Every policy of the organisation by title, with its published and latest version."""
    return [policy_out(p) for p in queries.policies(request.organization)]


@router.post(
    "/policies/adopt", response={201: PolicyDetailOut, **WRITE_ERRORS}, summary="Adopt a template"
)
def adopt(request: HttpRequest, payload: PolicyAdoptIn):
    """Adopt a template as a new policy with a draft version 1, its placeholders filled
    with `company_name` (default: the organisation's name), the owner's name and the review
    cadence. A template already adopted is a 409. Logged as `policy.created`."""
    data = payload.model_dump()
    policy = services.adopt_template(
        request.organization,
        _actor(request),
        template_key=data["template_key"],
        owner=data["owner_id"],
        company_name=data["company_name"],
        review_cadence_months=data["review_cadence_months"],
        audience=data["audience"],
        departments=data["departments"],
    )
    return Status(201, policy_out(policy))


@router.post("/policies", response={201: PolicyDetailOut, **WRITE_ERRORS}, summary="Write a policy")
def create_policy(request: HttpRequest, payload: PolicyCreateIn):
    """A policy written from scratch, with its Markdown as draft version 1."""
    data = payload.model_dump()
    data["owner"] = data.pop("owner_id")
    policy = services.create_policy(request.organization, _actor(request), **data)
    return Status(201, policy_out(policy))


@router.get(
    "/policies/library.pdf",
    response={**READ_ERRORS},
    summary="The policy library as PDF",
    openapi_extra={
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": _BINARY}}}
    },
)
def library_pdf(request: HttpRequest) -> HttpResponse:
    """Every policy's published version (else its latest) with its approval record."""
    org = request.organization
    content = pdf.library_pdf(org.name, queries.library(org))
    return download(content, f"{org.slug}-policies.pdf", "application/pdf")


@router.get(
    "/policies/{int:policy_id}",
    response={200: PolicyDetailOut, **READ_ERRORS},
    summary="Get a policy",
)
def get_policy(request: HttpRequest, policy_id: int = PolicyId):
    """One policy with its mapping, review dates and current version."""
    return policy_out(_policy(request, policy_id))


@router.patch(
    "/policies/{int:policy_id}",
    response={200: PolicyDetailOut, **WRITE_ERRORS},
    summary="Change a policy",
)
def update_policy(request: HttpRequest, payload: PolicyPatch, policy_id: int = PolicyId):
    """Change the fields given (owner, audience, cadence, window…). Logged as
    `policy.updated`."""
    _policy(request, policy_id)
    fields = payload.model_dump(exclude_unset=True)
    if "owner_id" in fields:
        fields["owner"] = fields.pop("owner_id")
    services.update_policy(request.organization, _actor(request), policy_id, **fields)
    return policy_out(_policy(request, policy_id))


@router.get(
    "/policies/{int:policy_id}/versions",
    response={200: list[PolicyVersionSummary], **READ_ERRORS},
    summary="List a policy's versions",
)
def list_versions(request: HttpRequest, policy_id: int = PolicyId):
    """Newest first."""
    policy = _policy(request, policy_id)
    return list(policy.versions.prefetch_related("approvals").order_by("-number"))


@router.post(
    "/policies/{int:policy_id}/versions",
    response={201: PolicyVersionOut, **WRITE_ERRORS},
    summary="Start a new version",
)
def new_version(request: HttpRequest, payload: PolicyVersionIn, policy_id: int = PolicyId):
    """A new draft (text defaults to the latest version's). 409 while another version is
    in progress. `material` says whether the audience must acknowledge it again."""
    _policy(request, policy_id)
    version = services.new_version(
        request.organization, _actor(request), policy_id, **payload.model_dump()
    )
    return Status(201, version_out(version))


# -- versions -------------------------------------------------------------------------


@router.get(
    "/policies/versions/{int:version_id}",
    response={200: PolicyVersionOut, **READ_ERRORS},
    summary="Get a policy version",
)
def get_version(request: HttpRequest, version_id: int = VersionId):
    """The version's Markdown, its sanitised HTML and its approval record."""
    return version_out(_version(request, version_id))


@router.patch(
    "/policies/versions/{int:version_id}",
    response={200: PolicyVersionOut, **WRITE_ERRORS},
    summary="Edit a draft",
)
def edit_version(request: HttpRequest, payload: PolicyVersionPatch, version_id: int = VersionId):
    """Change a draft's text, summary or material flag; a version past draft is a 409."""
    _version(request, version_id)
    fields = payload.model_dump(exclude_unset=True, exclude_none=True)
    services.edit_version(request.organization, _actor(request), version_id, **fields)
    return version_out(_version(request, version_id))


def _step(name: str, summary: str, doc: str):
    def handler(request: HttpRequest, version_id: int = VersionId):
        _version(request, version_id)
        getattr(services, name)(request.organization, _actor(request), version_id)
        return version_out(_version(request, version_id))

    handler.__doc__ = doc
    handler.__name__ = f"version_{name}"
    path = f"/policies/versions/{{int:version_id}}/{name.replace('_', '-')}"
    router.post(path, response={200: PolicyVersionOut, **WRITE_ERRORS}, summary=summary)(handler)


_step("submit_for_review", "Submit a draft for review", "draft → in review (409 otherwise).")
_step("return_to_draft", "Send a version back to draft", "in review → draft (409 otherwise).")
_step("approve", "Approve a version", "in review → approved, recording the approver and date.")
_step("retire", "Retire a published version", "published → retired; nobody is asked any more.")


@router.post(
    "/policies/versions/{int:version_id}/publish",
    response={200: PolicyVersionOut, **WRITE_ERRORS},
    summary="Publish an approved version",
)
def publish(request: HttpRequest, payload: PolicyPublishIn, version_id: int = VersionId):
    """approved → published: supersedes the previous published version, sets the next
    review date and distributes it to the audience (a material change asks everyone again)."""
    _version(request, version_id)
    services.publish(request.organization, _actor(request), version_id, **payload.model_dump())
    return version_out(_version(request, version_id))


class PolicyDiffQuery(Schema):
    against: int | None = None


@router.get(
    "/policies/versions/{int:version_id}/diff",
    response={200: PolicyDiffOut, **READ_ERRORS},
    summary="Compare two versions",
)
def diff(request: HttpRequest, filters: Query[PolicyDiffQuery], version_id: int = VersionId):
    """This version against `against` (another version of the same policy; default the
    previous version, or empty text for version 1)."""
    version = _version(request, version_id)
    other = None
    if filters.against is not None:
        other = (
            queries.version(request.organization, filters.against)
            if 1 <= filters.against <= MAX_ID
            else None
        )
        if other is None or other.policy_id != version.policy_id:
            raise NotFound("No such version of this policy.", field="against")
    else:
        other = queries.previous_version(version)
    old = other.body if other else ""
    return {
        "old_version_id": other.pk if other else None,
        "new_version_id": version.pk,
        "lines": rendering.diff(old, version.body),
        "unified": rendering.unified(
            old, version.body, f"v{other.number if other else 0}", f"v{version.number}"
        ),
    }


@router.get(
    "/policies/versions/{int:version_id}/pdf",
    response={**READ_ERRORS},
    summary="A policy version as PDF",
    openapi_extra={
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": _BINARY}}}
    },
)
def version_pdf(request: HttpRequest, version_id: int = VersionId) -> HttpResponse:
    """The version's text with its approval record."""
    version = _version(request, version_id)
    name = f"{version.policy.key}-v{version.number}.pdf"
    return download(pdf.version_pdf(version), name, "application/pdf")


# -- acknowledgements -----------------------------------------------------------------


def _me(request: HttpRequest) -> Person | None:
    email = request.api_token.user.email.lower()
    return Person.objects.filter(organization=request.organization, work_email=email).first()


@router.get(
    "/policies/mine",
    response={200: PolicyPendingOut, **READ_ERRORS},
    auth=OwnTaskAuth(),
    summary="My policies to acknowledge",
)
def mine(request: HttpRequest):
    """The published versions the caller (matched to the roster by email) still has to
    acknowledge; empty for a caller not on the roster."""
    person = _me(request)
    pending = queries.pending_for(request.organization, person) if person else []
    return {
        "person_id": person.pk if person else None,
        "versions": [version_out(v) for v in pending],
    }


@router.post(
    "/policies/versions/{int:version_id}/acknowledge",
    response={201: PolicyAckOut, **WRITE_ERRORS},
    auth=OwnTaskAuth(),
    summary="Acknowledge a policy version",
)
def acknowledge(request: HttpRequest, version_id: int = VersionId):
    """The caller acknowledges this version for themself, with their address and user
    agent. 403 when the caller is not on the roster or not in the audience; 410 for a
    retired or superseded version (naming the one to read); 409 when already acknowledged
    or not published."""
    version = _version(request, version_id)
    person = _me(request)
    if person is None:
        raise HttpError(403, "You are not on this organisation's roster.")
    actor = _actor(request)
    ack = services.acknowledge(
        request.organization,
        actor,
        person=person,
        version_id=version.pk,
        client_ip=client_ip(request),
        user_agent=actor.user_agent,
    )
    return Status(201, ack)


@router.post(
    "/policies/versions/{int:version_id}/paper-acknowledgements",
    response={201: PolicyAckOut, **WRITE_ERRORS},
    summary="Record a paper acknowledgement",
)
def paper_acknowledgement(
    request: HttpRequest,
    version_id: int = VersionId,
    person_id: int | None = PaperPerson,
    scan: UploadedFile | None = ScanFile,
):
    """An owner or admin records a person's signed paper acknowledgement; the scan is kept
    as evidence. Multipart: `person_id` and `scan` (both required: 400 naming the one
    missing)."""
    _version(request, version_id)
    if person_id is None:
        raise DomainError("Choose the person who signed.", field="person_id")
    ack = services.record_paper_acknowledgement(
        request.organization,
        _actor(request),
        person=person_id,
        version_id=version_id,
        scan_file=scan,
    )
    return Status(201, ack)


@router.get(
    "/policies/{int:policy_id}/acknowledgements",
    response={200: PolicyAcksOut, **READ_ERRORS},
    summary="A policy's acknowledgements",
)
def policy_acknowledgements(request: HttpRequest, policy_id: int = PolicyId):
    """The rate of the published version, each person's standing, the exceptions (late or
    overdue) and the acknowledgements per version."""
    policy = _policy(request, policy_id)
    full = queries.matrix(request.organization)
    index = next((i for i, c in enumerate(full.columns) if c.policy.pk == policy.pk), None)
    people = (
        []
        if index is None
        else [_standing(p, cells[index]) for p, cells in full.rows if cells[index] is not None]
    )
    return {
        "current": _rate(full.rates[index]) if index is not None else None,
        "versions": [
            {"number": n, "acknowledgements": a, "audience_at_publication": s}
            for n, (a, s) in sorted(queries.version_rates(request.organization, policy).items())
        ],
        "people": people,
    }


@router.get(
    "/policies/matrix",
    response={200: PolicyMatrixOut, **READ_ERRORS},
    summary="The acknowledgement matrix",
)
def matrix(request: HttpRequest):
    """People x published policies: each cell the person's state, with each policy's rate
    and exceptions and each person's rate."""
    full = queries.matrix(request.organization)
    return {
        "policies": [_rate(r) for r in full.rates],
        "rows": [
            {
                "person_id": p.pk,
                "full_name": p.full_name,
                "rate": full.person_rate(cells),
                "cells": [c.state if c else None for c in cells],
            }
            for p, cells in full.rows
        ],
    }


@router.get(
    "/policies/matrix.csv",
    response={**READ_ERRORS},
    summary="The matrix as CSV",
    openapi_extra={"responses": {"200": {"description": "CSV", "content": {"text/csv": _BINARY}}}},
)
def matrix_csv(request: HttpRequest) -> HttpResponse:
    """One row per person, one column per published policy."""
    header, rows = queries.matrix_csv_rows(queries.matrix(request.organization))
    return download(csv_bytes(header, rows), "policy-acknowledgements.csv", "text/csv")


PersonId = Path(..., ge=1, le=MAX_ID, description="A person's id.")


@router.get(
    "/policies/people/{int:person_id}/acknowledgements",
    response={200: PolicyPersonAcksOut, **READ_ERRORS},
    summary="A person's acknowledgements",
)
def person_acknowledgements(request: HttpRequest, person_id: int = PersonId):
    """Each published policy whose audience includes the person, with their state, the
    person's acknowledgement rate and how many windows they missed."""
    person = Person.objects.filter(organization=request.organization, pk=person_id).first()
    if person is None:
        raise NotFound("No such person.")
    rows = queries.person_standings(request.organization, person)
    done = sum(cell.done for _, cell in rows)
    return {
        "person_id": person.pk,
        "rate": round(100 * done / len(rows), 1) if rows else None,
        "exceptions": sum(cell.exception for _, cell in rows),
        "policies": [
            {"policy_id": item.policy.pk, "title": item.policy.title,
             "required_version": item.base.number, "state": cell.state, "due": cell.due,
             "acknowledged_at": cell.acknowledged_at, "version_number": cell.version_number}
            for item, cell in rows
        ],
    }  # fmt: skip


# -- reviews and checks ---------------------------------------------------------------


@router.post(
    "/policies/reviews/flag",
    response={200: list[PolicyReviewTaskOut], **WRITE_ERRORS},
    summary="Flag policies past review",
)
def flag_reviews(request: HttpRequest):
    """Create a remediation task for each policy past its review date without one."""
    return services.flag_overdue_reviews(request.organization, _actor(request))


@router.post(
    "/policies/checks",
    response={200: PolicyChecksOut, **WRITE_ERRORS},
    summary="Turn on the policy checks",
)
def ensure_checks(request: HttpRequest):
    """Create (once) the built-in integration that runs the policy checks."""
    return services.ensure_policy_checks(request.organization, _actor(request))
