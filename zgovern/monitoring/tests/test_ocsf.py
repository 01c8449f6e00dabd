"""Importing OCSF findings (as Prowler writes them) into the interval record."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.evidence.models import EvidenceItem
from zgovern.monitoring import ocsf, services
from zgovern.monitoring.models import CheckInterval, CheckRun, RunTrigger
from zgovern.tenancy.models import ActivityLog

ACTOR = Actor.system("tests")
USER_ARN = "arn:aws:iam::123456789012:user/dave"


def finding(event_code: str, code: str, uid: str, **extra) -> dict:
    return {
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "metadata": {"event_code": event_code, "product": {"name": "Prowler"}, "version": "1.4.0"},
        "status_code": code,
        "status": "New",
        "status_detail": f"{uid} is {code}",
        "severity": "High",
        "resources": [{"uid": uid, "type": "AwsIamUser", "region": "us-east-1", "name": "dave"}],
        "cloud": {"provider": "aws", "account": {"uid": "123456789012"}, "region": "us-east-1"},
        **extra,
    }


def prowler_file(*findings: dict) -> bytes:
    return json.dumps(list(findings)).encode()


def open_rows(org):
    with scopes_disabled():
        rows = CheckInterval.objects.filter(organization=org, ended_at__isnull=True)
        return {(r.check_id, r.resource.external_id): r for r in rows.select_related("resource")}


def test_mapped_and_unmapped_findings_are_recorded(org_a):
    data = prowler_file(
        finding("iam_user_mfa_enabled_console_access", "FAIL", USER_ARN),
        finding("iam_some_check_we_do_not_have", "PASS", USER_ARN),
        finding("iam_rotate_access_key_90_days", "MANUAL", USER_ARN),
        finding("iam_user_accesskey_unused", "FAIL", USER_ARN, status="Suppressed"),
    )
    run = services.import_ocsf(org_a, ACTOR, data)
    assert run.trigger == RunTrigger.IMPORT and run.provider == "aws"
    assert (run.passed, run.failed, run.skipped) == (1, 1, 2)
    rows = open_rows(org_a)
    mfa = rows[("aws.iam.console_mfa", USER_ARN)]
    assert (mfa.status, mfa.reason) == ("fail", f"{USER_ARN} is FAIL")
    assert mfa.resource.resource_type == "aws.iam.user"  # our type, shared with our runs
    assert mfa.resource.account == "123456789012" and mfa.resource.region == "us-east-1"
    assert rows[("prowler.iam_some_check_we_do_not_have", USER_ARN)].status == "pass"
    assert rows[("aws.iam.access_keys_rotated", USER_ARN)].status == "skipped"
    muted = rows[("aws.iam.unused_credentials_disabled", USER_ARN)]
    assert muted.status == "skipped" and muted.reason.startswith("muted in prowler")
    with scopes_disabled():
        item = EvidenceItem.objects.get(pk=run.evidence_ids[0])
        logged = ActivityLog.objects.filter(
            organization=org_a, action="monitoring.findings_imported"
        ).get()
    assert "aws.iam.console_mfa" in item.tags
    assert item.record["config"]["import"]["mapped"] == 3
    assert logged.changes["unmapped"] == 1


def test_a_second_import_continues_the_same_intervals(org_a):
    services.import_ocsf(org_a, ACTOR, prowler_file(finding("iam_root_mfa_enabled", "FAIL", "r")))
    services.import_ocsf(org_a, ACTOR, prowler_file(finding("iam_root_mfa_enabled", "PASS", "r")))
    with scopes_disabled():
        statuses = list(
            CheckInterval.objects.filter(organization=org_a, check_id="aws.iam.root_mfa")
            .order_by("started_at")
            .values_list("status", "ended_at")
        )
    assert [s for s, _ in statuses] == ["fail", "pass"]
    assert statuses[0][1] is not None and statuses[1][1] is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b'{"findings": []}', "expected a JSON array of findings, found an object"),
        (b"[]", "holds no findings"),
        (b"[1]", "findings[0]: expected an object, found a number"),
        (
            json.dumps([{**finding("x", "PASS", "u"), "class_uid": 3001}]).encode(),
            "findings[0].class_uid: expected 2004",
        ),
        (
            json.dumps([finding("x", "PASS", "u"), finding("x", "OK", "u")]).encode(),
            "findings[1].status_code: expected PASS, FAIL or MANUAL, found 'OK'",
        ),
        (
            json.dumps([{**finding("x", "PASS", "u"), "metadata": {}}]).encode(),
            "findings[0].metadata.event_code: expected a check id, found nothing",
        ),
        (
            json.dumps([{**finding("x", "PASS", "u"), "resources": [{"type": "t"}]}]).encode(),
            "findings[0].resources[0].uid: expected the resource's id",
        ),
    ],
)
def test_a_file_that_is_not_ocsf_is_refused_and_records_nothing(org_a, data, message):
    with pytest.raises(ocsf.NotOcsf) as caught:
        services.import_ocsf(org_a, ACTOR, data)
    assert message in caught.value.message
    with scopes_disabled():
        assert not CheckRun.objects.filter(organization=org_a).exists()
        assert not CheckInterval.objects.filter(organization=org_a).exists()


def test_many_problems_are_summarised():
    data = json.dumps([{"class_uid": 1}] * 30).encode()
    with pytest.raises(ocsf.NotOcsf) as caught:
        ocsf.parse(data)
    assert len(caught.value.problems) == ocsf.MAX_PROBLEMS + 1
    assert caught.value.problems[-1].startswith("and ")


def test_findings_of_another_provider_cannot_be_recorded_as_an_integrations(org_a, integration):
    from zgovern.core.errors import DomainError

    data = prowler_file(finding("iam_root_mfa_enabled", "FAIL", "r"))
    with pytest.raises(DomainError, match="'fake' integration") as caught:
        services.import_ocsf(org_a, ACTOR, data, integration_name=integration.name)
    assert caught.value.field == "integration"


def test_every_mapping_target_is_a_registered_check():
    table = ocsf.mappings()["prowler"]
    assert table["iam_user_mfa_enabled_console_access"] == "aws.iam.console_mfa"
    assert len(table) >= 20


def test_the_mapping_loader_names_an_unknown_target(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("product: prowler\nchecks:\n  iam_x: aws.iam.nope\n")
    with pytest.raises(ocsf.LibraryError, match=r"map.yaml:3: checks.iam_x: 'aws.iam.nope'"):
        ocsf.load_mapping(path)


def test_the_command_imports_a_file_and_refuses_garbage(org_a, tmp_path):
    good = tmp_path / "prowler.ocsf.json"
    good.write_bytes(prowler_file(finding("iam_root_mfa_enabled", "PASS", "root")))
    out = StringIO()
    call_command("checks", "import-ocsf", org_a.slug, str(good), stdout=out)
    assert "Imported 1 findings of 1 checks (1 pass" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1}')
    err = StringIO()
    with pytest.raises(CommandError, match="not an OCSF findings file; nothing was recorded"):
        call_command("checks", "import-ocsf", org_a.slug, str(bad), stderr=err)
    assert "expected a JSON array" in err.getvalue()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("checks", "import-ocsf", org_a.slug, str(tmp_path / "missing.json"))
