"""The template library as data: every template loads and matches the control set, and a
broken file is refused with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from zgovern.frameworks import library
from zgovern.frameworks.yamlsource import LibraryError
from zgovern.policies import pdf, templates

REQUIRED = {
    "information-security", "incident-response", "change-management", "acceptable-use",
    "vendor-management", "business-continuity", "access-control", "data-classification",
    "encryption", "risk-management", "secure-development", "code-of-conduct",
}  # fmt: skip
GOOD_HEAD = (
    "---\nkey: encryption\ntitle: T\ncontrols: [encryption-at-rest]\ncriteria: [soc2:CC6.1]\n"
    "review_cadence_months: 12\naudience: everyone\n---\n"
)
BODY = "# Title\n\n" + "Real policy text for {{ company_name }}. " * 10 + "\n"


def test_every_required_template_loads_with_a_known_key():
    loaded = templates.all_templates()
    assert set(loaded) >= REQUIRED
    known = {p.key for p in library.load_default_controls().policies}
    assert set(loaded) <= known
    for template in loaded.values():
        assert "{{ company_name }}" in template.body or "{{ owner }}" in template.body
        assert template.body.count("\n## ") >= 4, template.key  # real sections


def test_controls_that_rest_on_a_policy_are_listed_by_its_template():
    control_set = library.load_default_controls()
    loaded = templates.all_templates()
    for control in control_set.controls:
        for key in control.policies:
            if key in loaded:
                assert control.key in loaded[key].controls, (control.key, key)


def test_access_control_states_the_values_later_checks_read():
    body = templates.get("access-control").body
    assert "**every quarter**" in body and "**within one business day**" in body


def test_a_good_file_parses():
    template = templates.parse_template(GOOD_HEAD + BODY, "x.md")
    assert template.key == "encryption" and template.controls == ("encryption-at-rest",)


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("no front matter\n" + BODY, 1, "", "must start with"),
        ("---\nkey: encryption\n" + BODY, 1, "", "no closing"),
        (GOOD_HEAD.replace("key: encryption", "key: nope"), 2, "key", "not a policy"),
        (GOOD_HEAD.replace("[encryption-at-rest]", "[made-up]"), 4, "controls[0]", "made-up"),
        (GOOD_HEAD.replace("soc2:CC6.1", "soc2:ZZ9"), 5, "criteria[0]", "ZZ9"),
        (GOOD_HEAD.replace("months: 12", "months: 99"), 6, "review_cadence_months", ""),
        (GOOD_HEAD.replace("everyone", "aliens"), 7, "audience", "one of"),
        (GOOD_HEAD + "\n" + BODY + "\nHello {{ ceo }}\n", 14, "body", "unknown placeholder 'ceo'"),
        (GOOD_HEAD + "# Short\n", 9, "body", "too short"),
    ],
)
def test_problems_are_located(text, line, field, words):
    with pytest.raises(LibraryError) as error:
        templates.parse_template(text, "bad.md")
    problem = error.value.problems[0]
    assert (problem.source, problem.line, problem.field) == ("bad.md", line, field), problem
    assert words in problem.message


def test_a_folder_with_a_duplicate_key_is_refused(tmp_path: Path):
    (tmp_path / "a.md").write_text(GOOD_HEAD + BODY)
    (tmp_path / "b.md").write_text(GOOD_HEAD + BODY)
    with pytest.raises(LibraryError, match="also"):
        templates.load_templates(tmp_path)


def test_pdf_prints_markup_as_text():
    body = "# <b>Title & <font>\n\n- item <para>\n\n| a | <b> |\n|---|---|\n| 1 | 2 |\n\n"
    body += "**bold** `code`"
    flowables = pdf.body_flowables(body)
    assert len(flowables) == 4
