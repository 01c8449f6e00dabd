"""Demo records of integrations and monitoring: an AWS integration "Production AWS" with a
placeholder configuration and no credentials (its schedule paused until real ones are
set, so the demo never calls AWS), and the findings of a small sample Prowler scan
imported through the real OCSF import, as that integration's. That gives the monitoring
pages a run, resources, status intervals and a check snapshot in the evidence.

The sample agrees with the readiness demo's story (the access key of ``ci-deployer`` is
212 days old); the readiness demo's own check results are left as they are. Each part is
added once: a second ``zgovern demo`` finds the integration and its import.
"""

from __future__ import annotations

import json

from zgovern.integrations import services
from zgovern.integrations.models import Integration
from zgovern.monitoring import services as monitoring
from zgovern.monitoring.models import CheckRun, RunTrigger

NAME = "Production AWS"
CONFIG = {"regions": ["eu-west-1", "us-east-1"], "accounts": [], "include_own_account": True}
ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/"
# (Prowler check, status, resource id, resource type, region, what Prowler says)
SAMPLE = (
    ("iam_root_mfa_enabled", "PASS", f"arn:aws:iam::{ACCOUNT}:root", "AwsIamUser", "",
     "MFA is enabled for the root account."),
    ("iam_no_root_access_key", "PASS", f"arn:aws:iam::{ACCOUNT}:root", "AwsIamUser", "",
     "The root account has no access keys."),
    ("iam_user_mfa_enabled_console_access", "PASS", f"{USER}olivia", "AwsIamUser", "",
     "User olivia has console access and an MFA device."),
    ("iam_user_mfa_enabled_console_access", "PASS", f"{USER}adam", "AwsIamUser", "",
     "User adam has console access and an MFA device."),
    ("iam_rotate_access_key_90_days", "FAIL", f"{USER}ci-deployer", "AwsIamUser", "",
     "Access key of ci-deployer is 212 days old (limit 90)."),
    ("s3_bucket_default_encryption", "PASS", "arn:aws:s3:::acme-prod-backups", "AwsS3Bucket",
     "eu-west-1", "Bucket acme-prod-backups has default encryption (aws:kms)."),
    ("s3_bucket_default_encryption", "PASS", "arn:aws:s3:::acme-access-logs", "AwsS3Bucket",
     "eu-west-1", "Bucket acme-access-logs has default encryption (AES256)."),
    ("guardduty_is_enabled", "PASS", f"arn:aws:guardduty:eu-west-1:{ACCOUNT}:detector/demo",
     "AwsGuardDutyDetector", "eu-west-1", "GuardDuty is enabled in eu-west-1."),
)  # fmt: skip


def load(context) -> None:
    org, actor = context.organization, context.actor
    integration = Integration.objects.filter(organization=org, name=NAME).first()
    if integration is None:
        integration = services.create_integration(
            org, actor, provider="aws", name=NAME, config=CONFIG, enabled=False
        )
    imported = CheckRun.objects.filter(
        organization=org, integration=integration, trigger=RunTrigger.IMPORT
    )
    if not imported.exists():
        monitoring.import_ocsf(org, actor, sample_file(), integration_id=integration.pk)


def sample_file() -> bytes:
    """The sample scan as Prowler's ``json-ocsf`` output writes it."""
    findings = [
        {
            "class_uid": 2004,
            "class_name": "Detection Finding",
            "category_uid": 2,
            "metadata": {"event_code": code, "product": {"name": "Prowler"}, "version": "1.4.0"},
            "status_code": status,
            "status": "New",
            "status_detail": detail,
            "resources": [{"uid": uid, "type": kind, "region": region}],
            "cloud": {"provider": "aws", "account": {"uid": ACCOUNT}},
        }
        for code, status, uid, kind, region, detail in SAMPLE
    ]
    return json.dumps(findings).encode()
