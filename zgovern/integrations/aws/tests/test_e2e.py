"""End to end: moto's server stands in for AWS (``ZG_AWS_ENDPOINT_URL``); an organisation
adopts SOC 2 with the default controls and connects AWS; the scheduled tick runs the
integration through the worker's task; the run leaves status intervals, a hashed check
snapshot linked to the controls, and control statuses that follow the results. A second
run after a fix closes the failing interval and opens a passing one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlEvidence, ControlStatus
from zgovern.core.actor import Actor
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks import services as frameworks
from zgovern.integrations import services as integrations
from zgovern.integrations.aws.tests import world
from zgovern.integrations.aws.tests.world import CREDENTIALS, Clients
from zgovern.integrations.models import Integration
from zgovern.monitoring import tasks
from zgovern.monitoring.models import CheckInterval, CheckRun, CheckStatus, RunStatus
from zgovern.readiness.engine import assess_organization
from zgovern.tenancy.scoping import organization_scope

ACTOR = Actor.system("tests")


@pytest.fixture
def aws_endpoint(settings):
    with world.moto_server() as url:
        settings.AWS_ENDPOINT_URL = url
        yield url


def _seed(endpoint: str) -> None:
    own = Clients(endpoint_url=endpoint)
    iam = own.client("iam")
    world.console_user(iam, "ann")  # no MFA: fails aws.iam.console_mfa
    world.console_user(iam, "ben", mfa=True)
    s3 = own.client("s3")
    world.bucket(s3, "acme-backups")  # no default encryption
    world.bucket(s3, "acme-data")
    s3.put_bucket_encryption(
        Bucket="acme-data",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    kms = own.client("kms")
    key = kms.create_key(Description="app data")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key)


def _intervals(org, check_id: str) -> dict[str, list[CheckInterval]]:
    """Resource name -> its intervals under ``check_id``, oldest first."""
    with organization_scope(org):
        rows = CheckInterval.objects.filter(organization=org, check_id=check_id)
        found: dict[str, list[CheckInterval]] = {}
        for row in rows.select_related("resource").order_by("started_at", "id"):
            found.setdefault(row.resource.name, []).append(row)
    return found


def _control(org, key: str) -> Control:
    with organization_scope(org):
        return Control.objects.get(organization=org, key=key)


def _assess(org) -> dict:
    with organization_scope(org):
        return assess_organization(org).controls


def _scheduled_run(org) -> CheckRun:
    tasks.enqueue_due_runs()  # Huey runs the task in-process in the tests
    with scopes_disabled():
        return CheckRun.objects.filter(organization=org).latest("id")


def test_a_scheduled_run_records_intervals_evidence_and_control_status(
    org_a, aws_endpoint, policies_approved
):
    _seed(aws_endpoint)
    with organization_scope(org_a):
        frameworks.adopt_builtin(org_a, ACTOR, "soc2")
    integration = integrations.create_integration(
        org_a,
        ACTOR,
        provider="aws",
        name="AWS production",
        config={"regions": ["us-east-1"]},
        credentials=CREDENTIALS.model_dump(),
    )

    run = _scheduled_run(org_a)

    assert (run.integration_id, run.trigger) == (integration.pk, "schedule")
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.errors == []
    assert run.failed > 0 and run.passed > 0
    assert run.errored == 0

    # Intervals: one open interval per resource and check, with the reason.
    mfa = _intervals(org_a, "aws.iam.console_mfa")
    [ann] = mfa["ann"]
    assert (ann.status, ann.ended_at) == (CheckStatus.FAIL, None)
    assert ann.reason == "user ann has console access and no MFA device"
    assert ann.started_at == run.started_at
    assert mfa["ben"][0].status == CheckStatus.PASS
    encryption = _intervals(org_a, "aws.s3.default_encryption")
    assert encryption["acme-backups"][0].status == CheckStatus.FAIL
    assert encryption["acme-data"][0].status == CheckStatus.PASS

    # Evidence: one hashed check snapshot covering every check, linked to the controls.
    with organization_scope(org_a):
        [item] = EvidenceItem.objects.filter(organization=org_a, kind="check_snapshot")
        assert item.pk in run.evidence_ids
        assert "aws.iam.console_mfa" in item.tags and "aws.kms.key_rotation" in item.tags
        assert len(item.sha256) == 64
        linked = set(
            ControlEvidence.objects.filter(organization=org_a, evidence=item).values_list(
                "control__key", flat=True
            )
        )
    assert {"mfa-enforced", "key-management", "encryption-at-rest"} <= linked

    # Controls follow the results: a passing key-rotation check implements key
    # management; a failing MFA check keeps "MFA enforced" from being implemented.
    states = _assess(org_a)
    keys = _control(org_a, "key-management")
    assert states[keys.id].verdict.status == ControlStatus.IMPLEMENTED
    assert "Check aws.kms.key_rotation: all 1 resources pass." in states[keys.id].verdict.reasons
    mfa_control = _control(org_a, "mfa-enforced")
    verdict = states[mfa_control.id].verdict
    assert verdict.status not in (ControlStatus.IMPLEMENTED, ControlStatus.EVIDENCED)
    assert "Check aws.iam.console_mfa: 1 of 2 resources fail." in verdict.reasons

    # Ann gets an MFA device; the next scheduled run closes her failing interval.
    iam = Clients(endpoint_url=aws_endpoint).client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ann")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="ann",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    with scopes_disabled():
        Integration.objects.filter(pk=integration.pk).update(
            next_run_at=timezone.now() - timedelta(seconds=1)
        )
    second = _scheduled_run(org_a)
    assert second.pk != run.pk and second.status == RunStatus.SUCCEEDED

    failing, passing = _intervals(org_a, "aws.iam.console_mfa")["ann"]
    assert (failing.status, failing.ended_at) == (CheckStatus.FAIL, second.started_at)
    assert (passing.status, passing.ended_at) == (CheckStatus.PASS, None)
    # An unchanged status is confirmed, not repeated.
    [still] = _intervals(org_a, "aws.s3.default_encryption")["acme-backups"]
    assert still.confirmed_at == second.started_at and still.ended_at is None
    states = _assess(org_a)
    assert "Check aws.iam.console_mfa: all 2 resources pass." in (
        states[mfa_control.id].verdict.reasons
    )
