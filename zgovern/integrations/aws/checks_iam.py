"""IAM checks, over the credential report, the users' policies and the account settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from zgovern.integrations.aws.checkbase import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    days_between,
    flagged,
    parse_time,
    scope_ref,
    scoped,
)
from zgovern.integrations.base import Finding, ResourceRef

MAX_KEY_AGE_DAYS = 90
MAX_INACTIVE_DAYS = 90
MIN_PASSWORD_LENGTH = 14
MIN_PASSWORD_REUSE = 24
ROOT_ROW = "<root_account>"
AWS_ADMIN_POLICY = ":iam::aws:policy/AdministratorAccess"


def _report_users(scope: dict[str, Any]) -> Iterator[tuple[dict[str, str], ResourceRef]]:
    for row in scope.get("credential_report", []):
        if row["user"] != ROOT_ROW:
            yield row, ResourceRef("aws.iam.user", row["arn"], row["user"], scope["account"])


def _root(scope: dict[str, Any]) -> tuple[dict[str, str], ResourceRef]:
    rows = [r for r in scope.get("credential_report", []) if r["user"] == ROOT_ROW]
    account = scope["account"]
    ref = ResourceRef("aws.iam.root", f"arn:aws:iam::{account}:root", "root user", account)
    return (rows[0] if rows else {}), ref


@scoped("aws.iam.console_mfa", "iam")
def console_mfa(scope: dict[str, Any]) -> Iterator[Finding]:
    for row, ref in _report_users(scope):
        name = row["user"]
        if not flagged(row["password_enabled"]):
            yield Finding(ref, NOT_APPLICABLE, f"user {name} has no console access")
        elif flagged(row["mfa_active"]):
            yield Finding(ref, PASS, f"user {name} has console access and an MFA device")
        else:
            yield Finding(ref, FAIL, f"user {name} has console access and no MFA device")


@scoped("aws.iam.root_mfa", "iam")
def root_mfa(scope: dict[str, Any]) -> Iterator[Finding]:
    row, ref = _root(scope)
    if scope["summary"].get("AccountMFAEnabled") == 1 or flagged(row.get("mfa_active")):
        yield Finding(ref, PASS, "the root user has an MFA device")
    else:
        yield Finding(ref, FAIL, "the root user has no MFA device")


@scoped("aws.iam.root_access_keys_absent", "iam")
def root_access_keys_absent(scope: dict[str, Any]) -> Iterator[Finding]:
    row, ref = _root(scope)
    active = [n for n in (1, 2) if flagged(row.get(f"access_key_{n}_active"))]
    if active or scope["summary"].get("AccountAccessKeysPresent") == 1:
        yield Finding(ref, FAIL, "the root user has an active access key")
    else:
        yield Finding(ref, PASS, "the root user has no access key")


def _key_problems(row: dict[str, str], now: datetime) -> tuple[int, list[str]]:
    """(active keys, what is wrong with them) for one credential-report row."""
    active, problems = 0, []
    for n in (1, 2):
        if not flagged(row[f"access_key_{n}_active"]):
            continue
        active += 1
        rotated = parse_time(row[f"access_key_{n}_last_rotated"])
        used = parse_time(row[f"access_key_{n}_last_used_date"])
        age = days_between(rotated, now) if rotated else None
        if age is not None and age > MAX_KEY_AGE_DAYS:
            problems.append(f"access key {n} is {age} days old")
        if used is not None and days_between(used, now) > MAX_INACTIVE_DAYS:
            problems.append(f"access key {n} was last used {days_between(used, now)} days ago")
        elif used is None and age is not None and age > MAX_INACTIVE_DAYS:
            problems.append(f"access key {n} has never been used")
    return active, problems


@scoped("aws.iam.access_keys_rotated", "iam")
def access_keys_rotated(scope: dict[str, Any]) -> Iterator[Finding]:
    now = datetime.fromisoformat(scope["collected_at"])
    for row, ref in _report_users(scope):
        name = row["user"]
        active, problems = _key_problems(row, now)
        if not active:
            yield Finding(ref, NOT_APPLICABLE, f"user {name} has no active access key")
        elif problems:
            yield Finding(ref, FAIL, f"user {name}: " + "; ".join(problems))
        else:
            yield Finding(
                ref,
                PASS,
                f"user {name}'s active access keys are under {MAX_KEY_AGE_DAYS} days old "
                "and in use",
            )


@scoped("aws.iam.unused_credentials_disabled", "iam")
def unused_credentials_disabled(scope: dict[str, Any]) -> Iterator[Finding]:
    """Console users who have not signed in for 90 days (access keys: access_keys_rotated)."""
    now = datetime.fromisoformat(scope["collected_at"])
    for row, ref in _report_users(scope):
        name = row["user"]
        if not flagged(row["password_enabled"]):
            yield Finding(ref, NOT_APPLICABLE, f"user {name} has no console password")
            continue
        used = parse_time(row["password_last_used"])
        created = parse_time(row["user_creation_time"]) or now
        if used is not None:
            idle = days_between(used, now)
            what = f"last signed in {idle} days ago"
        else:
            idle = days_between(created, now)
            what = f"has never signed in (created {idle} days ago)"
        status = FAIL if idle > MAX_INACTIVE_DAYS else PASS
        yield Finding(ref, status, f"user {name} has console access and {what}")


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _user_refs(scope: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], ResourceRef]]:
    for name, user in sorted(scope.get("users", {}).items()):
        yield name, user, ResourceRef("aws.iam.user", user["arn"], name, scope["account"])


@scoped("aws.iam.admin_policy_attached_to_user", "iam")
def admin_policy_attached_to_user(scope: dict[str, Any]) -> Iterator[Finding]:
    admin_arns = set(scope.get("admin_policies", []))
    for name, user, ref in _user_refs(scope):
        granted = [
            _policy_name(arn)
            for arn in user["attached"]
            if arn.endswith(AWS_ADMIN_POLICY) or arn in admin_arns
        ] + [f"inline policy {p}" for p in user["inline_admin"]]
        if granted:
            yield Finding(
                ref,
                FAIL,
                f"user {name} has administrator access attached directly: " + ", ".join(granted),
            )
        else:
            yield Finding(ref, PASS, f"user {name} has no administrator policy attached directly")


@scoped("aws.iam.no_user_attached_policies", "iam")
def no_user_attached_policies(scope: dict[str, Any]) -> Iterator[Finding]:
    for name, user, ref in _user_refs(scope):
        direct = [_policy_name(a) for a in user["attached"]]
        direct += [f"inline policy {p}" for p in user["inline"]]
        if direct:
            yield Finding(
                ref,
                FAIL,
                f"user {name} has permissions attached directly ({', '.join(direct)}) "
                "instead of through a group or role",
            )
        else:
            yield Finding(ref, PASS, f"user {name} has no policy attached directly")


@scoped("aws.iam.password_policy", "iam")
def password_policy(scope: dict[str, Any]) -> Iterator[Finding]:
    ref = scope_ref(scope)
    policy = scope.get("password_policy")
    if not policy:
        yield Finding(ref, FAIL, "the account has no IAM password policy")
        return
    problems = []
    length = int(policy.get("MinimumPasswordLength") or 0)
    if length < MIN_PASSWORD_LENGTH:
        problems.append(f"minimum length is {length}, below {MIN_PASSWORD_LENGTH}")
    reuse = int(policy.get("PasswordReusePrevention") or 0)
    if reuse < MIN_PASSWORD_REUSE:
        problems.append(f"it remembers {reuse} previous passwords, fewer than {MIN_PASSWORD_REUSE}")
    if problems:
        yield Finding(ref, FAIL, "the IAM password policy is too weak: " + "; ".join(problems))
    else:
        yield Finding(
            ref,
            PASS,
            f"the IAM password policy requires {length} characters and blocks reuse of the "
            f"last {reuse} passwords",
        )
