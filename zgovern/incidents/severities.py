"""The default severity table (``data/severities.yaml``) and reading it.

The file is validated whole when first read; every problem is reported with its line
(``severities[2].response_target_hours: must be between 1 and 8760``). An organisation
gets its own copy of the defaults when it first needs one (see
:func:`zgovern.incidents.services.ensure_severities`) and may then reword them, change
their targets or add its own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from zgovern.frameworks.yamlsource import Problems, read_document

SEVERITIES_FILE = Path(__file__).resolve().parent / "data" / "severities.yaml"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,19}")
MAX_TARGET_HOURS = 24 * 366


@dataclass(frozen=True)
class SeverityDefinition:
    name: str
    rank: int
    description: str
    response_target_hours: int


@functools.cache
def defaults() -> tuple[SeverityDefinition, ...]:
    return load(SEVERITIES_FILE)


def load(source) -> tuple[SeverityDefinition, ...]:
    """Read a severities file; raises ``LibraryError`` listing every problem."""
    document = read_document(source)
    problems = Problems(document.name)
    top = problems.mapping(document.root, "", ("severities",))
    result: list[SeverityDefinition] = []
    names: set[str] = set()
    for item in top.mappings("severities", ("name", "rank", "description",
                                            "response_target_hours")) if top else ():  # fmt: skip
        name = item.text("name", pattern=NAME, hint="letters, digits, space, _ . -; 20 at most")
        rank = item.integer("rank", minimum=1, maximum=99)
        description = item.text("description", max_length=1000)
        hours = item.integer("response_target_hours", minimum=1, maximum=MAX_TARGET_HOURS)
        if name is not None and name.upper() in names:
            problems.add(item.line_of("name"), item.at("name"), f"{name} is listed twice")
        elif None not in (name, rank, description, hours):
            names.add(name.upper())
            result.append(SeverityDefinition(name, rank, description, hours))
    problems.raise_if_any()
    return tuple(result)
