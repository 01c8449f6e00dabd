"""Data-at-rest checks: RDS encryption and backups, EBS encryption, KMS key rotation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zgovern.integrations.aws.checkbase import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    field_error,
    scope_ref,
    scoped,
)
from zgovern.integrations.base import Finding, ResourceRef

MIN_BACKUP_DAYS = 7


def _ref(kind: str, item: dict[str, Any], scope: dict[str, Any], arn: str = "") -> ResourceRef:
    return ResourceRef(
        kind, arn or item.get("arn") or item["id"], item["id"], scope["account"], scope["region"]
    )


# --------------------------------------------------------------------------------- RDS


@scoped("aws.rds.storage_encrypted", "rds")
def rds_instance_encrypted(scope: dict[str, Any]) -> Iterator[Finding]:
    for db in scope.get("instances", []):
        ref = _ref("aws.rds.db_instance", db, scope)
        if db["encrypted"]:
            yield Finding(ref, PASS, f"database instance {db['id']} is encrypted at rest")
        else:
            yield Finding(ref, FAIL, f"database instance {db['id']} is not encrypted at rest")


@scoped("aws.rds.cluster_encrypted", "rds")
def rds_cluster_encrypted(scope: dict[str, Any]) -> Iterator[Finding]:
    for cluster in scope.get("clusters", []):
        ref = _ref("aws.rds.db_cluster", cluster, scope)
        if cluster["encrypted"]:
            yield Finding(ref, PASS, f"database cluster {cluster['id']} is encrypted at rest")
        else:
            yield Finding(ref, FAIL, f"database cluster {cluster['id']} is not encrypted at rest")


@scoped("aws.rds.snapshot_encrypted", "rds")
def rds_snapshot_encrypted(scope: dict[str, Any]) -> Iterator[Finding]:
    for snapshot in scope.get("snapshots", []):
        ref = _ref("aws.rds.snapshot", snapshot, scope)
        if snapshot["encrypted"]:
            yield Finding(ref, PASS, f"database snapshot {snapshot['id']} is encrypted")
        else:
            yield Finding(ref, FAIL, f"database snapshot {snapshot['id']} is not encrypted")


def _retention(kind: str, name: str, days: int) -> tuple[str, str]:
    if days == 0:
        return FAIL, f"{kind} {name} has automated backups turned off"
    if days < MIN_BACKUP_DAYS:
        return FAIL, f"{kind} {name} keeps backups {days} days, less than {MIN_BACKUP_DAYS}"
    return PASS, f"{kind} {name} keeps automated backups {days} days"


@scoped("aws.rds.backups_enabled", "rds")
def rds_backup_retention(scope: dict[str, Any]) -> Iterator[Finding]:
    """Standalone instances and clusters (a cluster's members use the cluster's backups)."""
    for db in scope.get("instances", []):
        ref = _ref("aws.rds.db_instance", db, scope)
        if db.get("cluster"):
            yield Finding(
                ref,
                NOT_APPLICABLE,
                f"database instance {db['id']} is backed up by cluster {db['cluster']}",
            )
            continue
        yield Finding(ref, *_retention("database instance", db["id"], db["backup_retention"]))
    for cluster in scope.get("clusters", []):
        ref = _ref("aws.rds.db_cluster", cluster, scope)
        yield Finding(
            ref, *_retention("database cluster", cluster["id"], cluster["backup_retention"])
        )


@scoped("aws.rds.not_publicly_accessible", "rds")
def rds_not_public(scope: dict[str, Any]) -> Iterator[Finding]:
    for db in scope.get("instances", []):
        ref = _ref("aws.rds.db_instance", db, scope)
        if db["publicly_accessible"]:
            yield Finding(ref, FAIL, f"database instance {db['id']} has a public address")
        else:
            yield Finding(ref, PASS, f"database instance {db['id']} is not publicly accessible")


# --------------------------------------------------------------------------------- EBS


def _ec2_arn(scope: dict[str, Any], kind: str, ident: str) -> str:
    return f"arn:aws:ec2:{scope['region']}:{scope['account']}:{kind}/{ident}"


@scoped("aws.ec2.ebs_default_encryption", "ec2")
def ebs_default_encryption(scope: dict[str, Any]) -> Iterator[Finding]:
    ref = scope_ref(scope)
    if scope["ebs_encryption_by_default"]:
        yield Finding(ref, PASS, f"new EBS volumes in {scope['region']} are encrypted by default")
    else:
        yield Finding(ref, FAIL, f"EBS encryption by default is off in {scope['region']}")


@scoped("aws.ec2.ebs_encrypted", "ec2")
def volume_encrypted(scope: dict[str, Any]) -> Iterator[Finding]:
    for volume in scope.get("volumes", []):
        label = volume["id"] + (f" ({volume['name']})" if volume.get("name") else "")
        ref = _ref("aws.ec2.volume", volume, scope, _ec2_arn(scope, "volume", volume["id"]))
        if volume["encrypted"]:
            yield Finding(ref, PASS, f"volume {label} is encrypted")
        else:
            yield Finding(ref, FAIL, f"volume {label} is not encrypted")


@scoped("aws.ec2.snapshot_encrypted", "ec2")
def snapshot_encrypted(scope: dict[str, Any]) -> Iterator[Finding]:
    for snapshot in scope.get("snapshots", []):
        ref = _ref("aws.ec2.snapshot", snapshot, scope, _ec2_arn(scope, "snapshot", snapshot["id"]))
        if snapshot["encrypted"]:
            yield Finding(ref, PASS, f"EBS snapshot {snapshot['id']} is encrypted")
        else:
            yield Finding(ref, FAIL, f"EBS snapshot {snapshot['id']} is not encrypted")


# --------------------------------------------------------------------------------- KMS


@scoped("aws.kms.key_rotation", "kms")
def key_rotation(scope: dict[str, Any]) -> Iterator[Finding]:
    """Customer keys only: AWS-managed keys (alias/aws/*) were left out at collection."""
    for key in scope.get("keys", []):
        label = key["aliases"][0] if key["aliases"] else key["id"]
        ref = ResourceRef(
            "aws.kms.key", key["arn"] or key["id"], label, scope["account"], scope["region"]
        )
        error = field_error(key, ref, "metadata", "rotation")
        if error:
            yield error
        elif key.get("state") != "Enabled":
            yield Finding(ref, NOT_APPLICABLE, f"key {label} is {key.get('state')}, not in use")
        elif key.get("rotation") is None:
            yield Finding(
                ref,
                NOT_APPLICABLE,
                f"key {label} ({key.get('spec')}, {key.get('origin')}) cannot rotate automatically",
            )
        elif key["rotation"]:
            yield Finding(ref, PASS, f"key {label} rotates automatically")
        else:
            yield Finding(ref, FAIL, f"key {label} does not rotate automatically")
