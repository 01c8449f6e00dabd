"""REST endpoints of the roster: list, read, add and change people, record background
checks and training, and import a roster file.

The bearer token decides the organisation (see the tenancy middleware), and every person
is looked up through it, so another organisation's id answers 404. Writes go through
:mod:`zgovern.people.services`, which record each one in the activity log.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Path, Query, Router, Status, UploadedFile

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.people import queries, services
from zgovern.people.models import Person
from zgovern.people.roster import RosterError
from zgovern.people.schemas import (
    MAX_ID,
    BackgroundCheckIn,
    BackgroundCheckOut,
    ErrorOut,
    ImportReportOut,
    PeopleQuery,
    PersonDetailOut,
    PersonIn,
    PersonPage,
    PersonPatch,
    RosterErrorOut,
    TrainingIn,
    TrainingOut,
)

router = Router(tags=["people"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
PersonId = Path(..., ge=1, le=MAX_ID, description="A person's id.")
# Optional in the signature so that a missing file is the service's 400 naming `file`.
OptionalFile = File(None, description="The roster, CSV (UTF-8) or XLSX (required).")


def _person(request: HttpRequest, person_id: int) -> Person:
    person = queries.person(request.organization, person_id)
    if person is None:
        raise NotFound("No such person.")
    return person


@router.get(
    "/people",
    response={200: PersonPage, **READ_ERRORS},
    summary="List people",
)
def list_people(request: HttpRequest, filters: Query[PeopleQuery]):
    """The roster by name, `limit` from `offset`, optionally searched (`q`) and filtered
    by current status, employment type and department."""
    rows = queries.people(
        request.organization,
        q=filters.q.strip(),
        status=filters.status.value if filters.status else "",
        employment_type=filters.employment_type.value if filters.employment_type else "",
        department=filters.department.strip(),
    )
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.post(
    "/people",
    response={201: PersonDetailOut, **WRITE_ERRORS},
    summary="Add a person",
)
def create_person(request: HttpRequest, payload: PersonIn):
    """Add a person to the roster by hand. A work email already on the roster is a 409;
    an end date before the start, or a terminated status without an end date, a 400.
    Logged as `person.created`."""
    person = services.create_person(
        request.organization, Actor.from_request(request), **payload.model_dump()
    )
    return Status(201, _person(request, person.pk))


@router.get(
    "/people/{int:person_id}",
    response={200: PersonDetailOut, **READ_ERRORS},
    summary="Get a person",
)
def get_person(request: HttpRequest, person_id: int = PersonId):
    """One person with their background checks, training completions and direct reports."""
    return _person(request, person_id)


@router.patch(
    "/people/{int:person_id}",
    response={200: PersonDetailOut, **WRITE_ERRORS},
    summary="Change a person",
)
def update_person(request: HttpRequest, payload: PersonPatch, person_id: int = PersonId):
    """Change the fields given; the rest keep their value. A change that changes nothing
    records nothing; otherwise logged as `person.updated` with the old and new values."""
    _person(request, person_id)
    fields = payload.model_dump(exclude_unset=True)
    services.update_person(request.organization, Actor.from_request(request), person_id, **fields)
    return _person(request, person_id)


@router.post(
    "/people/{int:person_id}/background-checks",
    response={201: BackgroundCheckOut, **WRITE_ERRORS},
    summary="Record a background check",
)
def record_background_check(
    request: HttpRequest, payload: BackgroundCheckIn, person_id: int = PersonId
):
    """Record a background check's status, with its completion date unless it is still
    pending. Logged as `person.background_check_recorded`."""
    return Status(
        201,
        services.record_background_check(
            request.organization, Actor.from_request(request), person_id, **payload.model_dump()
        ),
    )


@router.post(
    "/people/{int:person_id}/training",
    response={201: TrainingOut, **WRITE_ERRORS},
    summary="Record a training completion",
)
def record_training(request: HttpRequest, payload: TrainingIn, person_id: int = PersonId):
    """Record that the person completed a course (default today; never in the future).
    The same course on the same day twice is a 409. Logged as `person.training_recorded`."""
    return Status(
        201,
        services.record_training(
            request.organization, Actor.from_request(request), person_id, **payload.model_dump()
        ),
    )


@router.post(
    "/people/import",
    response={**WRITE_ERRORS, 200: ImportReportOut, 400: RosterErrorOut},
    summary="Import a roster file",
)
def import_roster(request: HttpRequest, file: UploadedFile | None = OptionalFile):
    """A multipart upload of a CSV (UTF-8) or XLSX roster in the `file` part, with the
    columns `work_email`, `full_name`, `employment_type`, `start_date` (required) and
    `department`, `manager_email`, `end_date`, `external_id`. The file is checked whole
    first: any problem answers 400 listing every one by line and column, and nothing is
    imported. People are matched by work email; unchanged people log nothing. The size
    limit is `ZG_ROSTER_MAX_BYTES`."""
    data = None
    if file is not None:
        file.seek(0)
        data = file.read(settings.ROSTER_MAX_BYTES + 1)
    try:
        report = services.import_roster(
            request.organization, Actor.from_request(request), file.name if file else "", data
        )
    except RosterError as exc:
        return Status(400, {
            "detail": exc.message,
            "errors": [{"field": "file", "message": str(p)} for p in exc.problems],
            "total": exc.total,
            "problems": exc.problems,
        })  # fmt: skip
    return report
