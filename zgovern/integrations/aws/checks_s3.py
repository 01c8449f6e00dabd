"""S3 checks: public access blocks, public policies and ACLs, default encryption, TLS only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zgovern.integrations.aws import policies
from zgovern.integrations.aws.checkbase import FAIL, PASS, field_error, scope_ref, scoped
from zgovern.integrations.base import Finding, ResourceRef

BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _buckets(scope: dict[str, Any]) -> Iterator[tuple[dict[str, Any], ResourceRef]]:
    for bucket in scope.get("buckets", []):
        name = bucket["name"]
        ref = ResourceRef(
            "aws.s3.bucket", f"arn:aws:s3:::{name}", name, scope["account"], bucket["region"]
        )
        yield bucket, ref


def _effective_block(scope: dict[str, Any], bucket: dict[str, Any]) -> dict[str, bool]:
    """Each public-access-block flag, on at account level or on the bucket."""
    account = scope.get("account_public_access_block") or {}
    own = bucket.get("public_access_block") or {}
    return {flag: bool(account.get(flag) or own.get(flag)) for flag in BLOCK_FLAGS}


@scoped("aws.s3.public_access_blocked", "s3")
def account_public_access_block(scope: dict[str, Any]) -> Iterator[Finding]:
    ref = scope_ref(scope)
    block = scope.get("account_public_access_block")
    if not block:
        yield Finding(ref, FAIL, "the account has no S3 public access block")
        return
    off = [flag for flag in BLOCK_FLAGS if not block.get(flag)]
    if off:
        yield Finding(
            ref, FAIL, "the account's S3 public access block leaves off " + ", ".join(off)
        )
    else:
        yield Finding(ref, PASS, "the account blocks all public access to S3")


@scoped("aws.s3.bucket_public_access_block", "s3")
def bucket_public_access_block(scope: dict[str, Any]) -> Iterator[Finding]:
    for bucket, ref in _buckets(scope):
        error = field_error(bucket, ref, "public_access_block")
        if error:
            yield error
            continue
        off = [flag for flag, on in _effective_block(scope, bucket).items() if not on]
        if not off:
            yield Finding(ref, PASS, f"bucket {ref.name} blocks all public access")
        elif not bucket.get("public_access_block"):
            yield Finding(ref, FAIL, f"bucket {ref.name} has no public access block")
        else:
            yield Finding(
                ref, FAIL, f"bucket {ref.name}'s public access block leaves off " + ", ".join(off)
            )


@scoped("aws.s3.bucket_not_public", "s3")
def bucket_not_public(scope: dict[str, Any]) -> Iterator[Finding]:
    for bucket, ref in _buckets(scope):
        error = field_error(bucket, ref, "policy", "acl")
        if error:
            yield error
            continue
        block = _effective_block(scope, bucket)
        exposed = []
        granted = policies.public_statements(bucket.get("policy"))
        if granted and not block["RestrictPublicBuckets"]:
            exposed.append("its policy lets anyone " + ", ".join(sorted(set(granted))))
        grants = bucket.get("public_acl_grants") or []
        if grants and not block["IgnorePublicAcls"]:
            exposed.append("its ACL grants " + ", ".join(grants))
        if exposed:
            yield Finding(ref, FAIL, f"bucket {ref.name} is public: " + "; ".join(exposed))
        else:
            yield Finding(ref, PASS, f"bucket {ref.name} is not public")


@scoped("aws.s3.default_encryption", "s3")
def default_encryption(scope: dict[str, Any]) -> Iterator[Finding]:
    for bucket, ref in _buckets(scope):
        error = field_error(bucket, ref, "encryption")
        if error:
            yield error
        elif bucket.get("encryption"):
            algorithms = ", ".join(bucket["encryption"])
            yield Finding(
                ref, PASS, f"bucket {ref.name} encrypts new objects by default ({algorithms})"
            )
        else:
            yield Finding(ref, FAIL, f"bucket {ref.name} has no default encryption")


@scoped("aws.s3.secure_transport", "s3")
def secure_transport(scope: dict[str, Any]) -> Iterator[Finding]:
    for bucket, ref in _buckets(scope):
        error = field_error(bucket, ref, "policy")
        if error:
            yield error
        elif policies.denies_insecure_transport(bucket.get("policy")):
            yield Finding(ref, PASS, f"bucket {ref.name}'s policy refuses requests without TLS")
        else:
            yield Finding(
                ref,
                FAIL,
                f"bucket {ref.name}'s policy does not refuse requests without TLS "
                "(no Deny on aws:SecureTransport = false)",
            )
