"""IAM users from the AWS credential report become accounts of system "aws"."""

from __future__ import annotations

from datetime import UTC, datetime

from zgovern.identity.tests.conftest import accounts, add_person, holder
from zgovern.integrations.aws.provider import PROVIDER
from zgovern.integrations.base import Inventory, ProviderError

AT = datetime(2026, 1, 5, tzinfo=UTC)


def scope(account: str, *users: tuple[str, str, str]) -> dict:
    rows = [{"user": "<root_account>", "arn": f"arn:aws:iam::{account}:root",
             "password_enabled": "not_supported", "mfa_active": "true",
             "password_last_used": "N/A"}]  # fmt: skip
    for name, console, mfa in users:
        rows.append({
            "user": name, "arn": f"arn:aws:iam::{account}:user/{name}", "password_enabled": console,
            "mfa_active": mfa, "password_last_used": "2026-01-02T10:00:00+00:00",
        })  # fmt: skip
    return {
        "account": account, "region": "", "credential_report": rows,
        "users": {"ops@a.example": {"attached": ["arn:aws:iam::aws:policy/AdministratorAccess"],
                                    "inline_admin": []}},
        "admin_policies": [],
    }  # fmt: skip


def test_iam_users_become_linked_accounts(org_a):
    ops = add_person(org_a, "ops@a.example")
    aws = holder(org_a, "AWS")
    inventory = Inventory(data={"iam": [
        scope("111111111111", ("ops@a.example", "true", "true"), ("deployer", "false", "false")),
    ]})  # fmt: skip
    PROVIDER.persist(aws, inventory, AT)
    stored = accounts(org_a, system="aws")
    assert set(stored) == {
        "arn:aws:iam::111111111111:user/ops@a.example", "arn:aws:iam::111111111111:user/deployer",
    }  # fmt: skip
    ops_account = stored["arn:aws:iam::111111111111:user/ops@a.example"]
    assert ops_account.person_id == ops.pk and ops_account.privileged
    assert ops_account.mfa == "enabled" and ops_account.last_login_at is not None
    deployer = stored["arn:aws:iam::111111111111:user/deployer"]
    assert deployer.attributes["console_access"] is False and deployer.mfa == "disabled"


def test_failed_iam_keeps_accounts_stale(org_a):
    aws = holder(org_a, "AWS")
    PROVIDER.persist(aws, Inventory(data={"iam": [
        scope("111111111111", ("a", "true", "true")), scope("222222222222", ("b", "true", "true")),
    ]}), AT)  # fmt: skip
    # One AWS account's IAM failed: its users are in doubt, not gone.
    failed_one = Inventory(
        data={"iam": [scope("111111111111", ("a", "true", "true")),
                      {"account": "222222222222", "region": "", "error": "denied"}]},
        failures={"iam:222222222222:": ProviderError("denied", permanent=True, service="iam")},
    )  # fmt: skip
    PROVIDER.persist(aws, failed_one, AT)
    stored = accounts(org_a, system="aws")
    assert all(a.status == "active" for a in stored.values())
    assert stored["arn:aws:iam::222222222222:user/b"].stale
    # All of IAM failed: everything stale, nothing removed.
    PROVIDER.persist(aws, Inventory(data={"iam": []}, failures={
        "iam": ProviderError("denied", permanent=True, service="iam"),
    }), AT)  # fmt: skip
    assert all(a.stale and a.status == "active" for a in accounts(org_a, system="aws").values())
    # A run that did not collect IAM leaves the accounts alone.
    PROVIDER.persist(aws, Inventory(data={"s3": []}), AT)
    assert len(accounts(org_a, system="aws")) == 2
