"""Every AWS check against moto, through collection and evaluation: each has a resource
that passes and one that fails.

One world is seeded and collected once for the module (moto is slow to start): the
credentials' own account holds the failing account-wide settings and a member account,
reached through sts:AssumeRole, the passing ones; us-east-1 holds the passing regional
settings and eu-west-1 the failing ones.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from moto import mock_aws

from zgovern.integrations.aws import checks, sync
from zgovern.integrations.aws.checkbase import ERROR, FAIL, NOT_APPLICABLE, PASS
from zgovern.integrations.aws.tests import world
from zgovern.integrations.aws.tests.world import (
    ADMIN_ARN,
    ALL_BLOCKED,
    CREDENTIALS,
    MEMBER,
    MEMBER_ROLE,
    OWN,
    READ_POLICY,
    STAR_POLICY,
    Clients,
    aws_config,
)
from zgovern.integrations.base import Inventory


def _days_ago(days: int) -> datetime:
    # moto keeps naive UTC datetimes.
    return (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)


def _seed_iam(own: Clients) -> None:
    from moto.iam.models import iam_backends

    iam = own.client("iam")
    world.console_user(iam, "alice")  # console, no MFA
    world.console_user(iam, "carol", mfa=True)  # console, MFA, signed in recently
    world.console_user(iam, "dormant", mfa=True)  # signed in 120 days ago
    iam.create_user(UserName="svc-old")  # key 200 days old
    iam.create_access_key(UserName="svc-old")
    iam.create_user(UserName="svc-fresh")  # key 10 days old, used yesterday
    iam.create_access_key(UserName="svc-fresh")
    iam.create_user(UserName="admin-user")
    iam.attach_user_policy(UserName="admin-user", PolicyArn=ADMIN_ARN)
    star = iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(STAR_POLICY))
    iam.create_user(UserName="star-user")
    iam.attach_user_policy(UserName="star-user", PolicyArn=star["Policy"]["Arn"])
    iam.create_user(UserName="inline-admin")
    iam.put_user_policy(
        UserName="inline-admin", PolicyName="all", PolicyDocument=json.dumps(STAR_POLICY)
    )
    reader = iam.create_policy(PolicyName="reader", PolicyDocument=json.dumps(READ_POLICY))
    iam.create_user(UserName="reader")
    iam.attach_user_policy(UserName="reader", PolicyArn=reader["Policy"]["Arn"])

    backend = iam_backends[OWN]["global"]
    users = backend.users
    users["carol"].password_last_used = _days_ago(2)
    users["dormant"].password_last_used = _days_ago(120)
    users["svc-old"].access_keys[0].create_date = _days_ago(200)
    users["svc-fresh"].access_keys[0].create_date = _days_ago(10)
    users["svc-fresh"].access_keys[0].last_used = _days_ago(1)
    backend.account_summary._account_access_keys_present = 1  # root has a key
    iam_backends[MEMBER]["global"].account_summary._account_mfa_enabled = 1  # root has MFA
    member_iam = Clients(MEMBER).client("iam")
    member_iam.update_account_password_policy(MinimumPasswordLength=16, PasswordReusePrevention=24)


def _seed_s3(own: Clients, member: Clients) -> None:
    s3 = own.client("s3")
    for name in ("open-bucket", "locked-bucket", "public-policy-bucket", "public-acl-bucket"):
        world.bucket(s3, name)
    world.bucket(s3, "vpce-only-bucket", region="eu-west-1")
    s3.put_public_access_block(Bucket="locked-bucket", PublicAccessBlockConfiguration=ALL_BLOCKED)
    s3.put_bucket_encryption(
        Bucket="locked-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    world.policy(s3, "locked-bucket", world.tls_only("locked-bucket"))
    world.policy(s3, "public-policy-bucket", world.public_read("public-policy-bucket"))
    s3.put_bucket_acl(Bucket="public-acl-bucket", ACL="public-read")
    limited = world.public_read(
        "vpce-only-bucket", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
    )
    world.policy(s3, "vpce-only-bucket", limited)
    member.client("s3control").put_public_access_block(
        AccountId=MEMBER, PublicAccessBlockConfiguration=ALL_BLOCKED
    )
    world.bucket(member.client("s3"), "member-public-acl")
    member.client("s3").put_bucket_acl(Bucket="member-public-acl", ACL="public-read")


def _seed_rds(own: Clients) -> None:
    rds = own.client("rds")
    world.database(rds, "db-plain", encrypted=False, retention=1, public=True)
    world.database(rds, "db-secure", encrypted=True, retention=7)
    world.cluster(rds, "cluster-plain", encrypted=False, retention=1)
    world.cluster(rds, "cluster-secure", encrypted=True, retention=14)
    rds.create_db_snapshot(DBInstanceIdentifier="db-plain", DBSnapshotIdentifier="snap-plain")
    rds.create_db_snapshot(DBInstanceIdentifier="db-secure", DBSnapshotIdentifier="snap-secure")


def _seed_ec2(own: Clients) -> dict[str, str]:
    ec2 = own.client("ec2")
    ec2.enable_ebs_encryption_by_default()  # us-east-1 only
    plain = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=False)
    sealed = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=True)
    ids = {
        "vol-plain": plain["VolumeId"],
        "vol-sealed": sealed["VolumeId"],
        "snap-plain": ec2.create_snapshot(VolumeId=plain["VolumeId"])["SnapshotId"],
        "snap-sealed": ec2.create_snapshot(VolumeId=sealed["VolumeId"])["SnapshotId"],
    }
    ids["ssh-open"] = world.security_group(ec2, "ssh-open", world.tcp(22))
    ids["db-open-v6"] = world.security_group(ec2, "db-open-v6", world.tcp(5432, "::/0"))
    everything = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ids["all-open"] = world.security_group(ec2, "all-open", everything)
    ranged = {**world.tcp(0), "FromPort": 3000, "ToPort": 3400}  # covers 3306 and 3389
    ids["range-open"] = world.security_group(ec2, "range-open", ranged)
    ids["web"] = world.security_group(ec2, "web", world.tcp(443), world.tcp(22, "10.0.0.0/8"))
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    ids["vpc-logged"] = vpc
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::open-bucket",
    )
    ids["vpc-unlogged"] = own.client("ec2", "eu-west-1").describe_vpcs()["Vpcs"][0]["VpcId"]
    return ids


def _seed_kms(own: Clients) -> dict[str, str]:
    from moto.kms.models import kms_backends

    kms = own.client("kms")
    rotated = kms.create_key(Description="rotated")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotated)
    kms.create_alias(AliasName="alias/app-data", TargetKeyId=rotated)
    stale = kms.create_key(Description="stale")["KeyMetadata"]["KeyId"]
    disabled = kms.create_key(Description="disabled")["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    aws_alias = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/aws/zgovern-test", TargetKeyId=aws_alias)
    aws_managed = kms.create_key()["KeyMetadata"]["KeyId"]
    kms_backends[OWN]["us-east-1"].keys[aws_managed].key_manager = "AWS"
    return {
        "rotated": rotated,
        "stale": stale,
        "disabled": disabled,
        "signing": signing,
        "aws_alias": aws_alias,
        "aws_managed": aws_managed,
    }


def _seed_monitoring(own: Clients, member: Clients) -> None:
    world.trail(
        own.client("cloudtrail"),
        own.client("s3"),
        "own-trail",
        multi_region=False,
        validation=False,
    )
    world.trail(
        member.client("cloudtrail"),
        member.client("s3"),
        "org-trail",
        multi_region=True,
        validation=True,
    )
    own.client("guardduty").create_detector(Enable=True)
    world.recorder(own.client("config"), own.client("s3"), "us-east-1")


@pytest.fixture(scope="module")
def scan():
    with mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
        own, member = Clients(), Clients(MEMBER)
        _seed_iam(own)
        _seed_s3(own, member)
        _seed_rds(own)
        ids = _seed_ec2(own)
        ids.update(_seed_kms(own))
        _seed_monitoring(own, member)
        config = aws_config(accounts=[{"account_id": MEMBER, "role_arn": MEMBER_ROLE}])
        inventory = sync.collect(config, CREDENTIALS, sync.SERVICES, options=world.FAST)
    return inventory, ids


@pytest.fixture(scope="module")
def inventory(scan) -> Inventory:
    return scan[0]


@pytest.fixture(scope="module")
def ids(scan) -> dict[str, str]:
    return scan[1]


def verdicts(inventory: Inventory, check_id: str) -> dict[str, tuple[str, str]]:
    """Resource external id -> (status, reason)."""
    found = {}
    for finding in checks.EVALUATORS[check_id](inventory):
        assert finding.resource.external_id not in found, finding
        found[finding.resource.external_id] = (finding.status, finding.reason)
    return found


def status_of(inventory: Inventory, check_id: str, fragment: str) -> tuple[str, str]:
    """The verdict on the one resource whose external id ends with ``fragment``."""
    hits = [v for k, v in verdicts(inventory, check_id).items() if k.endswith(fragment)]
    assert len(hits) == 1, (fragment, verdicts(inventory, check_id))
    return hits[0]


def user(name: str) -> str:
    return f":user/{name}"


# ------------------------------------------------------------------------- collection


def test_the_scan_collected_every_service_in_both_accounts(inventory):
    assert inventory.failures == {}
    assert set(inventory.data) == set(sync.SERVICES)
    assert {(r["account"], r["region"]) for r in inventory.data["ec2"]} == {
        (OWN, "us-east-1"),
        (OWN, "eu-west-1"),
        (MEMBER, "us-east-1"),
        (MEMBER, "eu-west-1"),
    }
    assert {(r["account"], r["region"]) for r in inventory.data["iam"]} == {(OWN, ""), (MEMBER, "")}
    json.dumps(inventory.data)  # plain JSON: what was seen can be stored as it is
    # Calls are counted per service; IAM costs the same whatever the number of users.
    assert inventory.calls["iam"] <= 2 * 6
    assert inventory.calls["sts"] >= 2  # own identity, member role


def test_every_check_has_metadata_and_every_metadata_an_evaluator():
    with open(checks.CHECKS_FILE) as handle:
        data = yaml.safe_load(handle)
    ids = [c["id"] for c in data["checks"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(checks.EVALUATORS)
    for check in data["checks"]:
        assert check["service"] == checks.SERVICE_OF[check["id"]], check["id"]


# ------------------------------------------------------------------------------- IAM


def test_console_mfa(inventory):
    assert status_of(inventory, "aws.iam.console_mfa", user("alice")) == (
        FAIL,
        "user alice has console access and no MFA device",
    )
    assert status_of(inventory, "aws.iam.console_mfa", user("carol"))[0] == PASS
    assert status_of(inventory, "aws.iam.console_mfa", user("svc-old"))[0] == NOT_APPLICABLE


def test_root_mfa(inventory):
    assert status_of(inventory, "aws.iam.root_mfa", f"{OWN}:root") == (
        FAIL,
        "the root user has no MFA device",
    )
    assert status_of(inventory, "aws.iam.root_mfa", f"{MEMBER}:root")[0] == PASS


def test_root_access_keys(inventory):
    assert status_of(inventory, "aws.iam.root_access_keys_absent", f"{OWN}:root")[0] == FAIL
    assert status_of(inventory, "aws.iam.root_access_keys_absent", f"{MEMBER}:root")[0] == PASS


def test_access_keys_rotated(inventory):
    status, reason = status_of(inventory, "aws.iam.access_keys_rotated", user("svc-old"))
    assert status == FAIL
    assert "access key 1 is 200 days old" in reason
    assert "never been used" in reason
    assert status_of(inventory, "aws.iam.access_keys_rotated", user("svc-fresh"))[0] == PASS
    assert status_of(inventory, "aws.iam.access_keys_rotated", user("alice"))[0] == NOT_APPLICABLE


def test_unused_credentials_disabled(inventory):
    status, reason = status_of(inventory, "aws.iam.unused_credentials_disabled", user("dormant"))
    assert (status, reason) == (
        FAIL,
        "user dormant has console access and last signed in 120 days ago",
    )
    assert status_of(inventory, "aws.iam.unused_credentials_disabled", user("carol"))[0] == PASS
    # Never signed in, but created today: not yet inactive.
    assert status_of(inventory, "aws.iam.unused_credentials_disabled", user("alice"))[0] == PASS
    na = status_of(inventory, "aws.iam.unused_credentials_disabled", user("svc-old"))
    assert na[0] == NOT_APPLICABLE


def test_admin_policy_attached_to_user(inventory):
    check = "aws.iam.admin_policy_attached_to_user"
    assert status_of(inventory, check, user("admin-user")) == (
        FAIL,
        "user admin-user has administrator access attached directly: AdministratorAccess",
    )
    assert "everything" in status_of(inventory, check, user("star-user"))[1]
    assert "inline policy all" in status_of(inventory, check, user("inline-admin"))[1]
    assert status_of(inventory, check, user("reader"))[0] == PASS
    assert status_of(inventory, check, user("alice"))[0] == PASS


def test_no_user_attached_policies(inventory):
    check = "aws.iam.no_user_attached_policies"
    status, reason = status_of(inventory, check, user("reader"))
    assert status == FAIL
    assert "reader" in reason
    assert status_of(inventory, check, user("alice"))[0] == PASS


def test_password_policy(inventory):
    assert verdicts(inventory, "aws.iam.password_policy")[OWN] == (
        FAIL,
        "the account has no IAM password policy",
    )
    assert verdicts(inventory, "aws.iam.password_policy")[MEMBER][0] == PASS


# -------------------------------------------------------------------------------- S3


def test_account_public_access_block(inventory):
    found = verdicts(inventory, "aws.s3.public_access_blocked")
    assert found[OWN] == (FAIL, "the account has no S3 public access block")
    assert found[MEMBER][0] == PASS


def test_bucket_public_access_block(inventory):
    check = "aws.s3.bucket_public_access_block"
    assert status_of(inventory, check, ":::open-bucket") == (
        FAIL,
        "bucket open-bucket has no public access block",
    )
    assert status_of(inventory, check, ":::locked-bucket")[0] == PASS
    # The member account blocks public access for every bucket at account level.
    assert status_of(inventory, check, ":::member-public-acl")[0] == PASS


def test_bucket_not_public(inventory):
    check = "aws.s3.bucket_not_public"
    status, reason = status_of(inventory, check, ":::public-policy-bucket")
    assert status == FAIL
    assert "policy lets anyone s3:GetObject" in reason
    status, reason = status_of(inventory, check, ":::public-acl-bucket")
    assert status == FAIL
    assert "ACL grants AllUsers:READ" in reason
    assert status_of(inventory, check, ":::locked-bucket")[0] == PASS
    assert status_of(inventory, check, ":::vpce-only-bucket")[0] == PASS  # condition limits it
    assert status_of(inventory, check, ":::member-public-acl")[0] == PASS  # ACLs ignored


def test_default_encryption_covers_every_bucket(inventory):
    check = "aws.s3.default_encryption"
    assert status_of(inventory, check, ":::locked-bucket") == (
        PASS,
        "bucket locked-bucket encrypts new objects by default (aws:kms)",
    )
    assert status_of(inventory, check, ":::open-bucket")[0] == FAIL
    # Logging buckets are checked like any other.
    assert status_of(inventory, check, ":::own-trail-logs")[0] == FAIL


def test_secure_transport(inventory):
    check = "aws.s3.secure_transport"
    assert status_of(inventory, check, ":::locked-bucket")[0] == PASS
    assert status_of(inventory, check, ":::open-bucket")[0] == FAIL
    assert status_of(inventory, check, ":::public-policy-bucket")[0] == FAIL


def test_bucket_regions_are_recorded(inventory):
    buckets = {b["name"]: b for r in inventory.data["s3"] for b in r["buckets"]}
    assert set(buckets) >= {"open-bucket", "vpce-only-bucket", "member-public-acl"}


# ------------------------------------------------------------------------------- RDS


def test_rds_instance_encrypted(inventory):
    check = "aws.rds.storage_encrypted"
    assert status_of(inventory, check, ":db:db-plain") == (
        FAIL,
        "database instance db-plain is not encrypted at rest",
    )
    assert status_of(inventory, check, ":db:db-secure")[0] == PASS


def test_rds_cluster_encrypted(inventory):
    check = "aws.rds.cluster_encrypted"
    assert status_of(inventory, check, ":cluster:cluster-plain")[0] == FAIL
    assert status_of(inventory, check, ":cluster:cluster-secure")[0] == PASS


def test_rds_snapshot_encrypted(inventory):
    check = "aws.rds.snapshot_encrypted"
    assert status_of(inventory, check, ":snapshot:snap-plain")[0] == FAIL
    assert status_of(inventory, check, ":snapshot:snap-secure")[0] == PASS


def test_rds_backup_retention(inventory):
    check = "aws.rds.backups_enabled"
    assert status_of(inventory, check, ":db:db-plain") == (
        FAIL,
        "database instance db-plain keeps backups 1 days, less than 7",
    )
    assert status_of(inventory, check, ":db:db-secure")[0] == PASS
    assert status_of(inventory, check, ":cluster:cluster-plain")[0] == FAIL
    assert status_of(inventory, check, ":cluster:cluster-secure")[0] == PASS


def test_rds_not_publicly_accessible(inventory):
    check = "aws.rds.not_publicly_accessible"
    assert status_of(inventory, check, ":db:db-plain")[0] == FAIL
    assert status_of(inventory, check, ":db:db-secure")[0] == PASS


# ------------------------------------------------------------------------------- EC2


def test_ebs_default_encryption_per_region(inventory):
    found = verdicts(inventory, "aws.ec2.ebs_default_encryption")
    assert found[f"{OWN}:us-east-1"][0] == PASS
    assert found[f"{OWN}:eu-west-1"] == (FAIL, "EBS encryption by default is off in eu-west-1")


def test_volume_encrypted(inventory, ids):
    check = "aws.ec2.ebs_encrypted"
    assert status_of(inventory, check, ids["vol-plain"])[0] == FAIL
    assert status_of(inventory, check, ids["vol-sealed"])[0] == PASS


def test_snapshot_encrypted(inventory, ids):
    check = "aws.ec2.snapshot_encrypted"
    assert status_of(inventory, check, ids["snap-plain"])[0] == FAIL
    assert status_of(inventory, check, ids["snap-sealed"])[0] == PASS


def test_security_groups_restricted_ingress(inventory, ids):
    check = "aws.ec2.security_groups_restricted_ingress"
    status, reason = status_of(inventory, check, ids["ssh-open"])
    assert status == FAIL
    assert "22 (SSH) to 0.0.0.0/0" in reason
    assert "5432 (PostgreSQL) to ::/0" in status_of(inventory, check, ids["db-open-v6"])[1]
    assert "all traffic to 0.0.0.0/0" in status_of(inventory, check, ids["all-open"])[1]
    reason = status_of(inventory, check, ids["range-open"])[1]
    assert "3306 (MySQL), 3389 (RDP)" in reason
    assert status_of(inventory, check, ids["web"])[0] == PASS


def test_no_public_ssh_rdp(inventory, ids):
    check = "aws.ec2.no_public_ssh_rdp"
    assert status_of(inventory, check, ids["ssh-open"])[0] == FAIL
    assert status_of(inventory, check, ids["range-open"])[0] == FAIL
    assert status_of(inventory, check, ids["db-open-v6"])[0] == PASS
    assert status_of(inventory, check, ids["web"])[0] == PASS


def test_vpc_flow_logs(inventory, ids):
    check = "aws.vpc.flow_logs"
    assert status_of(inventory, check, ids["vpc-logged"])[0] == PASS
    assert status_of(inventory, check, ids["vpc-unlogged"])[0] == FAIL


# ------------------------------------------------------------------------------- KMS


def test_kms_key_rotation(inventory, ids):
    check = "aws.kms.key_rotation"
    assert status_of(inventory, check, ids["rotated"]) == (
        PASS,
        "key alias/app-data rotates automatically",
    )
    assert status_of(inventory, check, ids["stale"])[0] == FAIL
    assert status_of(inventory, check, ids["disabled"])[0] == NOT_APPLICABLE
    assert status_of(inventory, check, ids["signing"])[0] == NOT_APPLICABLE
    found = verdicts(inventory, check)
    # AWS-managed keys are not the customer's to rotate: not even listed.
    assert not any(k.endswith(ids["aws_alias"]) for k in found)
    assert not any(k.endswith(ids["aws_managed"]) for k in found)


# ------------------------------------------------------------------------ monitoring


def test_cloudtrail_multi_region_logging(inventory):
    found = verdicts(inventory, "aws.cloudtrail.enabled_all_regions")
    assert found[OWN] == (FAIL, f"account {OWN} has no multi-region CloudTrail trail")
    assert found[MEMBER] == (PASS, "trail org-trail records every region and is logging")


def test_cloudtrail_log_validation(inventory):
    check = "aws.cloudtrail.log_file_validation"
    assert status_of(inventory, check, ":trail/own-trail")[0] == FAIL
    # The multi-region trail shows in both regions and is judged once.
    assert status_of(inventory, check, ":trail/org-trail")[0] == PASS


def test_guardduty_enabled_per_region(inventory):
    found = verdicts(inventory, "aws.guardduty.enabled")
    assert found[f"{OWN}:us-east-1"] == (PASS, "GuardDuty is enabled in us-east-1")
    assert found[f"{OWN}:eu-west-1"] == (FAIL, "GuardDuty is not enabled in eu-west-1")


def test_config_recording_per_region(inventory):
    found = verdicts(inventory, "aws.config.recorder_enabled")
    assert found[f"{OWN}:us-east-1"][0] == PASS
    assert found[f"{OWN}:eu-west-1"] == (
        FAIL,
        "AWS Config has no configuration recorder in eu-west-1",
    )


def test_no_check_reports_an_error_on_a_clean_scan(inventory):
    for check_id, evaluate in checks.EVALUATORS.items():
        assert all(f.status != ERROR for f in evaluate(inventory)), check_id


# ------------------------------------------- what moto cannot produce, on recorded data

REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
ROOT_ROW = (
    f"<root_account>,arn:aws:iam::{OWN}:root,2019-04-01T10:00:00+00:00,not_supported,"
    "2026-11-01T08:00:00+00:00,not_supported,not_supported,false,true,"
    "2019-04-01T10:05:00+00:00,2026-10-30T12:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,"
    "false,N/A,false,N/A"
)


def _iam_scope(**overrides) -> Inventory:
    from zgovern.integrations.aws import collectors

    scope = {
        "account": OWN,
        "region": "",
        "collected_at": "2026-11-26T00:00:00+00:00",
        "credential_report": collectors.parse_credential_report(f"{REPORT_HEADER}\n{ROOT_ROW}\n"),
        "users": {},
        "admin_policies": [],
        "summary": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0},
        "password_policy": None,
        **overrides,
    }
    return Inventory(data={"iam": [scope]})


def test_the_root_row_of_the_credential_report_is_read():
    inventory = _iam_scope()
    [keys] = checks.EVALUATORS["aws.iam.root_access_keys_absent"](inventory)
    assert (keys.status, keys.reason) == (FAIL, "the root user has an active access key")
    [mfa] = checks.EVALUATORS["aws.iam.root_mfa"](inventory)
    assert mfa.status == FAIL
    # The root row is not a user: user checks skip it.
    assert list(checks.EVALUATORS["aws.iam.console_mfa"](inventory)) == []


def test_a_weak_password_policy_says_what_is_weak():
    policy = {"MinimumPasswordLength": 8, "PasswordReusePrevention": 5}
    [finding] = checks.EVALUATORS["aws.iam.password_policy"](_iam_scope(password_policy=policy))
    assert finding.status == FAIL
    assert "minimum length is 8, below 14" in finding.reason
    assert "remembers 5 previous passwords, fewer than 24" in finding.reason
