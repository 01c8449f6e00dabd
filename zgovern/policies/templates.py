"""Policy templates as data: ``data/templates/<key>.md``, Markdown with YAML front matter::

    ---
    key: access-control            # a policy key of the default control set
    title: Access Control Policy
    controls: [access-reviews-quarterly, ...]   # default control keys it supports
    criteria: [soc2:CC6.1, ...]    # framework criteria it supports
    review_cadence_months: 12      # 1..36
    audience: everyone             # everyone | employees | contractors | departments
    ---
    # Markdown body, with {{ company_name }}, {{ owner }} and {{ review_cadence }}

:func:`load_templates` validates every file and raises one
:class:`~zgovern.frameworks.yamlsource.LibraryError` listing each problem with its file,
line and field; nothing of a library with a problem is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zgovern.frameworks import library
from zgovern.frameworks.yamlsource import LibraryError, Problem, Problems, read_document

TEMPLATE_DIR = Path(__file__).parent / "data" / "templates"
KEYS = ("key", "title", "controls", "criteria", "review_cadence_months", "audience")
AUDIENCES = ("everyone", "employees", "contractors", "departments")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PLACEHOLDERS = ("company_name", "owner", "review_cadence")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    controls: tuple[str, ...]
    criteria: tuple[str, ...]
    review_cadence_months: int
    audience: str
    body: str
    origin: str = ""


def get(key: str) -> Template | None:
    return all_templates().get(str(key or ""))


@cache
def all_templates() -> dict[str, Template]:
    """The package's templates by key (validated once per process)."""
    return {t.key: t for t in load_templates(TEMPLATE_DIR)}


def load_templates(folder: Path) -> list[Template]:
    problems: list[Problem] = []
    found: list[Template] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.md")):
        try:
            template = parse_template(path.read_text(encoding="utf-8"), str(path))
        except LibraryError as error:
            problems.extend(error.problems)
            continue
        if template.key in seen:
            problems.append(
                Problem(str(path), 2, "key", f"'{template.key}' is also {seen[template.key]}")
            )
            continue
        seen[template.key] = str(path)
        found.append(template)
    if problems:
        raise LibraryError(problems)
    return sorted(found, key=lambda t: t.title)


def parse_template(text: str, name: str) -> Template:
    """One template file's text; ``name`` labels the problems."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise LibraryError([Problem(name, 1, "", "must start with a '---' front matter line")])
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise LibraryError([Problem(name, 1, "", "the front matter has no closing '---' line")])
    header = "\n".join(lines[1:end])
    raw_body = "\n".join(lines[end + 1 :])
    body = raw_body.strip() + "\n"
    document = read_document(header, name=name)
    problems = Problems(name)
    fields = problems.mapping(document.root, "", KEYS)
    template = _fields(fields, body, name) if fields is not None else None
    problems.items += _body_problems(raw_body, name, end + 2)
    if problems.items or template is None:
        # The front matter's lines are counted from the line after the opening '---'.
        raise LibraryError([_shift(p, name) for p in problems.items])
    return template


def _shift(problem: Problem, name: str) -> Problem:
    if problem.field == "body" or problem.line is None:
        return problem
    return Problem(name, problem.line + 1, problem.field, problem.message)


def _fields(fields, body: str, name: str) -> Template | None:
    control_set = library.load_default_controls()
    key = fields.text("key", pattern=SLUG, hint="lowercase words joined by '-'", max_length=80)
    known = {p.key for p in control_set.policies}
    if key is not None and key not in known:
        fields.problems.add(fields.node_of("key"), "key", "not a policy of the default control set")
    controls = {c.key for c in control_set.controls}
    found_controls = []
    for value, node, path in fields.texts("controls", required=True):
        if value not in controls:
            fields.problems.add(node, path, f"'{value}' is not a control of the default set")
        found_controls.append(value)
    criteria = [_criterion(fields, value, node, path) for value, node, path in
                fields.texts("criteria", required=True)]  # fmt: skip
    cadence = fields.integer("review_cadence_months", minimum=1, maximum=36)
    audience = fields.text("audience", max_length=20)
    if audience is not None and audience not in AUDIENCES:
        fields.problems.add(
            fields.node_of("audience"), "audience", f"one of {', '.join(AUDIENCES)}"
        )
    title = fields.text("title", max_length=200)
    if fields.problems.items:
        return None
    return Template(key, title, tuple(found_controls), tuple(criteria), cadence, audience, body,
                    name)  # fmt: skip


def _criterion(fields, value: str, node, path: str) -> str:
    ref = library.parse_criterion_ref(value)
    frameworks = library.load_builtin_frameworks()
    framework = frameworks.get(ref.framework) if ref else None
    message = None
    if ref is None:
        message = f"'{value}' is not a reference like soc2:CC6.1"
    elif framework is None:
        message = f"unknown framework '{ref.framework}'"
    else:
        message = framework.unknown_criterion_message(ref.criterion)
    if message:
        fields.problems.add(node, path, message)
    return value


def _body_problems(body: str, name: str, first_line: int) -> list[Problem]:
    problems = []
    if len(body.strip()) < 200:
        problems.append(
            Problem(name, first_line, "body", "the policy text is missing or too short")
        )
    for number, line in enumerate(body.splitlines(), start=first_line):
        for match in PLACEHOLDER.finditer(line):
            if match[1] not in PLACEHOLDERS:
                allowed = ", ".join(PLACEHOLDERS)
                problems.append(
                    Problem(name, number, "body", f"unknown placeholder '{match[1]}' ({allowed})")
                )
    return problems


def fill(body: str, *, company_name: str, owner: str, cadence_months: int) -> str:
    """The body with its placeholders replaced by the adopting organisation's values."""
    cadence = "every year" if cadence_months == 12 else f"every {cadence_months} months"
    if cadence_months == 1:
        cadence = "every month"
    values = {"company_name": company_name, "owner": owner, "review_cadence": cadence}
    return PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), body)
