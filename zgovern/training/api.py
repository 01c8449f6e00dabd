"""REST endpoints of training: the course library and the adopted courses, who is done,
due or overdue, and the import of a learning platform's completions.

The bearer token decides the organisation; every course is looked up through it, so
another organisation's id answers 404. Writes go through :mod:`zgovern.training.services`,
which log each one.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Path, Query, Router, Status, UploadedFile

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.training import catalog, importer, queries, services
from zgovern.training.models import Course
from zgovern.training.schemas import (
    MAX_ID,
    CompletionImportErrorOut,
    CompletionImportOut,
    CourseAdoptIn,
    CoursePatch,
    ErrorOut,
    StandingQuery,
    TrainingCourseOut,
    TrainingLibraryCourseOut,
    TrainingStandingPage,
    standing_out,
)

router = Router(tags=["training"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
CourseId = Path(..., ge=1, le=MAX_ID, description="An adopted course's id.")
OptionalFile = File(None, description="The completions, CSV (UTF-8) (required).")


def _course(request: HttpRequest, course_id: int) -> Course:
    course = queries.course(request.organization, course_id)
    if course is None:
        raise NotFound("No such course.")
    return course


@router.get(
    "/training/library",
    response={200: list[TrainingLibraryCourseOut], **READ_ERRORS},
    summary="List the course library",
)
def library(request: HttpRequest):
    """The courses zGovern ships, each saying whether the organisation adopted it."""
    adopted = {c.key for c in queries.courses(request.organization)}
    return [
        {**t.__dict__, "departments": list(t.departments), "adopted": t.key in adopted}
        for t in catalog.library()
    ]


@router.get(
    "/training/courses",
    response={200: list[TrainingCourseOut], **READ_ERRORS},
    summary="List adopted courses",
)
def list_courses(request: HttpRequest):
    """The organisation's courses by title, assigned or not."""
    return queries.courses(request.organization)


@router.post(
    "/training/courses",
    response={201: TrainingCourseOut, **WRITE_ERRORS},
    summary="Adopt a library course",
)
def adopt_course(request: HttpRequest, payload: CourseAdoptIn):
    """Copy a library course into the organisation, assigned to its audience. An unknown
    key is a 400, a course adopted already a 409. Logged as `training.course_adopted`."""
    return Status(
        201, services.adopt_course(request.organization, Actor.from_request(request), payload.key)
    )


@router.get(
    "/training/courses/{int:course_id}",
    response={200: TrainingCourseOut, **READ_ERRORS},
    summary="Get a course",
)
def get_course(request: HttpRequest, course_id: int = CourseId):
    """One adopted course."""
    return _course(request, course_id)


@router.patch(
    "/training/courses/{int:course_id}",
    response={200: TrainingCourseOut, **WRITE_ERRORS},
    summary="Change a course",
)
def update_course(request: HttpRequest, payload: CoursePatch, course_id: int = CourseId):
    """Change the fields given (audience, departments, cadence, deadline, assigned). The
    departments audience needs at least one department. Logged as `training.course_updated`
    with the old and new values; a change that changes nothing logs nothing."""
    _course(request, course_id)
    return services.update_course(
        request.organization, Actor.from_request(request), course_id,
        **payload.model_dump(exclude_unset=True),
    )  # fmt: skip


@router.get(
    "/training/standings",
    response={200: TrainingStandingPage, **READ_ERRORS},
    summary="List who is done, due or overdue",
)
def standings(request: HttpRequest, filters: Query[StandingQuery]):
    """Each person's standing on each assigned course that applies to them today, by
    person then course, `limit` from `offset`; optionally one status or one course."""
    course = None
    if filters.course_id is not None:
        course = _course(request, filters.course_id)
    rows = queries.statuses(request.organization, timezone.localdate(), course=course)
    counts = queries.counts(rows)
    if filters.status:
        rows = [r for r in rows if r.status == filters.status]
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": len(rows), "counts": counts, "items": [standing_out(r) for r in page]}


@router.post(
    "/training/completions/import",
    response={**WRITE_ERRORS, 200: CompletionImportOut, 400: CompletionImportErrorOut},
    summary="Import completions from a learning platform",
)
def import_completions(request: HttpRequest, file: UploadedFile | None = OptionalFile):
    """A multipart upload of a CSV (UTF-8) in the `file` part with the columns `email`
    (work email or alias), `course` (an adopted course's key or title) and `completed_on`
    (YYYY-MM-DD or an ISO timestamp). The file is checked whole first: any problem
    answers 400 listing every one by line and column, and nothing is imported. A
    completion already recorded is counted, not recorded again."""
    data = None
    if file is not None:
        file.seek(0)
        data = file.read(settings.ROSTER_MAX_BYTES + 1)
    try:
        return services.import_completions(request.organization, Actor.from_request(request), data)
    except importer.ImportProblems as exc:
        return Status(400, {
            "detail": exc.message,
            "errors": [{"field": "file", "message": str(p)} for p in exc.problems],
            "total": exc.total,
            "problems": exc.problems,
        })  # fmt: skip
