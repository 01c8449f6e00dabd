"""The AWS provider as the check engine sees it (:class:`zgovern.integrations.base.Provider`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from zgovern.identity.records import AccountRecord
from zgovern.integrations.aws import checks, sync
from zgovern.integrations.aws.checkbase import flagged, parse_time
from zgovern.integrations.aws.client import (
    AccountSession,
    CallCounter,
    ClientOptions,
    call,
    new_session,
    optional,
)
from zgovern.integrations.aws.schemas import AwsConfig, AwsCredentials
from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError

# One cheap read per service: (capability shown to the person, service, operation, params).
PROBES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("IAM account summary", "iam", "get_account_summary", {}),
    ("IAM credential report", "iam", "generate_credential_report", {}),
    ("IAM users and policies", "iam", "get_account_authorization_details", {"MaxItems": 1}),
    ("S3 buckets", "s3", "list_buckets", {}),
    ("RDS databases", "rds", "describe_db_instances", {"MaxRecords": 20}),
    ("EC2 EBS encryption", "ec2", "get_ebs_encryption_by_default", {}),
    ("EC2 security groups", "ec2", "describe_security_groups", {"MaxResults": 5}),
    ("VPC flow logs", "ec2", "describe_flow_logs", {"MaxResults": 5}),
    ("KMS keys", "kms", "list_keys", {"Limit": 1}),
    ("CloudTrail trails", "cloudtrail", "describe_trails", {}),
    ("GuardDuty detectors", "guardduty", "list_detectors", {}),
    ("AWS Config recorders", "config", "describe_configuration_recorder_status", {}),
    ("S3 account public access block", "s3control", "get_public_access_block", {}),
)
NOT_CONFIGURED = {"NoSuchPublicAccessBlockConfiguration"}


class AwsProvider:
    key = "aws"
    name = "Amazon Web Services"
    config_schema = AwsConfig
    credentials_schema = AwsCredentials

    def __init__(self, options: Callable[[], ClientOptions] = ClientOptions.from_settings):
        self._options = options

    def collect(
        self, config: AwsConfig, credentials: AwsCredentials, services: Iterable[str]
    ) -> Inventory:
        return sync.collect(config, credentials, services, options=self._options())

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE

    # The identity graph: IAM users, from the credential report the iam service collects.
    account_service = "iam"

    def accounts(self, inventory: Inventory) -> list[AccountRecord] | None:
        """IAM users of every scanned AWS account, or None when no account's IAM could
        be read."""
        if self.account_service in inventory.failures or not inventory.has("iam"):
            return None
        records: list[AccountRecord] = []
        for scope in inventory.data["iam"]:
            if "error" not in scope:
                records.extend(_iam_accounts(scope))
        return records

    def persist(self, integration: Any, inventory: Inventory, at: Any) -> None:
        """Store the IAM users as accounts of system "aws"; when some AWS accounts'
        IAM failed, the users not seen are marked stale rather than removed."""
        from zgovern.identity.services import record_accounts

        if "iam" not in inventory.data and "iam" not in inventory.failures:
            return  # this run did not collect IAM (a run of other checks)
        partial = any(key.startswith("iam:") for key in inventory.failures)
        record_accounts(integration, "aws", self.accounts(inventory), at, partial=partial)

    def test_connection(self, config: AwsConfig, credentials: AwsCredentials) -> ConnectionReport:
        """Who the key belongs to, one read per service in the home region, and each member
        account's role; names every permission found missing."""
        session = AccountSession(
            new_session(
                credentials.access_key_id, credentials.secret_access_key, credentials.session_token
            ),
            self._options(),
            CallCounter(),
        )
        region = config.regions[0]
        results: list[tuple[str, bool, str]] = []
        missing: list[str] = []
        try:
            account = session.caller_account(region)
        except ProviderError as error:
            return ConnectionReport(
                False, (("Sign in (sts:GetCallerIdentity)", False, error.message),)
            )
        results.append(("Sign in (sts:GetCallerIdentity)", True, f"account {account}"))
        results.extend(_probe(session, region, account, missing))
        for member in config.accounts:
            try:
                session.assume(member.role_arn, member.external_id, member.account_id, region)
                results.append((f"Assume role in {member.account_id}", True, member.role_arn))
            except ProviderError as error:
                results.append((f"Assume role in {member.account_id}", False, error.message))
                if error.permission:
                    missing.append(error.permission)
        ok = all(works for _, works, _ in results)
        return ConnectionReport(ok, tuple(results), tuple(dict.fromkeys(missing)))


def _iam_accounts(scope: dict[str, Any]) -> list[AccountRecord]:
    admin_arns = set(scope.get("admin_policies", []))
    users = scope.get("users", {})
    records = []
    for row in scope.get("credential_report", []):
        name, arn = row.get("user"), row.get("arn")
        if not name or not arn or name == "<root_account>":
            continue
        console = flagged(row.get("password_enabled"))
        attached = users.get(name, {}).get("attached", [])
        privileged = bool(users.get(name, {}).get("inline_admin")) or any(
            a.endswith(":iam::aws:policy/AdministratorAccess") or a in admin_arns for a in attached
        )
        records.append(AccountRecord(
            external_id=arn, username=name, email=name if "@" in name else "",
            status="active", mfa="enabled" if flagged(row.get("mfa_active")) else "disabled",
            privileged=privileged, last_login_at=parse_time(row.get("password_last_used")),
            attributes={"aws_account": scope.get("account", ""), "console_access": console},
        ))  # fmt: skip
    return records


def _probe(session: AccountSession, region: str, account: str, missing: list[str]):
    for capability, service, operation, params in PROBES:
        client = session.client(service, region)
        try:
            if service == "s3control":
                # "No block configured" is an answer: the permission works.
                optional(client, operation, NOT_CONFIGURED, AccountId=account)
            else:
                call(client, operation, **params)
            yield capability, True, "works"
        except ProviderError as error:
            if error.permission:
                missing.append(error.permission)
            yield capability, False, error.message


PROVIDER = AwsProvider()
