"""REST endpoints of the employee portal: the caller's own tasks (policies to acknowledge,
training, onboarding) and recording their own training completion.

The caller is the roster's person whose work email (or alias) is the token owner's email;
there is no person parameter, so nobody can read or act on someone else's tasks. Every
role has OWN_TASKS; a caller not on the roster reads an empty list and is refused (403)
when writing. Acknowledging a policy version is
``POST /policies/versions/{version_id}/acknowledge`` (each task names its path).
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from zgovern.api import TokenAuth
from zgovern.core.actor import Actor
from zgovern.core.errors import Forbidden, NotFound
from zgovern.core.schema_types import MAX_ID
from zgovern.people.models import Person
from zgovern.portal import queries
from zgovern.tenancy import roles
from zgovern.tenancy.schemas import ErrorOut
from zgovern.training import queries as training
from zgovern.training import services as training_services

router = Router(tags=["portal"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
CourseId = Path(..., ge=1, le=MAX_ID, description="A course's id.")


class OwnTasksAuth(TokenAuth):
    """Every role may act on its own tasks. Employees' and auditors' roles cannot write,
    so their tokens' read-only flag refuses nothing more; a read-only token of a role that
    may write was restricted on purpose and stays read-only here too."""

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


class PortalPersonOut(Schema):
    id: int
    full_name: str
    work_email: str


class PortalPolicyOut(Schema):
    policy_id: int
    version_id: int = Field(description="The version to read and acknowledge.")
    title: str
    number: int
    state: str = Field(description="pending, overdue, acknowledged or late.")
    due: date
    acknowledged_at: datetime | None
    acknowledge_path: str = Field(description="Where to POST the acknowledgement.")


class PortalTrainingOut(Schema):
    course_id: int
    key: str
    title: str
    status: str = Field(description="done, due or overdue.")
    due_on: date | None
    last_completed: date | None


class PortalStepOut(Schema):
    title: str
    status: str = Field(description="done, pending or not_started.")
    detail: str


class PortalTasksOut(Schema):
    person: PortalPersonOut | None = Field(description="Empty when you are not on the roster.")
    open_count: int
    policies: list[PortalPolicyOut]
    training: list[PortalTrainingOut]
    onboarding: list[PortalStepOut]


class PortalCompletionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    completed_on: date | None = Field(None, description="Default: today; never in the future.")


class PortalCompletionOut(Schema):
    id: int
    course_key: str
    course_title: str
    completed_on: date


def _me(request: HttpRequest) -> Person | None:
    return queries.person_for(request.organization, request.membership.user.email)


@router.get(
    "/portal/tasks",
    response={200: PortalTasksOut, **READ_ERRORS},
    auth=OwnTasksAuth(),
    summary="My tasks",
)
def my_tasks(request: HttpRequest):
    """The caller's own policies (to acknowledge and done), training and onboarding
    steps; empty for a caller not on the roster."""
    tasks = queries.own_tasks(request.organization, _me(request), timezone.localdate())
    return {
        "person": tasks.person,
        "open_count": tasks.open_count,
        "policies": [_policy(t) for t in tasks.policies],
        "training": [_course(r) for r in tasks.training],
        "onboarding": tasks.onboarding,
    }


def _policy(task: queries.PolicyTask) -> dict:
    version = task.version
    return {
        "policy_id": version.policy_id, "version_id": version.pk, "title": version.policy.title,
        "number": version.number, "state": task.state, "due": task.due,
        "acknowledged_at": task.acknowledged_at,
        "acknowledge_path": f"/api/v1/policies/versions/{version.pk}/acknowledge",
    }  # fmt: skip


def _course(row: training.StatusRow) -> dict:
    return {
        "course_id": row.course.pk, "key": row.course.key, "title": row.course.title,
        "status": row.status, "due_on": row.standing.due_on,
        "last_completed": row.standing.last_completed,
    }  # fmt: skip


@router.post(
    "/portal/training/{int:course_id}/complete",
    response={201: PortalCompletionOut, **WRITE_ERRORS},
    auth=OwnTasksAuth(),
    summary="Record my training completion",
)
def complete(request: HttpRequest, payload: PortalCompletionIn, course_id: int = CourseId):
    """The caller completed this course (default today). 403 when the caller is not on the
    roster or the course is not assigned to them; 409 when already recorded that day.
    Logged as `person.training_recorded`."""
    course = training.course(request.organization, course_id)
    if course is None:
        raise NotFound("No such course.")
    person = _me(request)
    if person is None:
        raise Forbidden("You are not on this organisation's roster.")
    today = timezone.localdate()
    if not training.statuses(request.organization, today, course=course, person=person):
        raise Forbidden(f"{course.title} is not assigned to you.", field="course_id")
    completion = training_services.complete_course(
        request.organization, Actor.from_request(request), person=person,
        course_id=course.pk, completed_on=payload.completed_on,
    )  # fmt: skip
    return Status(201, completion)
