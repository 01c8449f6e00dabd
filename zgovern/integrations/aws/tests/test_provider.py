"""The provider as the engine sees it: its schemas refuse bad input with a message naming
the field, "Test connection" says what works and what permission is missing, and its
checks' metadata points at real controls and criteria."""

from __future__ import annotations

import json

import pytest
import yaml
from moto import mock_aws
from moto.core import enable_iam_authentication
from pydantic import ValidationError

from zgovern.frameworks import library
from zgovern.integrations import registry
from zgovern.integrations.aws.client import ClientOptions
from zgovern.integrations.aws.provider import PROVIDER, AwsProvider
from zgovern.integrations.aws.schemas import AwsConfig, AwsCredentials
from zgovern.integrations.aws.tests.world import CREDENTIALS, MEMBER, MEMBER_ROLE, Clients


def _errors(schema, data) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        schema.model_validate(data)
    return {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}


# ---------------------------------------------------------------------------- schemas


def test_the_registry_knows_aws():
    provider = registry.get("aws")
    assert provider is PROVIDER
    assert (provider.key, provider.name) == ("aws", "Amazon Web Services")


def test_regions_and_member_accounts_are_accepted():
    config = AwsConfig.model_validate(
        {
            "regions": ["eu-west-1", "us-east-1", "cn-north-1", "us-gov-west-1"],
            "accounts": [{"account_id": MEMBER, "role_arn": MEMBER_ROLE, "external_id": "zg-42"}],
        }
    )
    assert config.regions[0] == "eu-west-1"
    assert config.accounts[0].external_id == "zg-42"
    assert config.include_own_account is True


def test_an_unknown_region_is_rejected_by_name():
    errors = _errors(AwsConfig, {"regions": ["us-east-1", "mars-north-1"]})
    assert "unknown AWS region 'mars-north-1'" in errors["regions"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"regions": []}, "regions", "at least 1 item"),
        ({"regions": ["us-east-1", "us-east-1"]}, "regions", "listed twice"),
        ({"regions": ["us-east-1"], "colour": "red"}, "colour", "Extra inputs"),
        (
            {"regions": ["us-east-1"], "accounts": [{"account_id": "12", "role_arn": MEMBER_ROLE}]},
            "accounts.0.account_id",
            "should match pattern",
        ),
        (
            {"regions": ["us-east-1"], "accounts": [{"account_id": MEMBER, "role_arn": "admin"}]},
            "accounts.0.role_arn",
            "not an IAM role ARN",
        ),
        (
            {
                "regions": ["us-east-1"],
                "accounts": [{"account_id": "222222222222", "role_arn": MEMBER_ROLE}],
            },
            "accounts.0",
            "belongs to account 111111111111",
        ),
        (
            {"regions": ["us-east-1"], "include_own_account": False},
            "",
            "nothing to scan",
        ),
    ],
)
def test_bad_config_names_the_field(data, field, message):
    errors = _errors(AwsConfig, data)
    assert field in errors, errors
    assert message in errors[field]


def test_bad_credentials_are_refused_without_echoing_the_secret():
    with pytest.raises(ValidationError) as caught:
        AwsCredentials.model_validate({"access_key_id": "not a key", "secret_access_key": "tiny"})
    text = str(caught.value)
    assert "access_key_id" in text
    assert "secret_access_key" in text
    assert "tiny" not in text  # input values are hidden
    assert "not a key" not in text


def test_credentials_round_trip_through_json_for_encrypted_storage():
    stored = CREDENTIALS.model_dump_json()
    assert AwsCredentials.model_validate_json(stored) == CREDENTIALS


# --------------------------------------------------------------------- test connection


@mock_aws
def test_connection_works_with_full_access():
    config = AwsConfig(
        regions=["us-east-1"], accounts=[{"account_id": MEMBER, "role_arn": MEMBER_ROLE}]
    )
    report = AwsProvider(ClientOptions).test_connection(config, CREDENTIALS)
    assert report.ok, report
    assert report.missing_permissions == ()
    capabilities = {name: works for name, works, _ in report.checks}
    assert capabilities["Sign in (sts:GetCallerIdentity)"] is True
    assert capabilities["IAM credential report"] is True
    assert capabilities[f"Assume role in {MEMBER}"] is True


@mock_aws
def test_connection_names_every_missing_permission():
    iam = Clients().client("iam")
    iam.create_user(UserName="narrow")
    allowed = ["sts:GetCallerIdentity", "iam:GetAccountSummary", "ec2:*", "kms:*", "s3:*"]
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": allowed, "Resource": "*"}],
    }
    iam.put_user_policy(UserName="narrow", PolicyName="p", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName="narrow")["AccessKey"]
    creds = AwsCredentials(
        access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"]
    )
    with enable_iam_authentication():
        report = AwsProvider(ClientOptions).test_connection(AwsConfig(regions=["us-east-1"]), creds)
    assert report.ok is False
    works = {name: ok for name, ok, _ in report.checks}
    assert works["IAM account summary"] is True
    assert works["EC2 security groups"] is True
    assert works["IAM credential report"] is False
    assert "iam:GenerateCredentialReport" in report.missing_permissions
    assert "iam:GetAccountAuthorizationDetails" in report.missing_permissions
    assert "rds:DescribeDBInstances" in report.missing_permissions
    assert "config:DescribeConfigurationRecorderStatus" in report.missing_permissions


@mock_aws
def test_connection_with_wrong_credentials_says_so():
    stranger = AwsCredentials(access_key_id="AKIAIOSFODNN7STRANGE", secret_access_key="x" * 40)
    with enable_iam_authentication():
        report = AwsProvider(ClientOptions).test_connection(
            AwsConfig(regions=["us-east-1"]), stranger
        )
    assert report.ok is False
    [(capability, works, detail)] = report.checks
    assert capability == "Sign in (sts:GetCallerIdentity)"
    assert works is False
    assert "credentials invalid or expired" in detail


# --------------------------------------------------------------------------- metadata


def _checks_yaml() -> list[dict]:
    with open(PROVIDER.checks_file()) as handle:
        return yaml.safe_load(handle)["checks"]


def test_metadata_points_at_real_controls_and_criteria():
    controls = {c.key for c in library.load_default_controls().controls}
    soc2 = library.load_builtin_frameworks()["soc2"]
    for check in _checks_yaml():
        for key in check["controls"]:
            assert key in controls, (check["id"], key)
        for criterion in check["criteria"]:
            framework, _, ident = criterion.partition(":")
            assert framework == "soc2" and soc2.has_criterion(ident), (check["id"], criterion)
        assert check["severity"] in {"critical", "high", "medium", "low"}
        assert check["permission"] and check["remediation"].strip()


def test_every_check_the_default_controls_name_and_we_have_is_linked_back():
    """Where a default control names one of our checks, our metadata names that control."""
    ours = {c["id"]: set(c["controls"]) for c in _checks_yaml()}
    for control in library.load_default_controls().controls:
        for check_id in control.checks:
            if check_id in ours:
                assert control.key in ours[check_id], (check_id, control.key)
