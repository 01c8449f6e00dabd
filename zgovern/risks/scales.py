"""The likelihood and impact scales: the defaults shipped in ``data/scales.yaml`` and the
organisation's own wording of them.

An organisation has no rows until it rewords a level (see
:func:`zgovern.risks.services.define_level`); until then, and for any level it has not
reworded, the defaults apply. The file is validated whole when first read: each axis must
list the levels 1 to 5 exactly once, with a name and a description.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from zgovern.frameworks.yamlsource import Problems, read_document
from zgovern.tenancy.models import Organization

SCALES_FILE = Path(__file__).resolve().parent / "data" / "scales.yaml"
AXES = ("likelihood", "impact")
LEVELS = range(1, 6)


@dataclass(frozen=True)
class Level:
    axis: str
    level: int
    name: str
    description: str


@functools.cache
def defaults() -> dict[tuple[str, int], Level]:
    """The shipped scales, keyed by (axis, level). Raises ``LibraryError`` locating every
    problem of the file."""
    return load(SCALES_FILE)


def load(source) -> dict[tuple[str, int], Level]:
    document = read_document(source)
    problems = Problems(document.name)
    result: dict[tuple[str, int], Level] = {}
    top = problems.mapping(document.root, "", AXES)
    for axis in AXES if top is not None else ():
        seen: set[int] = set()
        for item in top.mappings(axis, ("level", "name", "description")):
            level = item.integer("level", minimum=1, maximum=5)
            name = item.text("name", max_length=80)
            description = item.text("description", max_length=500)
            if level in seen:
                problems.add(item.line, item.at("level"), f"level {level} is listed twice")
            elif None not in (level, name, description):
                seen.add(level)
                result[(axis, level)] = Level(axis, level, name, description)
        missing = [str(n) for n in LEVELS if n not in seen]
        if missing and not problems:
            problems.add(top.line_of(axis), axis, f"levels missing: {', '.join(missing)}")
    problems.raise_if_any()
    return result


def levels(org: Organization) -> dict[tuple[str, int], Level]:
    """The organisation's scales: its own wording where it has one, else the default."""
    from zgovern.risks.models import ScaleLevel

    result = dict(defaults())
    for row in ScaleLevel.objects.filter(organization=org):
        result[(row.axis, row.level)] = Level(row.axis, row.level, row.name, row.description)
    return result


def axis_levels(org: Organization, axis: str) -> list[Level]:
    table = levels(org)
    return [table[(axis, n)] for n in LEVELS]
