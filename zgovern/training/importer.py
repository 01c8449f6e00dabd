"""Reading a learning platform's completion export (CSV) into validated rows.

The whole file is checked before anything is imported: :func:`read` returns every row or
raises :class:`ImportProblems` listing every problem, each located by line (line 1 is the
header) and column. People are matched by work email or a known alias; courses by the key
of a course the organisation has adopted, or its exact title (any letter case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from zgovern.core import uploads
from zgovern.core.uploads import Problem
from zgovern.identity.models import PersonAlias
from zgovern.people.models import Person
from zgovern.tenancy.models import Organization
from zgovern.training.models import Course

COLUMNS = {
    "email": "The person's work email, or an alias known on the roster.",
    "course": "The key of an adopted course (e.g. security-awareness), or its title.",
    "completed_on": "The day it was completed: YYYY-MM-DD, or an ISO timestamp.",
}
# Other names learning platforms give the same columns.
SYNONYMS = {
    "work_email": "email", "user_email": "email", "learner_email": "email",
    "course_key": "course", "course_title": "course", "course_name": "course",
    "completed_at": "completed_on", "completion_date": "completed_on", "completed": "completed_on",
}  # fmt: skip
EARLIEST = date(2000, 1, 1)
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


class ImportProblems(uploads.UploadError):
    """The file cannot be imported; ``problems`` says every reason. Nothing was written."""

    subject = "file"


@dataclass(frozen=True)
class Row:
    line: int
    person: Person
    course: Course
    completed_on: date


def read(org: Organization, data: bytes, *, today: date) -> list[Row]:
    """Every row of ``data``, or :class:`ImportProblems` naming every problem."""
    limit = settings.ROSTER_MAX_ROWS
    try:
        uploads.check_size(data, settings.ROSTER_MAX_BYTES)
        table = uploads.read_csv(
            _decode(data), max_rows=limit, too_many=f"too many rows: more than {limit}"
        )
        header_line, header = uploads.header_row(table)
    except uploads.UploadError as exc:
        raise ImportProblems(exc.problems) from None
    columns, problems = uploads.read_header(header_line, header, tuple(COLUMNS), SYNONYMS)
    problems += uploads.missing_columns(header_line, columns, tuple(COLUMNS))
    if problems:
        raise ImportProblems(problems)
    lookup = _Lookup(org)
    rows: list[Row] = []
    for line, _cells, values in uploads.data_rows(table, columns):
        row = _row(line, values, lookup, today, problems)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(2, "", "the file has a header but no completions"))
    if problems:
        raise ImportProblems(problems)
    return rows


def _decode(data: bytes) -> str:
    """``data`` as text without its BOM. The line of a byte that is not UTF-8 is counted
    as it always was here: from the offset in the text after the BOM."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise uploads.UploadError(
            [Problem(line, "", "not UTF-8 text; save the file as CSV UTF-8")]
        ) from None


class _Lookup:
    """The roster's emails and aliases, and the adopted courses, read once."""

    def __init__(self, org: Organization) -> None:
        people = {p.work_email: p for p in Person.objects.filter(organization=org)}
        aliases = PersonAlias.objects.filter(organization=org).select_related("person")
        self.people = {**{a.alias.lower(): a.person for a in aliases}, **people}
        courses = list(Course.objects.filter(organization=org))
        self.courses = {c.title.casefold(): c for c in courses}
        self.courses.update({c.key: c for c in courses})


def _row(
    line: int, values: dict[str, str], lookup: _Lookup, today: date, problems: list[Problem]
) -> Row | None:
    before = len(problems)
    email, course_name, day = values["email"], values["course"], values["completed_on"]
    person = lookup.people.get(email.lower())
    if not email:
        problems.append(Problem(line, "email", "a value is required"))
    elif person is None:
        problems.append(Problem(line, "email", f"{email[:254]!r} is not on the roster"))
    course = lookup.courses.get(course_name.strip().casefold())
    if not course_name:
        problems.append(Problem(line, "course", "a value is required"))
    elif course is None:
        problems.append(Problem(line, "course", f"{course_name[:200]!r} is not an adopted course"))
    completed = _date(line, day, today, problems)
    if len(problems) > before:
        return None
    return Row(line, person, course, completed)  # type: ignore[arg-type] - checked above


def _date(line: int, text: str, today: date, problems: list[Problem]) -> date | None:
    match = _DAY.match(text)
    if not text:
        problems.append(Problem(line, "completed_on", "a value is required"))
        return None
    try:
        if match is None:
            raise ValueError(text)
        day = date.fromisoformat(match[1])
        if "T" in text or " " in text:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        problems.append(
            Problem(line, "completed_on", f"{text[:40]!r} is not a date in the form YYYY-MM-DD")
        )
        return None
    if day > today:
        problems.append(Problem(line, "completed_on", f"{day} is in the future"))
    elif day < EARLIEST:
        problems.append(Problem(line, "completed_on", f"{day} is before {EARLIEST}"))
    return day
