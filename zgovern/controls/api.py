"""REST endpoints of the organisation's controls (their tests, criteria, override and
evidence) and of the remediation plan.

The bearer token decides the organisation (see the tenancy middleware); every object is
looked up through it, so another organisation's id answers 404. Writes go through
:mod:`zgovern.controls.services`, which validate, log each change, and refuse with 400,
404 or 409 naming the field.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from zgovern.controls import queries, services
from zgovern.controls.lookups import get_control, get_task
from zgovern.controls.schemas import (
    MAX_ID,
    PRIORITY_VALUES,
    CheckIn,
    ControlIn,
    ControlOut,
    ControlPage,
    ControlPatch,
    ControlQuery,
    CriteriaIn,
    ErrorOut,
    EvidenceLinkIn,
    GeneratedOut,
    GenerateIn,
    OverrideIn,
    PolicyIn,
    RequirementIn,
    RequirementOut,
    RequirementPatch,
    StatusOut,
    TaskIn,
    TaskOut,
    TaskPage,
    TaskPatch,
    TaskQuery,
)
from zgovern.controls.serialize import control_data, control_summary, requirement_data
from zgovern.controls.services import get_requirement
from zgovern.core.actor import Actor
from zgovern.readiness.engine import assess_organization

router = Router()

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
ControlId = Path(..., ge=1, le=MAX_ID, description="A control's id.")
RequirementId = Path(..., ge=1, le=MAX_ID, description="An evidence requirement's id.")
TaskId = Path(..., ge=1, le=MAX_ID, description="A remediation task's id.")
CONTROLS, PLAN = ["controls"], ["remediation"]


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _control_out(request: HttpRequest, control_id: int) -> dict:
    control = get_control(request.organization, control_id)
    return control_data(request.organization, control)


# -- controls -------------------------------------------------------------------------


@router.get(
    "/controls",
    response={200: ControlPage, **READ_ERRORS},
    tags=CONTROLS,
    summary="List controls",
)
def list_controls(request: HttpRequest, filters: Query[ControlQuery]):
    """Controls with their current status, `limit` from `offset`, filtered by text,
    status, owner (0: unowned), domain, severity, or a framework or category they are
    mapped to, and sorted (`-status` puts evidenced first)."""
    org = request.organization
    assessment = assess_organization(org)
    wanted = queries.ControlFilters(
        framework=filters.framework, category=filters.category,
        status=filters.status.value if filters.status else "", owner=filters.owner,
        domain=filters.domain.lower(), severity=filters.severity.value if filters.severity else "",
        q=filters.q.strip(), sort=filters.sort,
    )  # fmt: skip
    states = queries.control_rows(org, assessment, wanted)
    page = states[filters.offset : filters.offset + filters.limit]
    users = queries.users_by_id(s.control.owner_id for s in page)
    return {"count": len(states), "items": [control_summary(s, users) for s in page]}


@router.post(
    "/controls",
    response={201: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Create a control",
)
def create_control(request: HttpRequest, payload: ControlIn):
    """A new control with no tests yet (status missing). The key is unique in the
    organisation (409); the owner must be a member who is not an auditor (400). Logged as
    `control.created`."""
    fields = payload.model_dump()
    fields.update(frequency=payload.frequency.value, severity=payload.severity.value)
    control = services.create_control(request.organization, _actor(request), **fields)
    return Status(201, _control_out(request, control.pk))


@router.get(
    "/controls/{int:control_id}",
    response={200: ControlOut, **READ_ERRORS},
    tags=CONTROLS,
    summary="Get a control",
)
def get_control_detail(request: HttpRequest, control_id: int = ControlId):
    """The control with its status and every reason, its checks (current outcome counts),
    evidence requirements (newest evidence and freshness), policies, mapped criteria,
    manual override and linked evidence."""
    return _control_out(request, control_id)


@router.patch(
    "/controls/{int:control_id}",
    response={200: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Change a control",
)
def update_control(request: HttpRequest, payload: ControlPatch, control_id: int = ControlId):
    """Change any of key, name, description, domain, frequency, severity and owner
    (`null` removes the owner). Logged as `control.updated` with before and after."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    changes = payload.model_dump(exclude_unset=True, mode="json")
    services.update_control(request.organization, _actor(request), control_id, **changes)
    return _control_out(request, control_id)


@router.get(
    "/controls/{int:control_id}/status",
    response={200: StatusOut, **READ_ERRORS},
    tags=CONTROLS,
    summary="Get a control's status and its reasons",
)
def get_status(request: HttpRequest, control_id: int = ControlId):
    """The status derived from the control's tests (or set by hand), with the reasons."""
    control = get_control(request.organization, control_id)
    state = assess_organization(request.organization).controls[control.pk]
    return {
        "control_id": control.pk,
        "status": state.verdict.status,
        "manual": bool(control.override_status),
        "score": state.verdict.score,
        "reasons": list(state.verdict.reasons),
    }


@router.put(
    "/controls/{int:control_id}/override",
    response={200: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Set a control's status by hand",
)
def set_override(request: HttpRequest, payload: OverrideIn, control_id: int = ControlId):
    """Override the derived status. The justification is required (400 without) and is
    logged as `control.override_set` with the status and justification before and after."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.set_override(
        request.organization,
        _actor(request),
        control_id,
        status=payload.status.value,
        justification=payload.justification,
    )
    return _control_out(request, control_id)


@router.delete(
    "/controls/{int:control_id}/override",
    response={200: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Clear a control's manual status",
)
def clear_override(request: HttpRequest, control_id: int = ControlId):
    """Return to the status derived from the tests (409 when none is set). Logged as
    `control.override_cleared`."""
    services.clear_override(request.organization, _actor(request), control_id)
    return _control_out(request, control_id)


# -- a control's tests, criteria and evidence -----------------------------------------


@router.post(
    "/controls/{int:control_id}/checks",
    response={201: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Add an automated check",
)
def add_check(request: HttpRequest, payload: CheckIn, control_id: int = ControlId):
    """Prove the control with a check (a dotted id, 400 otherwise; 409 when already used)."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.add_check(request.organization, _actor(request), control_id, payload.check_id)
    return Status(201, _control_out(request, control_id))


@router.post(
    "/controls/{int:control_id}/checks/remove",
    response={200: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Remove an automated check",
)
def remove_check(request: HttpRequest, payload: CheckIn, control_id: int = ControlId):
    """Stop using a check for the control (404 when it does not use it). The check id is
    in the body: ids contain dots, which do not belong in a path."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.remove_check(request.organization, _actor(request), control_id, payload.check_id)
    return _control_out(request, control_id)


@router.post(
    "/controls/{int:control_id}/policies",
    response={201: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Add a policy the control relies on",
)
def add_policy(request: HttpRequest, payload: PolicyIn, control_id: int = ControlId):
    """Record a policy the control relies on, by key (409 when already there). Policies
    count towards the status once the policies module tracks them."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.add_policy(request.organization, _actor(request), control_id, payload.policy_key)
    return Status(201, _control_out(request, control_id))


@router.post(
    "/controls/{int:control_id}/policies/remove",
    response={200: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Remove a policy from the control",
)
def remove_policy(request: HttpRequest, payload: PolicyIn, control_id: int = ControlId):
    """Stop relying on a policy (404 when the control does not rely on it)."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.remove_policy(request.organization, _actor(request), control_id, payload.policy_key)
    return _control_out(request, control_id)


@router.post(
    "/controls/{int:control_id}/requirements",
    response={201: RequirementOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Require evidence",
)
def add_requirement(request: HttpRequest, payload: RequirementIn, control_id: int = ControlId):
    """Require evidence of a kind, fresh for 1 to 3660 days (one requirement per kind:
    409). Logged as `control.requirement_added`."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    requirement = services.add_requirement(
        request.organization, _actor(request), control_id, **payload.model_dump()
    )
    return Status(201, requirement_data(request.organization, requirement))


@router.patch(
    "/requirements/{int:requirement_id}",
    response={200: RequirementOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Change an evidence requirement",
)
def update_requirement(
    request: HttpRequest, payload: RequirementPatch, requirement_id: int = RequirementId
):
    """Change the kind, description or freshness (1 to 3660 days); fields left out keep
    their value. Logged as `control.requirement_updated` with before and after."""
    get_requirement(request.organization, requirement_id)
    changes = payload.model_dump(exclude_unset=True)
    requirement = services.update_requirement(
        request.organization, _actor(request), requirement_id, **changes
    )
    return requirement_data(request.organization, requirement)


@router.delete(
    "/requirements/{int:requirement_id}",
    response={204: None, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Remove an evidence requirement",
)
def remove_requirement(request: HttpRequest, requirement_id: int = RequirementId):
    """Stop requiring that evidence; linked evidence stays linked. Logged as
    `control.requirement_removed`."""
    services.remove_requirement(request.organization, _actor(request), requirement_id)
    return Status(204, None)


@router.post(
    "/controls/{int:control_id}/criteria",
    response={200: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Map the control to criteria",
)
def map_criteria(request: HttpRequest, payload: CriteriaIn, control_id: int = ControlId):
    """Map to assessable criteria of the organisation's frameworks (404 for any other id;
    already mapped ones are kept). Logged as `control.criteria_mapped`."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.map_criteria(request.organization, _actor(request), control_id, payload.criterion_ids)
    return _control_out(request, control_id)


@router.post(
    "/controls/{int:control_id}/criteria/remove",
    response={200: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Unmap criteria from the control",
)
def unmap_criteria(request: HttpRequest, payload: CriteriaIn, control_id: int = ControlId):
    """Remove the control's mappings to these criteria (404 when one is not mapped).
    Logged as `control.criteria_unmapped`."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.unmap_criteria(
        request.organization, _actor(request), control_id, payload.criterion_ids
    )
    return _control_out(request, control_id)


@router.post(
    "/controls/{int:control_id}/evidence",
    response={201: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Link evidence to the control",
)
def link_evidence(request: HttpRequest, payload: EvidenceLinkIn, control_id: int = ControlId):
    """Link an evidence item of the organisation (add one first with `POST /evidence/…`).
    Evidence of a required kind counts towards the control's status."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.link_evidence(request.organization, _actor(request), control_id, payload.evidence_id)
    return Status(201, _control_out(request, control_id))


@router.post(
    "/controls/{int:control_id}/evidence/remove",
    response={200: ControlOut, **WRITE_ERRORS},
    tags=CONTROLS,
    summary="Unlink evidence from the control",
)
def unlink_evidence(request: HttpRequest, payload: EvidenceLinkIn, control_id: int = ControlId):
    """Remove the link; the evidence item itself is never deleted."""
    get_control(request.organization, control_id)  # an outsider's id: 404 before 400
    services.unlink_evidence(request.organization, _actor(request), control_id, payload.evidence_id)
    return _control_out(request, control_id)


# -- remediation plan -----------------------------------------------------------------


def _task_out(request: HttpRequest, task_id: int):
    return queries.task(request.organization, get_task(request.organization, task_id).pk)


@router.get("/tasks", response={200: TaskPage, **READ_ERRORS}, tags=PLAN, summary="List tasks")
def list_tasks(request: HttpRequest, filters: Query[TaskQuery]):
    """Tasks overdue first, then by priority and target date; filtered by status
    (`active`: open or in progress), owner (0: unowned), priority, control or overdue."""
    wanted = queries.TaskFilters(
        status=getattr(filters.status, "value", filters.status) or "",
        owner=filters.owner,
        priority=PRIORITY_VALUES[filters.priority] if filters.priority else None,
        overdue=filters.overdue,
        control=filters.control,
    )
    rows = queries.tasks(request.organization, wanted)
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": list(page)}


@router.post("/tasks", response={201: TaskOut, **WRITE_ERRORS}, tags=PLAN, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn):
    """A new open task. The owner must be a member who is not an auditor, the control one
    of the organisation's, and the target date today or later (400). Logged as
    `remediation_task.created`."""
    fields = payload.model_dump()
    fields["priority"] = PRIORITY_VALUES[payload.priority]
    task = services.create_task(request.organization, _actor(request), **fields)
    return Status(201, _task_out(request, task.pk))


@router.post(
    "/tasks/generate",
    response={201: GeneratedOut, **WRITE_ERRORS},
    tags=PLAN,
    summary="Create tasks for every gap",
)
def generate_tasks(request: HttpRequest, payload: GenerateIn):
    """One open task per gap control without one (of a framework, or of all), titled from
    its status reasons, prioritised by its severity, owned by its owner, due in 14 to 90
    days. Running it again creates nothing new while those tasks are open."""
    created = services.generate_tasks_for_gaps(
        request.organization, _actor(request), payload.framework_id
    )
    ids = [task.pk for task in created]
    tasks = list(queries.tasks(request.organization).filter(pk__in=ids))
    return Status(201, {"created": len(ids), "tasks": tasks})


@router.get(
    "/tasks/{int:task_id}", response={200: TaskOut, **READ_ERRORS}, tags=PLAN, summary="Get a task"
)
def get_task_detail(request: HttpRequest, task_id: int = TaskId):
    """One task with its control, owner, priority, target date, status and whether it is
    overdue."""
    return _task_out(request, task_id)


@router.patch(
    "/tasks/{int:task_id}",
    response={200: TaskOut, **WRITE_ERRORS},
    tags=PLAN,
    summary="Change a task",
)
def update_task(request: HttpRequest, payload: TaskPatch, task_id: int = TaskId):
    """Change any field, the status included (`done` records when; reopening clears it).
    A changed target date must be today or later (400). Tasks are never deleted: close
    one with `wont_do`. Logged as `remediation_task.updated`."""
    get_task(request.organization, task_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("priority") is not None:
        changes["priority"] = PRIORITY_VALUES[payload.priority]
    if changes.get("status") is not None:
        changes["status"] = payload.status.value
    services.update_task(request.organization, _actor(request), task_id, **changes)
    return _task_out(request, task_id)
