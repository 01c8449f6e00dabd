"""Bad library files: each problem is reported with its file, line and field, all problems
of a file come together, and nothing is returned."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from zgovern.frameworks import library
from zgovern.frameworks.library import (
    LibraryError,
    load_control_set,
    load_framework,
    load_mapping,
)
from zgovern.frameworks.yamlsource import MAX_BYTES

HEADER = """\
id: acme
name: Acme Security Standard
version: "1"
categories:
  - id: core
    name: Core
    always_in_scope: true
  - id: extra
    name: Extra
"""


def framework_text(nodes: str, header: str = HEADER) -> str:
    return header + "nodes:\n" + textwrap.indent(textwrap.dedent(nodes), "  ")


def problems(load, *args, **kwargs) -> list[str]:
    """The problems ``load`` reports, as 'line: field: message' strings (file name cut)."""
    with pytest.raises(LibraryError) as caught:
        load(*args, **kwargs)
    return [str(p).split(":", 1)[1] for p in caught.value.problems]


def test_a_good_custom_framework_loads():
    text = framework_text(
        """\
        - id: G1
          title: Group
          category: core
          children:
            - id: G1.1
              title: First
            - id: G1.2
              title: Second
              category: extra
        """
    )
    framework = load_framework(text)
    assert [(c.id, c.category) for c in framework.criteria] == [
        ("G1.1", "core"),
        ("G1.2", "extra"),
    ]


def test_missing_id_is_located():
    text = framework_text(
        """\
        - id: G1
          title: Group
          category: core
          children:
            - title: Nameless
        """
    )
    assert problems(load_framework, text, name="acme.yaml") == [
        "15: nodes[0].children[0].id: is required"
    ]


def test_error_names_the_file():
    with pytest.raises(LibraryError) as caught:
        load_framework(framework_text("- title: x\n  category: core\n"), name="uploads/acme.yaml")
    assert str(caught.value) == "uploads/acme.yaml:11: nodes[0].id: is required"
    assert caught.value.problems[0].source == "uploads/acme.yaml"
    assert caught.value.problems[0].line == 11
    assert caught.value.problems[0].field == "nodes[0].id"


def test_duplicate_id_points_at_both_definitions():
    text = framework_text(
        """\
        - id: G1
          title: Group
          category: core
          children:
            - {id: X1, title: One}
            - {id: X1, title: Again}
        """
    )
    assert problems(load_framework, text) == [
        "16: nodes[0].children[1].id: duplicate id 'X1' (first defined on line 15)"
    ]


def test_cycle_in_flat_parent_links():
    text = framework_text(
        """\
        - {id: A, title: A, category: core, parent: C}
        - {id: B, title: B, parent: A}
        - {id: C, title: C, parent: B}
        - {id: D, title: D, parent: C}
        """
    )
    assert problems(load_framework, text) == [
        "11: nodes[0].parent: parent links form a cycle: A -> C -> B -> A"
    ]


def test_node_that_is_its_own_parent():
    text = framework_text("- {id: A, title: A, category: core, parent: A}\n")
    assert problems(load_framework, text) == [
        "11: nodes[0].parent: parent links form a cycle: A -> A"
    ]


def test_unknown_parent():
    text = framework_text(
        """\
        - {id: G, title: G, category: core}
        - {id: G.1, title: One, parent: G}
        - {id: G.2, title: Two, parent: H, category: core}
        """
    )
    assert problems(load_framework, text) == ["13: nodes[2].parent: unknown parent 'H'"]


def test_flat_and_nested_shapes_load_the_same_tree():
    nested = framework_text(
        """\
        - id: G
          title: Group
          category: core
          children:
            - {id: G.1, title: One}
            - id: G.2
              title: Two
              children:
                - {id: G.2.a, title: Deep}
        """
    )
    flat = framework_text(
        """\
        - {id: G.2.a, title: Deep, parent: G.2}
        - {id: G, title: Group, category: core}
        - {id: G.1, title: One, parent: G}
        - {id: G.2, title: Two, parent: G}
        """
    )
    a, b = load_framework(nested), load_framework(flat)
    assert {c.id: (c.parent, c.path, c.category) for c in a.criteria} == {
        c.id: (c.parent, c.path, c.category) for c in b.criteria
    }
    assert a.criterion("G.2.a").path == ("G", "G.2")
    assert a.roots == b.roots == ("G",)


def test_nested_child_may_not_name_another_parent():
    text = framework_text(
        """\
        - {id: H, title: H, category: core}
        - id: G
          title: G
          category: core
          children:
            - {id: G.1, title: One, parent: H}
        """
    )
    assert problems(load_framework, text) == [
        "16: nodes[1].children[0].parent: parent 'H' contradicts nesting under 'G'"
    ]


def test_unknown_category_and_criterion_without_category():
    text = framework_text(
        """\
        - {id: A, title: A, category: nope}
        - {id: B, title: B}
        """
    )
    assert problems(load_framework, text) == [
        "11: nodes[0].category: unknown category 'nope'",
        "12: nodes[1].category: no category: set one on this criterion or on a node above it",
    ]


def test_unknown_key_lists_the_expected_ones():
    text = framework_text("- {id: A, title: A, category: core, titel: typo}\n")
    assert problems(load_framework, text) == [
        "11: nodes[0].titel: unknown key (expected one of: category, children, description, "
        "id, parent, title)"
    ]


def test_duplicate_yaml_key():
    text = HEADER.replace('version: "1"', 'version: "1"\nname: Again') + "nodes: []\n"
    found = problems(load_framework, text)
    assert "4: name: duplicate key (first given on line 2)" in found


def test_wrong_types_are_each_reported():
    header = HEADER.replace("always_in_scope: true", "always_in_scope: maybe")
    text = framework_text(
        """\
        - id: [A]
          title: A
        - id: B
          title: {text: B}
          category: core
        """,
        header,
    )
    assert problems(load_framework, text) == [
        "7: categories[0].always_in_scope: must be true or false, not text",
        "11: nodes[0].id: must be text, not a list",
        "14: nodes[1].title: must be text, not a mapping",
    ]


def test_booleans_are_not_text():
    text = framework_text("- {id: A, title: yes, category: core}\n")
    assert problems(load_framework, text) == [
        "11: nodes[0].title: must be text, not a true/false value (yes); "
        "quote it if it is meant as text"
    ]


def test_numbers_are_read_as_written():
    text = framework_text("- {id: 1.10, title: Ten, category: core}\n").replace(
        'version: "1"', "version: 2024"
    )
    framework = load_framework(text)
    assert framework.version == "2024"
    assert framework.criteria[0].id == "1.10"


def test_every_problem_of_a_file_is_reported_together():
    text = framework_text(
        """\
        - {id: A, title: A, category: core, colour: red}
        - {id: A, title: Again, category: core}
        - {id: B, title: B, parent: Z, category: core}
        - {title: no id, category: core}
        """
    ).replace("name: Acme Security Standard\n", "")
    found = problems(load_framework, text)
    assert found == [
        "1: name: is required",
        "10: nodes[0].colour: unknown key (expected one of: category, children, description, "
        "id, parent, title)",
        "11: nodes[1].id: duplicate id 'A' (first defined on line 10)",
        "12: nodes[2].parent: unknown parent 'Z'",
        "13: nodes[3].id: is required",
    ]


def test_bad_yaml_syntax():
    assert problems(load_framework, "id: acme\nnodes: [a, b\nname: x\n") == [
        "3: not valid YAML: expected ',' or ']', but got ':'"
    ]


def test_tab_indentation_is_bad_yaml():
    found = problems(load_framework, "id: acme\nnodes:\n\t- a\n")
    assert len(found) == 1 and found[0].startswith("3: not valid YAML")


def test_non_utf8_bytes():
    data = framework_text("- {id: A, title: A, category: core}\n").encode("utf-8")
    data = data.replace(b"title: A,", b"title: \xe9t\xe9,")
    assert problems(load_framework, data) == ["11: file is not valid UTF-8 text (byte 0xe9)"]


def test_utf8_with_bom_and_non_ascii_text_is_fine():
    text = framework_text("- {id: A, title: Sécurité, category: core}\n")
    framework = load_framework(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert framework.criteria[0].title == "Sécurité"


def test_control_characters_are_rejected():
    found = problems(load_framework, "id: acme\nname: a\x07b\n")
    assert found[0].startswith("2: not valid YAML")


def test_empty_file_and_non_mapping_top_level():
    assert problems(load_framework, b"") == [" file is empty"]
    assert problems(load_framework, "- a\n- b\n") == [
        "1: must be a mapping (key: value pairs), not a list"
    ]


def test_multiple_documents_are_rejected():
    found = problems(load_framework, "id: a\n---\nid: b\n")
    assert found == [
        "2: not valid YAML: expected a single document in the stream, but found another document"
    ]


def test_aliases_are_refused():
    text = framework_text(
        """\
        - &base {id: A, title: A, category: core}
        - *base
        """
    )
    assert problems(load_framework, text) == [
        "12: not valid YAML: anchors and aliases (*name) are not supported"
    ]


def test_python_tags_are_never_constructed():
    text = framework_text("- {id: A, title: !!python/object/apply:os.system [echo hi]}\n")
    found = problems(load_framework, text)
    assert found == ["11: nodes[0].title: must be text, not a list"]


def test_nesting_depth_is_limited():
    nodes = "- id: L0\n  title: t\n  category: core\n"
    indent = "  "
    for level in range(1, 10):
        nodes += f"{indent}children:\n{indent}  - id: L{level}\n{indent}    title: t\n"
        indent += "    "
    found = problems(load_framework, framework_text(nodes))
    assert len(found) == 1 and found[0].endswith("children: nested too deeply")


def test_oversized_input_is_rejected(tmp_path: Path):
    big = b"# " + b"x" * MAX_BYTES + b"\n"
    assert problems(load_framework, big) == [f" file is larger than {MAX_BYTES // 1024} KiB"]
    path = tmp_path / "big.yaml"
    path.write_bytes(big)
    assert problems(load_framework, path) == [f" file is larger than {MAX_BYTES // 1024} KiB"]


def test_missing_file(tmp_path: Path):
    found = problems(load_framework, tmp_path / "absent.yaml")
    assert found == [" cannot read file: No such file or directory"]


def test_wrong_kind_and_format():
    text = "kind: mapping\nformat: 2\n" + framework_text("- {id: A, title: A, category: core}\n")
    assert problems(load_framework, text) == [
        "1: kind: expected 'framework', got 'mapping'",
        "2: format: unsupported format 2 (expected 1)",
    ]


# ---------------------------------------------------------------- mappings


MAPPING = """\
kind: mapping
id: soc2-acme
name: SOC 2 to Acme
source: soc2
target: iso27001
links:
"""


def test_a_good_mapping_loads():
    frameworks = library.load_builtin_frameworks()
    mapping = load_mapping(MAPPING + "  CC6.1: [A.8.5]\n  CC6.2: [A.5.16, A.5.18]\n", frameworks)
    assert mapping.links == (("CC6.1", ("A.8.5",)), ("CC6.2", ("A.5.16", "A.5.18")))
    assert mapping.sources("A.5.18") == ("CC6.2",)


def test_mapping_with_unknown_criteria_is_rejected():
    frameworks = library.load_builtin_frameworks()
    text = MAPPING + (
        "  CC6.1: [A.8.5, A.9.9]\n"
        "  CC6.9: [A.8.5]\n"
        "  CC6: [A.8.5]\n"
        "  CC7.1: [A.8, A.8.8, A.8.8]\n"
        "  CC7.2: []\n"
        "  CC6.1: [A.8.2]\n"
    )
    assert problems(load_mapping, text, frameworks) == [
        "7: links.CC6.1[1]: unknown iso27001 criterion 'A.9.9'",
        "8: links.CC6.9: unknown soc2 criterion 'CC6.9'",
        "9: links.CC6: 'CC6' is a group in soc2, not a criterion",
        "10: links.CC7.1[0]: 'A.8' is a group in iso27001, not a criterion",
        "10: links.CC7.1[2]: 'A.8.8' is listed twice",
        "11: links.CC7.2: list at least one criterion, or leave the entry out",
        "12: links.CC6.1: duplicate key (first given on line 7)",
    ]


def test_mapping_with_unknown_framework():
    frameworks = library.load_builtin_frameworks()
    text = MAPPING.replace("target: iso27001", "target: nist") + "  CC6.1: [X]\n"
    assert problems(load_mapping, text, frameworks) == [
        "5: target: unknown framework 'nist' (known: iso27001, soc2)"
    ]


# ---------------------------------------------------------------- control sets


CONTROLS = """\
kind: control_set
id: lite
name: Lite controls
version: "1"
policies:
  - {key: access-control, name: Access Control Policy}
controls:
  - key: mfa-enforced
    name: MFA is enforced
    description: Everyone uses a second factor.
    domain: access
    frequency: continuous
    severity: critical
    criteria: [soc2:CC6.1]
    evidence:
      - {kind: mfa_status, description: MFA report, freshness_days: 7}
    policies: [access-control]
    checks: [okta.users.mfa]
"""


def test_a_good_control_set_loads():
    control_set = load_control_set(CONTROLS, library.load_builtin_frameworks())
    control = control_set.control("mfa-enforced")
    assert control.evidence[0].freshness_days == 7
    assert control.severity_rank == 3


def test_control_set_problems_are_located():
    text = (
        CONTROLS.replace("frequency: continuous", "frequency: hourly")
        .replace("severity: critical", "severity: urgent")
        .replace("domain: access", "domain: space")
        .replace("criteria: [soc2:CC6.1]", "criteria: [soc2:CC6.1, soc2:CC6.99, hipaa:164.1, CC6]")
        .replace("freshness_days: 7", "freshness_days: soon")
        .replace("policies: [access-control]", "policies: [access-control, travel]")
        .replace("checks: [okta.users.mfa]", "checks: [okta.users.mfa, Okta MFA]")
    )
    assert problems(load_control_set, text, library.load_builtin_frameworks()) == [
        "11: controls[0].domain: unknown domain 'space' (one of: governance, risk, hr, access, "
        "asset, endpoint, network, data, change, development, monitoring, vulnerability, "
        "incident, availability, vendor, privacy, physical, processing)",
        "12: controls[0].frequency: unknown frequency 'hourly' (one of: continuous, daily, "
        "weekly, monthly, quarterly, annual, per_event)",
        "13: controls[0].severity: unknown severity 'urgent' (one of: low, medium, high, critical)",
        "14: controls[0].criteria[1]: unknown soc2 criterion 'CC6.99'",
        "14: controls[0].criteria[2]: unknown framework 'hipaa' (known: iso27001, soc2)",
        "14: controls[0].criteria[3]: 'CC6' is not valid: write framework:criterion, "
        "e.g. soc2:CC6.1",
        "16: controls[0].evidence[0].freshness_days: must be a whole number, not text",
        "17: controls[0].policies[1]: unknown policy 'travel' (declare it under policies)",
        "18: controls[0].checks[1]: 'Okta MFA' is not valid: use dotted lowercase names, "
        "e.g. aws.iam.console_mfa",
    ]


def test_duplicate_control_key_and_empty_criteria():
    frameworks = library.load_builtin_frameworks()
    second = CONTROLS.split("controls:\n", 1)[1].replace("criteria: [soc2:CC6.1]", "criteria: []")
    found = problems(load_control_set, CONTROLS + second, frameworks)
    assert found == [
        "19: controls[1].key: duplicate control key 'mfa-enforced' (first defined on line 8)",
        "25: controls[1].criteria: must list at least one item",
    ]


# ---------------------------------------------------------------- several files


def test_validate_files_reports_every_file_and_returns_nothing(tmp_path: Path):
    good = tmp_path / "good.yaml"
    good.write_text(framework_text("- {id: A, title: A, category: core}\n"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        framework_text("- {id: A, title: A, category: core, parent: A}\n"), encoding="utf-8"
    )
    controls = tmp_path / "controls.yaml"
    controls.write_text(CONTROLS.replace("soc2:CC6.1", "acme:A"), encoding="utf-8")
    assert library.validate_files([good, controls]).control_sets[0].controls[0].criteria
    with pytest.raises(LibraryError) as caught:
        library.validate_files([good, bad, tmp_path / "missing.yaml"])
    assert [str(p) for p in caught.value.problems] == [
        f"{bad}:11: nodes[0].parent: parent links form a cycle: A -> A",
        f"{tmp_path / 'missing.yaml'}: cannot read file: No such file or directory",
    ]


def test_validate_files_rejects_unknown_kind(tmp_path: Path):
    path = tmp_path / "odd.yaml"
    path.write_text("kind: policy\nid: x\n", encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        library.validate_files([path])
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: kind: unknown kind (expected one of: framework, mapping, control_set)"
    ]
