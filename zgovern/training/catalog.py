"""The shipped course library, ``data/courses.yaml``, loaded and validated.

File format::

    format: 1
    courses:
      - key: security-awareness        # lowercase letters, digits and '-'; unique
        title: Security awareness training
        description: >-                 # optional
          What the course covers.
        audience: everyone              # everyone | employees | contractors | departments
        departments: [Engineering]      # required with audience: departments, else absent
        cadence: yearly                 # once | yearly
        due_days: 30                    # days after the start date; 1..365 (default 30)
        control: security-training      # optional: the control it evidences

Unknown and repeated keys are errors. :func:`load_library` raises one
:class:`~zgovern.frameworks.yamlsource.LibraryError` listing every problem with its line
and field; nothing of a file with a problem is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zgovern.frameworks.yamlsource import Fields, LibraryError, Problem, Problems, read_document
from zgovern.training.models import DEFAULT_DUE_DAYS, MAX_DUE_DAYS, Audience, Cadence

LIBRARY_FILE = Path(__file__).parent / "data" / "courses.yaml"
KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
KEY_HINT = "use lowercase letters, digits and '-'"
TOP_KEYS = ("format", "courses")
COURSE_KEYS = (
    "key", "title", "description", "audience", "departments", "cadence", "due_days", "control",
)  # fmt: skip


@dataclass(frozen=True)
class CourseTemplate:
    key: str
    title: str
    description: str
    audience: str
    departments: tuple[str, ...]
    cadence: str
    due_days: int
    control: str = ""


@cache
def library() -> tuple[CourseTemplate, ...]:
    """The shipped courses, read once per process."""
    return load_library(LIBRARY_FILE)


def template(key: str) -> CourseTemplate | None:
    return next((t for t in library() if t.key == key), None)


def load_library(source) -> tuple[CourseTemplate, ...]:
    """Parse and validate a course library (a path, bytes or YAML text)."""
    document = read_document(source)
    problems = Problems(document.name)
    if document.root is None:
        raise LibraryError([Problem(document.name, None, "", "file is empty")])
    top = problems.mapping(document.root, "", TOP_KEYS)
    if top is None:
        raise LibraryError(problems.items)
    if top.node_of("format") is not None:
        version = top.integer("format", minimum=1, maximum=1)
        if version is None:
            problems.raise_if_any()
    courses: list[CourseTemplate] = []
    first_line: dict[str, int | None] = {}
    for fields in top.mappings("courses", COURSE_KEYS):
        course = _course(fields)
        if course is None:
            continue
        if course.key in first_line:
            problems.add(
                fields.node_of("key"),
                fields.at("key"),
                f"duplicate key '{course.key}' (first defined on line {first_line[course.key]})",
            )
            continue
        first_line[course.key] = fields.line_of("key")
        courses.append(course)
    problems.raise_if_any()
    return tuple(courses)


def _course(fields: Fields) -> CourseTemplate | None:
    before = len(fields.problems.items)
    audience = _choice(fields, "audience", Audience.values)
    departments = tuple(value for value, _, _ in fields.texts("departments"))
    if audience == Audience.DEPARTMENTS and not departments:
        fields.problems.add(fields.line, fields.at("departments"), "name at least one department")
    elif audience != Audience.DEPARTMENTS and departments:
        fields.problems.add(
            fields.node_of("departments"),
            fields.at("departments"),
            "only used with audience: departments",
        )
    due_days = DEFAULT_DUE_DAYS
    if fields.node_of("due_days") is not None:
        due_days = fields.integer("due_days", minimum=1, maximum=MAX_DUE_DAYS) or DEFAULT_DUE_DAYS
    course = CourseTemplate(
        key=fields.text("key", pattern=KEY, hint=KEY_HINT, max_length=80) or "",
        title=fields.text("title", max_length=200) or "",
        description=fields.text("description", required=False, max_length=4000) or "",
        audience=audience or "",
        departments=departments,
        cadence=_choice(fields, "cadence", Cadence.values) or "",
        due_days=due_days,
        control=fields.text("control", required=False, pattern=KEY, hint=KEY_HINT) or "",
    )
    return course if len(fields.problems.items) == before else None


def _choice(fields: Fields, key: str, allowed: list[str]) -> str | None:
    value = fields.text(key)
    if value is not None and value not in allowed:
        fields.problems.add(
            fields.node_of(key), fields.at(key), f"'{value}' is not one of: {', '.join(allowed)}"
        )
        return None
    return value
