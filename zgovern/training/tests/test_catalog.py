"""The shipped course library, and the located problems of a bad one."""

from __future__ import annotations

import pytest

from zgovern.frameworks.yamlsource import LibraryError
from zgovern.training import catalog


def test_the_library_ships_the_required_courses():
    courses = {c.key: c for c in catalog.library()}
    aware, secure = courses["security-awareness"], courses["secure-development"]
    assert (aware.audience, aware.cadence, aware.due_days) == ("everyone", "yearly", 30)
    assert (secure.departments, secure.control) == (("Engineering",), "secure-development-training")


def test_every_problem_is_reported_with_its_line():
    text = (
        "format: 1\ncourses:\n"
        "  - key: ok\n    title: Fine\n    audience: everyone\n    cadence: once\n"
        "  - key: Bad Key\n    title: x\n    audience: departments\n    cadence: weekly\n"
        "    due_days: 0\n    colour: red\n"
        "  - key: ok\n    title: Again\n    audience: everyone\n    cadence: once\n"
    )
    with pytest.raises(LibraryError) as caught:
        catalog.load_library(text)
    messages = [str(p) for p in caught.value.problems]
    assert any(":7: courses[1].key" in m for m in messages)
    assert any("cadence: 'weekly' is not one of" in m for m in messages)
    assert any(":11: courses[1].due_days: must be between 1 and 365" in m for m in messages)
    assert any("colour: unknown key" in m for m in messages)
    assert any("name at least one department" in m for m in messages)
    assert any("duplicate key 'ok' (first defined on line 3)" in m for m in messages)
