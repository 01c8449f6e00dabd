"""Questionnaire templates: YAML files under ``data/questionnaires/``, read with every
problem located by file, line and field (see :mod:`zgovern.frameworks.yamlsource`).

A template is ``key``, ``title``, ``version``, ``description`` and ``sections``, each
section a ``title`` and ``questions``; a question is ``id`` (unique in the file), ``text``,
``type`` (``yes_no``, ``text`` or ``choice``), ``options`` (a choice's, at least two) and
``attachment`` (whether a file may back the answer; default false).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from zgovern.core.errors import DomainError
from zgovern.frameworks.yamlsource import Fields, Problems, read_document

DIRECTORY = Path(__file__).parent / "data" / "questionnaires"
ANSWER_TYPES = ("yes_no", "text", "choice")
YES_NO = ("yes", "no")
TEXT_MAX = 4000
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
_SLUG_HINT = "use lower-case letters, digits and '-' (at most 60)"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: str
    options: tuple[str, ...] = ()
    attachment: bool = False
    section: str = ""


@dataclass(frozen=True)
class Questionnaire:
    key: str
    title: str
    version: int
    description: str
    questions: tuple[Question, ...]

    def sections(self) -> list[tuple[str, list[Question]]]:
        grouped: dict[str, list[Question]] = {}
        for question in self.questions:
            grouped.setdefault(question.section, []).append(question)
        return list(grouped.items())

    def as_snapshot(self) -> list[dict]:
        """The questions as stored on an assessment (plain JSON)."""
        return [{**asdict(q), "options": list(q.options)} for q in self.questions]


def parse(source, *, name: str | None = None) -> Questionnaire:
    """Read one template; raises ``LibraryError`` listing every problem."""
    document = read_document(source, name=name)
    problems = Problems(document.name)
    top = problems.mapping(
        document.root, "", ("key", "title", "version", "description", "sections")
    )
    if top is None:
        problems.raise_if_any()
    key = top.text("key", pattern=_SLUG, hint=_SLUG_HINT)
    title = top.text("title", max_length=200)
    version = top.integer("version", minimum=1, maximum=10_000)
    description = top.text("description", required=False) or ""
    questions: list[Question] = []
    seen: dict[str, int | None] = {}
    for section in top.mappings("sections", ("title", "questions")):
        section_title = section.text("title", max_length=200) or ""
        for fields in section.mappings(
            "questions", ("id", "text", "type", "options", "attachment")
        ):
            question = _question(fields, section_title, seen)
            if question is not None:
                questions.append(question)
    problems.raise_if_any()
    return Questionnaire(key, title, version, description, tuple(questions))


def _question(fields: Fields, section: str, seen: dict[str, int | None]) -> Question | None:
    qid = fields.text("id", pattern=_SLUG, hint=_SLUG_HINT)
    text = fields.text("text", max_length=500)
    kind = fields.text("type")
    if kind is not None and kind not in ANSWER_TYPES:
        fields.problems.add(
            fields.line_of("type"), fields.at("type"), f"must be one of: {', '.join(ANSWER_TYPES)}"
        )
        kind = None
    options = tuple(value for value, _, _ in fields.texts("options"))
    if kind == "choice" and len(options) < 2:
        fields.problems.add(
            fields.line_of("options"), fields.at("options"), "a choice needs at least two options"
        )
    if kind != "choice" and options:
        fields.problems.add(
            fields.line_of("options"), fields.at("options"), "only a choice has options"
        )
    attachment = fields.boolean("attachment", default=False)
    if qid is not None and qid in seen:
        fields.problems.add(
            fields.line_of("id"),
            fields.at("id"),
            f"'{qid}' is used twice (first on line {seen[qid]})",
        )
        return None
    if qid is not None:
        seen[qid] = fields.line_of("id")
    if None in (qid, text, kind):
        return None
    return Question(qid, text, kind, options, attachment, section)


@cache
def catalog() -> dict[str, Questionnaire]:
    """Every shipped template by key (read once per process)."""
    found: dict[str, Questionnaire] = {}
    for path in sorted(DIRECTORY.glob("*.yaml")):
        questionnaire = parse(path, name=f"questionnaires/{path.name}")
        found[questionnaire.key] = questionnaire
    return found


def get(key: str) -> Questionnaire:
    questionnaire = catalog().get(key)
    if questionnaire is None:
        known = ", ".join(sorted(catalog()))
        raise DomainError(f"No questionnaire '{key}' (known: {known}).", field="questionnaire")
    return questionnaire


def clean_answers(questions: list[dict], raw: dict[str, dict]) -> dict[str, dict]:
    """Validate answers to a snapshot of questions. ``raw`` maps a question id to
    ``{"answer": str, "comment": str}``; every question needs an answer of its type.
    Raises ``DomainError`` naming the first question at fault (field ``q_<id>``)."""
    unknown = sorted(set(raw) - {q["id"] for q in questions})
    if unknown:
        raise DomainError(f"No such question: {unknown[0]}.", field="answers")
    clean: dict[str, dict] = {}
    for question in questions:
        given = raw.get(question["id"]) or {}
        answer = str(given.get("answer") or "").strip()
        comment = str(given.get("comment") or "").strip()
        _check_answer(question, answer, comment)
        clean[question["id"]] = {"answer": answer, "comment": comment}
    return clean


def _check_answer(question: dict, answer: str, comment: str) -> None:
    field = f"q_{question['id']}"
    label = f"“{question['text']}”"
    if not answer:
        raise DomainError(f"Answer {label}", field=field)
    if "\x00" in answer or "\x00" in comment:
        raise DomainError(f"{label}: NUL characters are not allowed.", field=field)
    if len(answer) > TEXT_MAX or len(comment) > TEXT_MAX:
        raise DomainError(f"{label}: at most {TEXT_MAX} characters.", field=field)
    if question["type"] == "yes_no" and answer not in YES_NO:
        raise DomainError(f"{label}: answer yes or no.", field=field)
    if question["type"] == "choice" and answer not in question["options"]:
        options = ", ".join(question["options"])
        raise DomainError(f"{label}: choose one of {options}.", field=field)
