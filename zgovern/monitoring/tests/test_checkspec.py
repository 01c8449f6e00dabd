"""checks.yaml: every registered provider's file is valid, and a bad file is refused with
every problem located by line and field."""

from __future__ import annotations

import textwrap
from io import StringIO

import pytest
from django.core.management import call_command

from zgovern.frameworks.yamlsource import LibraryError, read_document
from zgovern.integrations import registry as providers
from zgovern.monitoring import checkspec, registry
from zgovern.monitoring.tests.fakeprovider import FakeProvider

GOOD = """\
provider: fake
checks:
  - id: fake.users.mfa
    title: Users have MFA
    service: users
    resource_type: fake.user
    severity: high
    criteria: [soc2:CC6.1]
    controls: [mfa-enforced]
    permission: users:List
    remediation: Turn on MFA.
"""


def parse(text: str):
    return checkspec.parse_checks(read_document(textwrap.dedent(text), name="checks.yaml"), "fake")


def problems(text: str) -> list[str]:
    with pytest.raises(LibraryError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


def test_every_registered_provider_has_valid_checks():
    registry.clear()
    for provider in providers.all_providers():
        specs = registry.provider_checks(provider)
        assert specs, provider.key
        assert set(provider.evaluators()) == {spec.id for spec in specs}


def test_a_good_entry_is_read_whole():
    [spec] = parse(GOOD)
    assert spec.id == "fake.users.mfa" and spec.criteria == ("soc2:CC6.1",)
    assert spec.controls == ("mfa-enforced",) and spec.permissions == ("users:List",)
    assert spec.severity == "high" and spec.provider == "fake"


def test_a_top_level_list_is_accepted():
    text = "\n".join(line[2:] for line in GOOD.splitlines()[2:])
    assert [s.id for s in parse(text)] == ["fake.users.mfa"]


def test_bad_values_are_located():
    bad = (
        GOOD.replace("fake.users.mfa", "other.users.mfa")
        .replace("severity: high", "severity: urgent")
        .replace("[soc2:CC6.1]", "[soc2:CC99.9, nist:AC-1, CC6.1]")
        .replace("[mfa-enforced]", "[no-such-control]")
        .replace("    remediation: Turn on MFA.\n", "    remediaton: typo\n")
    )
    found = problems(bad)
    assert "checks.yaml:3: checks[0].id: must start with 'fake.'" in found
    assert any("checks[0].severity: 'urgent' is not one of" in p for p in found)
    assert any("criteria[0]: unknown soc2 criterion 'CC99.9'" in p for p in found)
    assert any("criteria[1]: unknown framework 'nist'" in p for p in found)
    assert any("criteria[2]: 'CC6.1' is not a reference like soc2:CC6.1" in p for p in found)
    assert any("controls[0]: 'no-such-control' is not a control" in p for p in found)
    assert any("checks[0].remediaton: unknown key" in p for p in found)
    assert any("checks[0].remediation: is required" in p for p in found)


def test_duplicate_ids_and_a_wrong_provider_are_refused():
    doubled = GOOD + "\n".join(GOOD.splitlines()[2:]) + "\n"
    assert any("duplicate id 'fake.users.mfa'" in p for p in problems(doubled))
    assert any(
        "provider: expected 'fake', got 'aws'" in p
        for p in problems(GOOD.replace("provider: fake", "provider: aws"))
    )


def test_metadata_and_evaluators_must_match_both_ways(tmp_path):
    provider = FakeProvider()
    path = tmp_path / "checks.yaml"
    path.write_text(GOOD.replace("fake.users.mfa", "fake.users.orphan"))
    provider.checks_file = lambda: str(path)
    with pytest.raises(LibraryError) as caught:
        checkspec.load_checks(provider)
    messages = [p.message for p in caught.value.problems]
    assert "'fake.users.orphan' has no evaluator in the provider" in messages
    assert "evaluator 'fake.buckets.encrypted' has no metadata in this file" in messages


def test_the_validate_command_reports_every_provider(fake_provider):
    out = StringIO()
    call_command("checks", "validate", stdout=out)
    assert "aws:" in out.getvalue() and "fake: 3 checks" in out.getvalue()
    assert "OK: no problems found" in out.getvalue()
