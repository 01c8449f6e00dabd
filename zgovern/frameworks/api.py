"""REST endpoints of the organisation's frameworks: the library, adoption (built-in or a
custom file), each framework's criteria and readiness, scoping of categories and
criteria, and the versioned system description.

The bearer token decides the organisation (see the tenancy middleware), and every object
is looked up through it, so another organisation's id answers 404. Writes go through
:mod:`zgovern.frameworks.services`, which record each change in the activity log.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Path, Router, Status, UploadedFile

from zgovern.controls.models import ControlStatus
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError, NotFound
from zgovern.frameworks import library, queries, services
from zgovern.frameworks.models import Framework, SystemDescription
from zgovern.frameworks.schemas import (
    MAX_ID,
    AdoptedOut,
    AdoptIn,
    CategoryOut,
    CategoryPatch,
    CriterionOut,
    CriterionPatch,
    ErrorOut,
    FrameworkDetailOut,
    FrameworkOut,
    LibraryFrameworkOut,
    ReadinessOut,
    SystemDescriptionIn,
    SystemDescriptionOut,
    SystemVersionOut,
)
from zgovern.readiness.engine import FrameworkReadiness, assess_organization

router = Router()

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
FrameworkId = Path(..., ge=1, le=MAX_ID, description="An adopted framework's id.")
CategoryId = Path(..., ge=1, le=MAX_ID, description="A category's id.")
CriterionId = Path(..., ge=1, le=MAX_ID, description="A criterion's id (not a group's).")
VersionId = Path(..., ge=1, le=MAX_ID, description="A system description version's id.")
# Optional in the signature so that a missing file is a 400 naming `file`.
OptionalFile = File(None, description="The framework file (YAML, at most 2 MB).")


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _framework(request: HttpRequest, framework_id: int) -> Framework:
    return get_object_or_404(Framework, pk=framework_id, organization=request.organization)


def _score(value: float) -> float:
    return min(1.0, max(0.0, round(value, 6)))


def _framework_out(readiness: FrameworkReadiness, in_scope_keys: list[str]) -> dict:
    framework = readiness.framework
    return {
        "id": framework.pk,
        "key": framework.key,
        "name": framework.name,
        "version": framework.version,
        "description": framework.description,
        "is_custom": framework.is_custom,
        "adopted_at": framework.adopted_at,
        "categories_in_scope": in_scope_keys,
        "criteria_in_scope": readiness.criteria_in_scope,
        "criteria_ready": readiness.criteria_ready,
        "score": _score(readiness.score),
    }


def _summary_out(request: HttpRequest, framework: Framework) -> dict:
    for summary in queries.summaries(request.organization):
        if summary.framework.pk == framework.pk:
            return _framework_out(summary.readiness, [c.key for c in summary.categories_in_scope])
    raise NotFound("No such framework.")


# -- frameworks -----------------------------------------------------------------------


@router.get(
    "/frameworks",
    response={200: list[FrameworkOut], **READ_ERRORS},
    tags=["frameworks"],
    summary="List adopted frameworks",
)
def list_frameworks(request: HttpRequest):
    """The organisation's frameworks, oldest first, with the categories in scope and the
    readiness score (0 to 1) of each."""
    return [
        _framework_out(s.readiness, [c.key for c in s.categories_in_scope])
        for s in queries.summaries(request.organization)
    ]


@router.get(
    "/frameworks/library",
    response={200: list[LibraryFrameworkOut], **READ_ERRORS},
    tags=["frameworks"],
    summary="List the built-in frameworks",
)
def list_library(request: HttpRequest):
    """Every built-in framework zGovern ships, and whether the organisation adopted it."""
    adopted = set(
        Framework.objects.filter(organization=request.organization).values_list("key", flat=True)
    )
    return [
        {
            "key": f.id,
            "name": f.name,
            "version": f.version,
            "publisher": f.publisher,
            "description": f.description,
            "categories": [
                {"key": c.id, "name": c.name, "always_in_scope": c.always_in_scope}
                for c in f.categories
            ],
            "criteria": len(f.criteria),
            "adopted": f.id in adopted,
        }
        for f in library.load_builtin_frameworks().values()
    ]


@router.post(
    "/frameworks",
    response={201: AdoptedOut, **WRITE_ERRORS},
    tags=["frameworks"],
    summary="Adopt a built-in framework",
)
def adopt_framework(request: HttpRequest, payload: AdoptIn):
    """Copy a built-in framework into the organisation (its required categories in
    scope) and, unless `with_default_controls` is false, the default controls mapped to
    its criteria, all or nothing. An unknown key answers 404, an adopted one 409. Logged
    as `framework.adopted` and `controls.defaults_adopted`."""
    framework, created = services.adopt_builtin(
        request.organization,
        _actor(request),
        payload.key,
        with_default_controls=payload.with_default_controls,
    )
    return Status(201, {"framework": _summary_out(request, framework), "controls_created": created})


@router.post(
    "/frameworks/custom",
    response={201: FrameworkOut, **WRITE_ERRORS},
    tags=["frameworks"],
    summary="Adopt a custom framework from a file",
)
def adopt_custom(request: HttpRequest, file: UploadedFile | None = OptionalFile):
    """A multipart upload of a framework file in the documented format (the `file` part).
    A file with problems answers 400 with one entry per problem in `errors`: the field
    is `file.<path in the file>`, the message starts with the line. Nothing is stored
    then. A built-in framework's id, or one already adopted, answers 409. Logged as
    `framework.adopted`."""
    if file is None:
        raise DomainError("Attach the framework file as the `file` part.", field="file")
    if file.size is not None and file.size > services.MAX_CUSTOM_BYTES:
        raise DomainError("The file is larger than 2 MB.", field="file")
    try:
        framework = services.adopt_custom_framework(
            request.organization, _actor(request), file.read(), file.name or ""
        )
    except services.FrameworkFileError as exc:
        return Status(400, _problems_out(exc))
    return Status(201, _summary_out(request, framework))


def _problems_out(exc: services.FrameworkFileError) -> dict:
    """One error entry per problem of the file, each naming its field and line."""
    errors = [
        {
            "field": f"file.{p.field}" if p.field else "file",
            "message": f"line {p.line}: {p.message}" if p.line else p.message,
        }
        for p in exc.problems
    ]
    count = len(errors)
    detail = f"The file has {count} problem{'s' if count != 1 else ''}; nothing was stored."
    return {"detail": detail, "errors": errors}


@router.get(
    "/frameworks/{int:framework_id}",
    response={200: FrameworkDetailOut, **READ_ERRORS},
    tags=["frameworks"],
    summary="Get a framework with its categories and criteria",
)
def get_framework(request: HttpRequest, framework_id: int = FrameworkId):
    """One adopted framework: its categories with their scope decision and reason, and
    every node of its criteria tree in document order (groups have `assessable` false),
    each with its N/A flag and justification and whether it is in scope."""
    framework = _framework(request, framework_id)
    categories, nodes = queries.criteria_with_scope(request.organization, framework)
    body = _summary_out(request, framework)
    return body | {"categories": categories, "criteria": nodes}


@router.get(
    "/frameworks/{int:framework_id}/readiness",
    response={200: ReadinessOut, **READ_ERRORS},
    tags=["frameworks"],
    summary="Get a framework's readiness",
)
def get_readiness(request: HttpRequest, framework_id: int = FrameworkId):
    """How ready the framework's in-scope criteria are: the score (0 to 1) overall and per
    category in scope, the controls mapped to in-scope criteria by status, the criteria
    without an applicable control, and the ids of the controls not yet implemented and
    evidenced, worst first (severity, criteria left uncovered, progress)."""
    framework = _framework(request, framework_id)
    assessment = assess_organization(request.organization)
    readiness = queries.readiness_of(assessment, framework)
    counts = readiness.controls_by_status
    return {
        "framework_id": framework.pk,
        "score": _score(readiness.score),
        "criteria_in_scope": readiness.criteria_in_scope,
        "criteria_ready": readiness.criteria_ready,
        "categories": [
            {
                "category_id": c.category.pk,
                "key": c.category.key,
                "name": c.category.name,
                "criteria_in_scope": c.criteria_in_scope,
                "criteria_ready": c.criteria_ready,
                "score": _score(c.score),
            }
            for c in readiness.categories
        ],
        "controls_by_status": {s.value: counts.get(s.value, 0) for s in ControlStatus},
        "criteria_uncovered": [
            {"id": c.pk, "ref": c.ref, "title": c.title} for c in readiness.criteria_uncovered
        ],
        "gaps": [state.control.pk for state in readiness.gaps],
        "computed_at": assessment.computed_at,
    }


# -- scoping --------------------------------------------------------------------------


@router.patch(
    "/categories/{int:category_id}",
    response={200: CategoryOut, **WRITE_ERRORS},
    tags=["scope"],
    summary="Scope a category in or out",
)
def scope_category(request: HttpRequest, payload: CategoryPatch, category_id: int = CategoryId):
    """Put a category in or out of scope, with the reason (required either way). A
    category that is always in scope (SOC 2 Security) cannot be scoped out (400). Logged
    as `framework.category_scoped`."""
    return services.set_category_scope(
        request.organization,
        _actor(request),
        category_id,
        in_scope=payload.in_scope,
        reason=payload.reason,
    )


@router.patch(
    "/criteria/{int:criterion_id}",
    response={200: CriterionOut, **WRITE_ERRORS},
    tags=["scope"],
    summary="Mark a criterion not applicable, or applicable again",
)
def set_applicability(
    request: HttpRequest, payload: CriterionPatch, criterion_id: int = CriterionId
):
    """Mark an assessable criterion not applicable (a `justification` is required) or
    applicable again. Groups such as `CC6` answer 404. Logged as
    `framework.criterion_applicability`."""
    criterion = services.set_criterion_applicability(
        request.organization,
        _actor(request),
        criterion_id,
        not_applicable=payload.not_applicable,
        justification=payload.justification,
    )
    scoped = queries.category_in_scope(criterion.category)
    criterion.in_scope = scoped and not criterion.not_applicable
    return criterion


# -- system description ---------------------------------------------------------------


@router.get(
    "/system-description",
    response={200: SystemDescriptionOut, **READ_ERRORS},
    tags=["system-description"],
    summary="Get the current system description",
)
def get_system_description(request: HttpRequest):
    """The newest version. 404 until a first version is saved."""
    current = queries.current_system_description(request.organization)
    if current is None:
        raise NotFound("No system description yet.")
    return current


@router.get(
    "/system-description/versions",
    response={200: list[SystemVersionOut], **READ_ERRORS},
    tags=["system-description"],
    summary="List the system description's versions",
)
def list_system_versions(request: HttpRequest):
    """Every saved version, newest first, without its text."""
    return list(queries.system_versions(request.organization))


@router.get(
    "/system-description/versions/{int:system_description_id}",
    response={200: SystemDescriptionOut, **READ_ERRORS},
    tags=["system-description"],
    summary="Get one version of the system description",
)
def get_system_version(request: HttpRequest, system_description_id: int = VersionId):
    """One version by its id (from the versions list), current or older."""
    return get_object_or_404(
        SystemDescription.objects.select_related("created_by"),
        pk=system_description_id,
        organization=request.organization,
    )


@router.post(
    "/system-description",
    response={201: SystemDescriptionOut, **WRITE_ERRORS},
    tags=["system-description"],
    summary="Save a new version of the system description",
)
def save_system_description(request: HttpRequest, payload: SystemDescriptionIn):
    """Store a new version; older versions are kept. Fields left out (or null) keep their
    text from the current version; send `""` to clear one. Two saves at the same moment:
    the second answers 409. Logged as `system_description.saved`."""
    org = request.organization
    current = queries.current_system_description(org)
    fields = {name: getattr(current, name) if current else "" for name in services.SYSTEM_FIELDS}
    fields.update(payload.model_dump(exclude_none=True))
    saved = services.save_system_description(org, _actor(request), fields)
    return Status(201, queries.current_system_description(org) or saved)
