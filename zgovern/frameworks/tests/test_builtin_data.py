"""The built-in library: exactly the expected criteria, every reference resolving, and the
default control set covering every criterion."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zgovern.frameworks import library
from zgovern.frameworks.library import CriterionRef, LibraryError, load_framework

SOC2_CRITERIA = [
    *["CC1.1", "CC1.2", "CC1.3", "CC1.4", "CC1.5"],
    *["CC2.1", "CC2.2", "CC2.3"],
    *["CC3.1", "CC3.2", "CC3.3", "CC3.4"],
    *["CC4.1", "CC4.2"],
    *["CC5.1", "CC5.2", "CC5.3"],
    *["CC6.1", "CC6.2", "CC6.3", "CC6.4", "CC6.5", "CC6.6", "CC6.7", "CC6.8"],
    *["CC7.1", "CC7.2", "CC7.3", "CC7.4", "CC7.5"],
    "CC8.1",
    *["CC9.1", "CC9.2"],
    *["A1.1", "A1.2", "A1.3"],
    *["C1.1", "C1.2"],
    *["PI1.1", "PI1.2", "PI1.3", "PI1.4", "PI1.5"],
    "P1.1",
    "P2.1",
    *["P3.1", "P3.2"],
    *["P4.1", "P4.2", "P4.3"],
    *["P5.1", "P5.2"],
    *["P6.1", "P6.2", "P6.3", "P6.4", "P6.5", "P6.6", "P6.7"],
    "P7.1",
    "P8.1",
]
# 33 common criteria (Security) + 3 availability + 2 confidentiality + 5 processing
# integrity + 18 privacy.
SOC2_SECURITY = [c for c in SOC2_CRITERIA if c.startswith("CC")]

ISO_THEMES = {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
ISO_CONTROLS = [f"{theme}.{n}" for theme, count in ISO_THEMES.items() for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def frameworks():
    return library.load_builtin_frameworks()


@pytest.fixture(scope="module")
def controls():
    return library.load_default_controls()


def test_expected_counts_are_what_the_standards_define():
    assert len(SOC2_CRITERIA) == 61
    assert len(set(SOC2_CRITERIA)) == 61
    assert len(SOC2_SECURITY) == 33
    assert len(ISO_CONTROLS) == 93


def test_soc2_has_exactly_the_61_criteria_in_order(frameworks):
    soc2 = frameworks["soc2"]
    assert [c.id for c in soc2.criteria] == SOC2_CRITERIA
    assert soc2.version == "2017 (rev. 2022)"


def test_soc2_criteria_carry_their_category(frameworks):
    soc2 = frameworks["soc2"]
    prefixes = {
        "CC": "security",
        "A1": "availability",
        "C1": "confidentiality",
        "PI": "processing_integrity",
        "P": "privacy",
    }
    for criterion in soc2.criteria:
        prefix = next(p for p in prefixes if criterion.id.startswith(p))
        assert criterion.category == prefixes[prefix], criterion.id
    assert soc2.required_categories == {"security"}
    optional = {c.id for c in soc2.categories if not c.always_in_scope}
    assert optional == {"availability", "confidentiality", "processing_integrity", "privacy"}


def test_soc2_series_group_their_criteria(frameworks):
    soc2 = frameworks["soc2"]
    assert soc2.roots[:9] == tuple(f"CC{n}" for n in range(1, 10))
    assert soc2.node("CC6").children == tuple(f"CC6.{n}" for n in range(1, 9))
    assert soc2.criterion("CC6.1").parent == "CC6"
    assert soc2.criterion("CC6.1").path == ("CC6",)
    assert [n.id for n in soc2.nodes][-8:] == [f"P{n}" for n in range(1, 9)]


def test_iso27001_has_all_93_annex_a_controls(frameworks):
    iso = frameworks["iso27001"]
    assert [c.id for c in iso.criteria] == ISO_CONTROLS
    assert iso.roots == tuple(ISO_THEMES)
    assert {c.category for c in iso.criteria} == {"annex_a"}
    assert iso.required_categories == {"annex_a"}


def test_every_criterion_has_a_title_and_description(frameworks):
    for framework in frameworks.values():
        for criterion in framework.criteria:
            assert criterion.title, criterion.ref
            assert len(criterion.description) > 40, criterion.ref
            assert criterion.description[0].isupper() and criterion.description.endswith(".")


def test_mapping_links_every_soc2_criterion_to_existing_iso_controls(frameworks):
    mapping = library.load_mappings()["soc2-iso27001"]
    assert (mapping.source, mapping.target) == ("soc2", "iso27001")
    assert [source for source, _ in mapping.links] == SOC2_CRITERIA
    for source, target in mapping.pairs():
        assert frameworks["soc2"].has_criterion(source)
        assert frameworks["iso27001"].has_criterion(target)
    assert set(mapping.targets("CC6.1")) >= {"A.5.15", "A.8.2", "A.8.3", "A.8.5", "A.8.24"}
    assert "CC6.1" in mapping.sources("A.8.5")
    assert mapping.targets("no-such") == ()


def test_default_control_set_size_and_keys(controls):
    assert 75 <= len(controls.controls) <= 95
    keys = [c.key for c in controls.controls]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key) for key in keys)


@pytest.mark.parametrize(
    "key",
    [
        "mfa-enforced",
        "access-reviews-quarterly",
        "encryption-at-rest",
        "encryption-in-transit",
        "change-approval",
        "incident-response-tested",
        "vendor-assessments",
        "security-training",
        "background-checks",
        "offboarding-within-sla",
        "logging-and-alerting",
        "backups-tested",
        "vulnerability-scanning",
        "penetration-test",
        "risk-assessment-annual",
        "code-of-conduct-acknowledged",
        "board-oversight",
        "org-chart",
        "bcp-dr-tested",
        "data-retention-disposal",
        "privacy-notice",
    ],
)
def test_required_controls_exist(controls, key):
    control = controls.control(key)
    assert control.criteria and control.evidence and control.description


def test_controls_are_complete_and_use_known_vocabularies(controls):
    policy_keys = {p.key for p in controls.policies}
    for control in controls.controls:
        assert control.domain in library.DOMAINS
        assert control.frequency in library.FREQUENCIES
        assert control.severity in library.SEVERITIES
        assert control.evidence, control.key
        assert all(e.freshness_days > 0 for e in control.evidence)
        assert control.policies and set(control.policies) <= policy_keys, control.key
        assert all(re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", check) for check in control.checks)


def test_named_checks_evidence_the_controls_they_should(controls):
    assert "aws.iam.console_mfa" in controls.control("mfa-enforced").checks
    assert "github.org.two_factor_required" in controls.control("mfa-enforced").checks
    assert "okta.users.mfa" in controls.control("mfa-enforced").checks
    offboarding = controls.control("offboarding-within-sla").checks
    assert "workforce.people.offboarding_timely" in offboarding
    assert "workforce.people.background_check" in controls.control("background-checks").checks
    conduct = controls.control("code-of-conduct-acknowledged").checks
    assert "policy_program.acknowledgements.code_of_conduct" in conduct
    review = controls.control("access-reviews-quarterly")
    assert review.frequency == "quarterly"
    assert review.evidence[0].kind == "access_review"
    assert review.evidence[0].freshness_days == 90


def test_every_control_reference_resolves(frameworks, controls):
    for control in controls.controls:
        for ref in control.criteria:
            assert frameworks[ref.framework].has_criterion(ref.criterion), f"{control.key}: {ref}"


def test_every_security_criterion_is_covered_by_a_default_control(frameworks, controls):
    soc2 = frameworks["soc2"]
    security = controls.coverage(soc2, {"security"})
    assert security.covered == tuple(SOC2_SECURITY)
    assert security.uncovered == ()
    for criterion_id in SOC2_SECURITY:
        assert controls.controls_for(CriterionRef("soc2", criterion_id))


def test_every_soc2_and_iso_criterion_is_covered(frameworks, controls):
    assert controls.coverage(frameworks["soc2"]).uncovered == ()
    assert controls.coverage(frameworks["iso27001"]).uncovered == ()
    assert controls.coverage(frameworks["soc2"]).total == 61


def test_mfa_control_covers_cc61(controls):
    keys = {c.key for c in controls.controls_for(CriterionRef("soc2", "CC6.1"))}
    assert {"mfa-enforced", "encryption-at-rest"} <= keys


def test_validate_all_passes_and_returns_everything():
    summary = library.validate_all()
    assert sorted(f.id for f in summary.frameworks) == ["iso27001", "soc2"]
    assert [m.id for m in summary.mappings] == ["soc2-iso27001"]
    assert [c.id for c in summary.control_sets] == ["default"]


def test_builtin_loaders_are_cached_and_return_copies():
    first = library.load_builtin_frameworks()
    first.pop("soc2")
    second = library.load_builtin_frameworks()
    assert "soc2" in second
    assert second["iso27001"] is library.load_builtin_frameworks()["iso27001"]
    assert library.load_default_controls() is library.load_default_controls()


def test_builtin_files_load_from_path_bytes_and_text():
    path = library.FRAMEWORKS_DIR / "soc2-2017.yaml"
    from_path = load_framework(path)
    from_bytes = load_framework(path.read_bytes(), name="soc2.yaml")
    from_text = load_framework(path.read_text(encoding="utf-8"))
    assert from_path.criteria == from_bytes.criteria == from_text.criteria
    assert from_path.origin == str(path)
    assert from_bytes.origin == "soc2.yaml"
    assert from_text.origin == "<text>"
    assert from_path.category("privacy").name == "Privacy"
    with pytest.raises(KeyError):
        from_path.category("nope")


def test_a_string_is_text_never_a_server_path():
    path = library.FRAMEWORKS_DIR / "soc2-2017.yaml"
    with pytest.raises(LibraryError) as caught:
        load_framework(str(path))
    assert [str(p) for p in caught.value.problems] == [
        "<text>:1: must be a mapping (key: value pairs), not text"
    ]


def test_format_document_examples_are_valid(tmp_path: Path):
    text = (library.DATA_DIR / "FORMAT.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 3
    paths = []
    for index, block in enumerate(blocks):
        path = tmp_path / f"example{index}.yaml"
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    summary = library.validate_files(paths)
    assert [f.id for f in summary.frameworks] == ["acme-sec"]
    acme = summary.frameworks[0]
    assert [c.id for c in acme.criteria] == ["AC-1", "AC-2", "PAY-1"]
    assert acme.criterion("AC-1").category == "core"
    assert acme.criterion("PAY-1").category == "payments"
    assert acme.node("AC").children == ("AC-1", "AC-2", "PAY-1")
    assert summary.mappings[0].targets("CC6.2") == ("A.5.16", "A.5.18")
    assert summary.control_sets[0].control("mfa-enforced").severity == "critical"
