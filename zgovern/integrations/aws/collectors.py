"""One collector per AWS service: the cheapest calls that answer every check, trimmed to
plain JSON (strings, numbers, booleans, lists, dicts) so the run's evidence snapshot can
store exactly what was seen.

A collector takes an :class:`AccountSession`, a region and the integration's regions, and
returns the service's record for that (account, region). An AWS failure propagates as a
:class:`ProviderError`, except a permission denied on one resource (a bucket policy or a
key policy can refuse even an administrator): that resource keeps an ``errors`` entry naming
the permission and the checks needing that field report ERROR for it alone.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from zgovern.integrations.aws.client import (
    AccountSession,
    call,
    counting_as,
    current_service,
    optional,
    pages,
    paginate,
)
from zgovern.integrations.aws.policies import grants_everything
from zgovern.integrations.base import ProviderError

Collector = Callable[[AccountSession, str, Sequence[str]], dict[str, Any]]

REPORT_COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
)
# Seconds to wait between polls while IAM generates the credential report.
REPORT_POLL = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 8.0, 8.0, 8.0)
PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}
WORLD = ("0.0.0.0/0", "::/0")
# Buckets and keys need calls of their own: a few at a time, within one collection.
ITEM_WORKERS = 4


def fan_out(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """``function`` over ``items`` on a few threads, results in order; calls stay counted
    under this thread's service."""
    if len(items) < 2:
        return [function(item) for item in items]
    service = current_service()

    def counted(item: Any) -> Any:
        if service is None:
            return function(item)
        with counting_as(service):
            return function(item)

    with ThreadPoolExecutor(ITEM_WORKERS, thread_name_prefix="aws-items") as pool:
        return list(pool.map(counted, items))


def guarded(record: dict[str, Any], name: str, fetch: Callable[[], Any]) -> Any:
    """Fetch one field of one resource; a denied permission is kept on the resource."""
    try:
        return fetch()
    except ProviderError as error:
        if error.permission is None:
            raise
        record.setdefault("errors", {})[name] = {
            "message": error.message,
            "permission": error.permission,
        }
        return None


# ------------------------------------------------------------------------------------ IAM


def collect_iam(session: AccountSession, region: str, regions: Sequence[str]) -> dict[str, Any]:
    iam = session.client("iam", region)
    users, policies = _authorization_details(iam)
    summary = call(iam, "get_account_summary").get("SummaryMap", {})
    policy = optional(iam, "get_account_password_policy", {"NoSuchEntity"})
    return {
        "collected_at": datetime.now(UTC).isoformat(),
        "credential_report": _credential_report(iam),
        "users": users,
        "admin_policies": sorted(policies),
        "summary": {
            "AccountMFAEnabled": summary.get("AccountMFAEnabled"),
            "AccountAccessKeysPresent": summary.get("AccountAccessKeysPresent"),
        },
        "password_policy": policy.get("PasswordPolicy") if policy else None,
    }


def _credential_report(iam) -> list[dict[str, str]]:
    """Every user's credential state in two calls (generate, get) instead of one per user."""
    for delay in REPORT_POLL:
        time.sleep(delay)
        state = call(iam, "generate_credential_report").get("State")
        if state == "COMPLETE":
            break
    else:
        raise ProviderError(
            "IAM did not finish generating the credential report in time",
            permanent=False,
            service="iam",
        )
    content = call(iam, "get_credential_report").get("Content")
    if not isinstance(content, bytes | str):
        raise ProviderError(
            "IAM returned no credential report content", permanent=False, service="iam"
        )
    return parse_credential_report(content)


def parse_credential_report(content: bytes | str) -> list[dict[str, str]]:
    """The report's rows, restricted to the columns the checks read."""
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ProviderError(
            f"the IAM credential report lacks the columns {', '.join(missing)}",
            permanent=False,
            service="iam",
        )
    return [{column: row[column] or "" for column in REPORT_COLUMNS} for row in reader]


def _authorization_details(iam) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Users with their directly attached and inline policies, and the ARNs of customer
    policies granting everything, in one paged call (rather than two calls per user)."""
    users: dict[str, dict[str, Any]] = {}
    admin: set[str] = set()
    details = pages(iam, "get_account_authorization_details", Filter=["User", "LocalManagedPolicy"])
    for page in details:
        for policy in page.get("Policies", []):
            default = [v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")]
            if default and grants_everything(default[0].get("Document")):
                admin.add(policy["Arn"])
        for user in page.get("UserDetailList", []):
            users[user["UserName"]] = {
                "arn": user["Arn"],
                "attached": sorted(p["PolicyArn"] for p in user.get("AttachedManagedPolicies", [])),
                "inline": sorted(p["PolicyName"] for p in user.get("UserPolicyList", [])),
                "inline_admin": sorted(
                    p["PolicyName"]
                    for p in user.get("UserPolicyList", [])
                    if grants_everything(p.get("PolicyDocument"))
                ),
            }
    return users, admin


# ------------------------------------------------------------------------------------- S3


def collect_s3(session: AccountSession, region: str, regions: Sequence[str]) -> dict[str, Any]:
    s3 = session.client("s3", region)
    control = session.client("s3control", region)
    account = session.account_id
    block = optional(
        control,
        "get_public_access_block",
        {"NoSuchPublicAccessBlockConfiguration"},
        AccountId=account,
    )
    listed = paginate(s3, "list_buckets", "Buckets")
    return {
        "account_public_access_block": block.get("PublicAccessBlockConfiguration")
        if block
        else None,
        "buckets": fan_out(lambda entry: _bucket(s3, entry, region), listed),
    }


def _bucket(s3, entry: dict[str, Any], default_region: str) -> dict[str, Any]:
    name = entry["Name"]
    record: dict[str, Any] = {"name": name, "region": entry.get("BucketRegion") or default_region}
    block = guarded(
        record,
        "public_access_block",
        lambda: optional(
            s3, "get_public_access_block", {"NoSuchPublicAccessBlockConfiguration"}, Bucket=name
        ),
    )
    record["public_access_block"] = block.get("PublicAccessBlockConfiguration") if block else None
    policy = guarded(
        record,
        "policy",
        lambda: optional(s3, "get_bucket_policy", {"NoSuchBucketPolicy"}, Bucket=name),
    )
    record["policy"] = json.loads(policy["Policy"]) if policy else None
    acl = guarded(record, "acl", lambda: call(s3, "get_bucket_acl", Bucket=name))
    record["public_acl_grants"] = _public_grants(acl) if acl is not None else None
    encryption = guarded(
        record,
        "encryption",
        lambda: optional(
            s3,
            "get_bucket_encryption",
            {"ServerSideEncryptionConfigurationNotFoundError"},
            Bucket=name,
        ),
    )
    record["encryption"] = _algorithms(encryption) if encryption else []
    return record


def _public_grants(acl: dict[str, Any]) -> list[str]:
    grants = []
    for grant in acl.get("Grants", []):
        group = PUBLIC_GRANTEES.get(grant.get("Grantee", {}).get("URI", ""))
        if group:
            grants.append(f"{group}:{grant.get('Permission', '')}")
    return sorted(grants)


def _algorithms(answer: dict[str, Any]) -> list[str]:
    rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    return sorted(
        {
            r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "")
            for r in rules
            if r.get("ApplyServerSideEncryptionByDefault")
        }
    )


# ------------------------------------------------------------------------------------ RDS


def collect_rds(session: AccountSession, region: str, regions: Sequence[str]) -> dict[str, Any]:
    rds = session.client("rds", region)
    instances = paginate(rds, "describe_db_instances", "DBInstances")
    clusters = paginate(rds, "describe_db_clusters", "DBClusters")
    snapshots = paginate(rds, "describe_db_snapshots", "DBSnapshots")
    cluster_snapshots = paginate(rds, "describe_db_cluster_snapshots", "DBClusterSnapshots")
    return {
        "instances": [
            {
                "id": i["DBInstanceIdentifier"],
                "arn": i.get("DBInstanceArn", ""),
                "engine": i.get("Engine", ""),
                "encrypted": bool(i.get("StorageEncrypted")),
                "backup_retention": int(i.get("BackupRetentionPeriod") or 0),
                "publicly_accessible": bool(i.get("PubliclyAccessible")),
                "cluster": i.get("DBClusterIdentifier") or None,
            }
            for i in instances
        ],
        "clusters": [
            {
                "id": c["DBClusterIdentifier"],
                "arn": c.get("DBClusterArn", ""),
                "engine": c.get("Engine", ""),
                "encrypted": bool(c.get("StorageEncrypted")),
                "backup_retention": int(c.get("BackupRetentionPeriod") or 0),
            }
            for c in clusters
        ],
        "snapshots": [
            {
                "id": s["DBSnapshotIdentifier"],
                "arn": s.get("DBSnapshotArn", ""),
                "type": s.get("SnapshotType", ""),
                "encrypted": bool(s.get("Encrypted")),
            }
            for s in snapshots
        ]
        + [
            {
                "id": s["DBClusterSnapshotIdentifier"],
                "arn": s.get("DBClusterSnapshotArn", ""),
                "type": "cluster-" + s.get("SnapshotType", ""),
                "encrypted": bool(s.get("StorageEncrypted")),
            }
            for s in cluster_snapshots
        ],
    }


# ------------------------------------------------------------------------------------ EC2


def collect_ec2(session: AccountSession, region: str, regions: Sequence[str]) -> dict[str, Any]:
    ec2 = session.client("ec2", region)
    default = call(ec2, "get_ebs_encryption_by_default").get("EbsEncryptionByDefault")
    volumes = paginate(ec2, "describe_volumes", "Volumes")
    snapshots = paginate(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"])
    groups = paginate(ec2, "describe_security_groups", "SecurityGroups")
    return {
        "ebs_encryption_by_default": bool(default),
        "volumes": [
            {"id": v["VolumeId"], "encrypted": bool(v.get("Encrypted")), "name": _name_tag(v)}
            for v in volumes
        ],
        "snapshots": [
            {
                "id": s["SnapshotId"],
                "encrypted": bool(s.get("Encrypted")),
                "volume": s.get("VolumeId"),
            }
            for s in snapshots
        ],
        "security_groups": [
            {
                "id": g["GroupId"],
                "name": g.get("GroupName", g["GroupId"]),
                "vpc": g.get("VpcId"),
                "world_open": _world_open(g.get("IpPermissions", [])),
            }
            for g in groups
        ],
    }


def _name_tag(resource: dict[str, Any]) -> str:
    for tag in resource.get("Tags") or []:
        if tag.get("Key") == "Name":
            return str(tag.get("Value", ""))
    return ""


def _world_open(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ingress rules open to any IPv4 or IPv6 address."""
    rules = []
    for perm in permissions:
        cidrs = [r.get("CidrIp") for r in perm.get("IpRanges", [])]
        cidrs += [r.get("CidrIpv6") for r in perm.get("Ipv6Ranges", [])]
        for cidr in cidrs:
            if cidr in WORLD:
                rules.append(
                    {
                        "protocol": str(perm.get("IpProtocol", "")),
                        "from": perm.get("FromPort"),
                        "to": perm.get("ToPort"),
                        "cidr": cidr,
                    }
                )
    return rules


# ------------------------------------------------------------------------------------ VPC


def collect_vpc(session: AccountSession, region: str, regions: Sequence[str]) -> dict[str, Any]:
    ec2 = session.client("ec2", region)
    vpcs = paginate(ec2, "describe_vpcs", "Vpcs")
    logs = paginate(ec2, "describe_flow_logs", "FlowLogs")
    active: dict[str, list[str]] = {}
    for log in logs:
        if log.get("FlowLogStatus", "ACTIVE") == "ACTIVE":
            active.setdefault(log.get("ResourceId", ""), []).append(log.get("FlowLogId", ""))
    return {
        "vpcs": [
            {
                "id": v["VpcId"],
                "name": _name_tag(v),
                "default": bool(v.get("IsDefault")),
                "flow_logs": sorted(active.get(v["VpcId"], [])),
            }
            for v in vpcs
        ]
    }


# ------------------------------------------------------------------------------------ KMS


def collect_kms(session: AccountSession, region: str, regions: Sequence[str]) -> dict[str, Any]:
    kms = session.client("kms", region)
    aliases: dict[str, list[str]] = {}
    for alias in paginate(kms, "list_aliases", "Aliases"):
        if alias.get("TargetKeyId"):
            aliases.setdefault(alias["TargetKeyId"], []).append(alias.get("AliasName", ""))
    listed = [
        (entry, sorted(aliases.get(entry["KeyId"], [])))
        for entry in paginate(kms, "list_keys", "Keys")
    ]
    # AWS-managed keys (alias/aws/*) are AWS's to rotate, not the customer's.
    customer = [
        (e, names) for e, names in listed if not any(n.startswith("alias/aws/") for n in names)
    ]
    keys = [k for k in fan_out(lambda item: _key(kms, *item), customer) if k is not None]
    return {"keys": keys}


def _key(kms, entry: dict[str, Any], aliases: list[str]) -> dict[str, Any] | None:
    record: dict[str, Any] = {
        "id": entry["KeyId"],
        "arn": entry.get("KeyArn", ""),
        "aliases": aliases,
    }
    described = guarded(record, "metadata", lambda: call(kms, "describe_key", KeyId=entry["KeyId"]))
    meta = (described or {}).get("KeyMetadata", {})
    if meta.get("KeyManager") == "AWS":
        return None
    record.update(
        manager=meta.get("KeyManager"),
        state=meta.get("KeyState"),
        spec=meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"),
        origin=meta.get("Origin"),
        rotation=None,
    )
    if _rotatable(record):
        status = guarded(
            record,
            "rotation",
            lambda: call(kms, "get_key_rotation_status", KeyId=entry["KeyId"]),
        )
        record["rotation"] = bool(status.get("KeyRotationEnabled")) if status else None
    return record


def _rotatable(key: dict[str, Any]) -> bool:
    """Automatic rotation exists only for enabled symmetric keys with KMS key material."""
    return (
        key.get("state") == "Enabled"
        and key.get("spec") == "SYMMETRIC_DEFAULT"
        and key.get("origin") == "AWS_KMS"
    )


# ----------------------------------------------------------------------------- CloudTrail


def collect_cloudtrail(
    session: AccountSession, region: str, regions: Sequence[str]
) -> dict[str, Any]:
    """Trails visible in the region (multi-region trails show in every region). A trail's
    status is fetched once: in its home region, or in the first configured region when its
    home region is not configured."""
    cloudtrail = session.client("cloudtrail", region)
    trails = call(cloudtrail, "describe_trails", includeShadowTrails=True).get("trailList", [])
    records = []
    for trail in trails:
        home = trail.get("HomeRegion", region)
        record = {
            "arn": trail["TrailARN"],
            "name": trail.get("Name", trail["TrailARN"]),
            "home_region": home,
            "multi_region": bool(trail.get("IsMultiRegionTrail")),
            "log_validation": bool(trail.get("LogFileValidationEnabled")),
            "logging": None,
        }
        if home == region or (home not in regions and region == regions[0]):
            status = guarded(
                record,
                "logging",
                lambda arn=trail["TrailARN"]: call(cloudtrail, "get_trail_status", Name=arn),
            )
            record["logging"] = bool(status.get("IsLogging")) if status else None
        records.append(record)
    return {"trails": records}


# ----------------------------------------------------------------- GuardDuty and Config


def collect_guardduty(
    session: AccountSession, region: str, regions: Sequence[str]
) -> dict[str, Any]:
    guardduty = session.client("guardduty", region)
    detectors = []
    for detector_id in paginate(guardduty, "list_detectors", "DetectorIds"):
        answer = call(guardduty, "get_detector", DetectorId=detector_id)
        detectors.append({"id": detector_id, "status": answer.get("Status")})
    return {"detectors": detectors}


def collect_config(session: AccountSession, region: str, regions: Sequence[str]) -> dict[str, Any]:
    config = session.client("config", region)
    answer = call(config, "describe_configuration_recorder_status")
    return {
        "recorders": [
            {
                "name": r.get("name", ""),
                "recording": bool(r.get("recording")),
                "last_status": r.get("lastStatus"),
            }
            for r in answer.get("ConfigurationRecordersStatus", [])
        ]
    }


COLLECTORS: dict[str, Collector] = {
    "iam": collect_iam,
    "s3": collect_s3,
    "rds": collect_rds,
    "ec2": collect_ec2,
    "vpc": collect_vpc,
    "kms": collect_kms,
    "cloudtrail": collect_cloudtrail,
    "guardduty": collect_guardduty,
    "config": collect_config,
}
# Collected once per account (in the first configured region), not once per region.
GLOBAL_SERVICES = frozenset({"iam", "s3"})
