"""AWS failures become ProviderErrors that say whether retrying helps and which permission
is missing; a failed service, account or region never takes the rest of the scan down."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.retries import standard
from moto import mock_aws
from moto.core import enable_iam_authentication

from zgovern.integrations.aws import checks, collectors, sync
from zgovern.integrations.aws.checkbase import ERROR, FAIL, PASS
from zgovern.integrations.aws.client import (
    AccountSession,
    CallCounter,
    ClientOptions,
    call,
    new_session,
)
from zgovern.integrations.aws.schemas import AwsCredentials
from zgovern.integrations.aws.tests import world
from zgovern.integrations.aws.tests.fake_aws import Behaviour, fake_aws, xml_error
from zgovern.integrations.aws.tests.world import (
    CREDENTIALS,
    FAST,
    MEMBER,
    MEMBER_ROLE,
    OWN,
    Clients,
    aws_config,
)
from zgovern.integrations.base import ProviderError


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    """Retries still happen, without the seconds of jittered backoff between them."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)


def _session(endpoint: str, options: ClientOptions = FAST) -> AccountSession:
    options = ClientOptions(
        endpoint_url=endpoint,
        max_attempts=options.max_attempts,
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
    )
    creds = CREDENTIALS
    return AccountSession(
        new_session(creds.access_key_id, creds.secret_access_key), options, CallCounter()
    )


def _fail(behaviour: Behaviour, service: str = "iam", method: str = "get_account_summary"):
    with fake_aws(behaviour) as endpoint:
        client = _session(endpoint).client(service, "us-east-1")
        with pytest.raises(ProviderError) as caught:
            call(client, method)
    return caught.value


# --------------------------------------------------------------- translation, one call


def test_throttling_is_retried_then_reported_as_transient():
    behaviour = Behaviour(status=400, body=xml_error("Throttling", "Rate exceeded"))
    error = _fail(behaviour)
    assert len(behaviour.requests) == FAST.max_attempts  # retried, and bounded
    assert error.permanent is False
    assert error.permission is None
    assert "throttled iam:GetAccountSummary" in error.message


def test_server_errors_are_retried_then_transient():
    behaviour = Behaviour(status=503, body=xml_error("ServiceUnavailable", "try later"))
    error = _fail(behaviour)
    assert len(behaviour.requests) == FAST.max_attempts
    assert error.permanent is False
    assert "HTTP 503" in error.message


def test_access_denied_is_permanent_and_names_the_action():
    body = xml_error("AccessDenied", "User: arn:aws:iam::1:user/x is not authorized to perform: …")
    behaviour = Behaviour(status=403, body=body)
    error = _fail(behaviour, method="generate_credential_report")
    assert len(behaviour.requests) == 1  # no point retrying
    assert error.permanent is True
    assert error.permission == "iam:GenerateCredentialReport"
    assert error.message.startswith("permission iam:GenerateCredentialReport is missing")


def test_the_permission_named_by_aws_wins_over_the_operation_name():
    body = xml_error("AccessDenied", "not authorized to perform: s3:GetEncryptionConfiguration")
    with fake_aws(Behaviour(status=403, body=body)) as endpoint:
        client = _session(endpoint).client("s3", "us-east-1")
        with pytest.raises(ProviderError) as caught:
            call(client, "get_bucket_encryption", Bucket="b")
    assert caught.value.permission == "s3:GetEncryptionConfiguration"


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidClientTokenId", "SignatureDoesNotMatch"])
def test_bad_or_expired_credentials_are_permanent(code):
    behaviour = Behaviour(status=403, body=xml_error(code, "The security token has expired."))
    error = _fail(behaviour, service="sts", method="get_caller_identity")
    assert error.permanent is True
    assert error.permission is None
    assert f"AWS credentials invalid or expired ({code})" in error.message


def test_garbage_is_an_error_not_a_crash():
    behaviour = Behaviour(status=200, body="<<<this is not XML>>>", content_type="text/plain")
    error = _fail(behaviour)
    assert error.permanent is False
    assert "could not be read" in error.message


def test_garbage_json_is_an_error_not_a_crash():
    behaviour = Behaviour(status=200, body="{not json", content_type="application/x-amz-json-1.1")
    error = _fail(behaviour, service="kms", method="list_keys")
    assert "could not be read" in error.message


def test_a_timeout_is_retried_then_transient():
    behaviour = Behaviour(status=200, body="", delay=0.6)
    options = ClientOptions(max_attempts=2, connect_timeout=0.3, read_timeout=0.3)
    with fake_aws(behaviour) as endpoint:
        client = _session(endpoint, options).client("iam", "us-east-1")
        with pytest.raises(ProviderError) as caught:
            call(client, "get_account_summary")
    assert len(behaviour.requests) == 2
    assert caught.value.permanent is False
    assert "did not answer in time" in caught.value.message


def test_a_credential_report_that_is_not_one_is_an_error():
    content = base64.b64encode(b"hello,world\n1,2\n").decode()
    body = (
        "<GetCredentialReportResponse><GetCredentialReportResult>"
        f"<Content>{content}</Content><ReportFormat>text/csv</ReportFormat>"
        "</GetCredentialReportResult></GetCredentialReportResponse>"
    )
    with fake_aws(Behaviour(status=200, body=body)) as endpoint:
        client = _session(endpoint).client("iam", "us-east-1")
        answer = call(client, "get_credential_report")
    with pytest.raises(ProviderError, match="lacks the columns user, arn"):
        collectors.parse_credential_report(answer["Content"])


def test_secrets_never_appear_in_a_repr():
    creds = AwsCredentials(access_key_id="AKIAIOSFODNN7EXAMPLE", secret_access_key="s" * 40)
    assert "AKIA" not in repr(creds)
    assert "ssss" not in repr(creds)


# ----------------------------------------------------------- whole runs keep what works


def test_a_run_against_garbage_fails_every_service_without_raising():
    behaviour = Behaviour(status=200, body="garbage", content_type="text/plain")
    with fake_aws(behaviour) as endpoint:
        options = ClientOptions(endpoint_url=endpoint, max_attempts=2, read_timeout=1)
        inventory = sync.collect(aws_config(), CREDENTIALS, ["iam", "ec2"], options=options)
    assert set(inventory.failures) == {"iam", "ec2"}
    assert not inventory.has("iam")
    assert "could not be read" in inventory.failures["iam"].message
    findings = list(checks.EVALUATORS["aws.iam.console_mfa"](inventory))
    assert [f.status for f in findings] == [ERROR]


def _auditor(iam, actions: list[str]) -> AwsCredentials:
    """An IAM user allowed only ``actions``; moto enforces it inside enable_iam_authentication."""
    iam.create_user(UserName="auditor")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    iam.put_user_policy(UserName="auditor", PolicyName="audit", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    return AwsCredentials(
        access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"]
    )


@mock_aws
def test_a_denied_service_is_an_error_naming_the_permission_and_the_rest_is_kept():
    own = Clients()
    creds = _auditor(
        own.client("iam"), ["sts:GetCallerIdentity", "ec2:Describe*", "ec2:Get*", "kms:List*"]
    )
    own.client("kms").create_key()
    with enable_iam_authentication():
        inventory = sync.collect(
            aws_config(regions=["us-east-1"]), creds, ["ec2", "s3", "kms"], options=FAST
        )
    assert inventory.has("ec2")
    assert not inventory.has("s3")
    failure = inventory.failures["s3"]
    assert failure.permanent is True
    assert failure.permission == "s3:GetAccountPublicAccessBlock"
    # The denied service's checks are ERROR with the permission named, never PASS or FAIL.
    [finding] = checks.EVALUATORS["aws.s3.public_access_blocked"](inventory)
    assert finding.status == ERROR
    assert "s3:GetAccountPublicAccessBlock" in finding.reason
    # The allowed service is evaluated as usual.
    statuses = {f.status for f in checks.EVALUATORS["aws.ec2.ebs_default_encryption"](inventory)}
    assert statuses == {FAIL}
    # kms:ListKeys works but kms:DescribeKey is refused: that key alone is ERROR.
    [key] = checks.EVALUATORS["aws.kms.key_rotation"](inventory)
    assert key.status == ERROR
    assert "kms:DescribeKey" in key.reason


@mock_aws
def test_wrong_credentials_fail_the_run_with_a_clear_reason():
    Clients().client("iam").create_user(UserName="somebody")
    stranger = AwsCredentials(access_key_id="AKIAIOSFODNN7STRANGE", secret_access_key="x" * 40)
    with enable_iam_authentication():
        inventory = sync.collect(aws_config(), stranger, ["iam", "guardduty"], options=FAST)
    assert set(inventory.failures) == {"iam", "guardduty"}
    for failure in inventory.failures.values():
        assert failure.permanent is True
        assert "credentials invalid or expired (InvalidClientTokenId)" in failure.message


@mock_aws
def test_a_role_that_cannot_be_assumed_fails_that_account_only():
    own = Clients()
    creds = _auditor(own.client("iam"), ["sts:GetCallerIdentity", "config:*"])
    world.recorder(own.client("config"), own.client("s3"), "us-east-1")
    config = aws_config(
        regions=["us-east-1"], accounts=[{"account_id": MEMBER, "role_arn": MEMBER_ROLE}]
    )
    with enable_iam_authentication():
        inventory = sync.collect(config, creds, ["config"], options=FAST)
    assert inventory.has("config")
    failure = inventory.failures[f"config:{MEMBER}:us-east-1"]
    assert failure.permanent is True
    assert f"role {MEMBER_ROLE} cannot be assumed" in failure.message
    assert failure.permission == f"sts:AssumeRole on {MEMBER_ROLE}"
    found = {
        f.resource.account: f for f in checks.EVALUATORS["aws.config.recorder_enabled"](inventory)
    }
    assert found[OWN].status == PASS
    assert found[MEMBER].status == ERROR
    assert "cannot be assumed" in found[MEMBER].reason


@mock_aws
def test_a_region_that_fails_keeps_the_other_regions(monkeypatch):
    Clients().client("guardduty").create_detector(Enable=True)
    real = collectors.COLLECTORS["guardduty"]

    def flaky(session, region, regions):
        if region == "eu-west-1":
            raise ProviderError("GuardDuty timed out", permanent=False, service="guardduty")
        return real(session, region, regions)

    monkeypatch.setitem(collectors.COLLECTORS, "guardduty", flaky)
    inventory = sync.collect(aws_config(), CREDENTIALS, ["guardduty"], options=FAST)
    assert inventory.has("guardduty")
    assert set(inventory.failures) == {f"guardduty:{OWN}:eu-west-1"}
    found = {
        f.resource.region: f.status for f in checks.EVALUATORS["aws.guardduty.enabled"](inventory)
    }
    assert found == {"us-east-1": PASS, "eu-west-1": ERROR}


@mock_aws
def test_a_bug_in_a_collector_fails_that_scope_not_the_run(monkeypatch):
    def broken(session, region, regions):
        raise KeyError("Detectors")

    monkeypatch.setitem(collectors.COLLECTORS, "guardduty", broken)
    inventory = sync.collect(
        aws_config(regions=["us-east-1"]), CREDENTIALS, ["guardduty", "config"], options=FAST
    )
    assert inventory.has("config")
    assert "could not be read" in inventory.failures["guardduty"].message


@mock_aws
def test_api_calls_are_counted_per_service():
    inventory = sync.collect(aws_config(), CREDENTIALS, ["guardduty", "config"], options=FAST)
    # One list per region (no detectors), one status read per region, one identity call.
    assert inventory.calls == {"guardduty": 2, "config": 2, "sts": 1}


def test_unknown_services_are_refused():
    with pytest.raises(ValueError, match="unknown AWS services"):
        sync.collect(aws_config(), CREDENTIALS, ["lambda"])
