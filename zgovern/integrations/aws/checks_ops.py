"""Network and monitoring checks: security groups open to the internet, VPC flow logs,
CloudTrail, GuardDuty and AWS Config."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from zgovern.integrations.aws.checkbase import (
    ERROR,
    FAIL,
    PASS,
    account_wide,
    scope_error,
    scope_ref,
    scoped,
)
from zgovern.integrations.base import Finding, Inventory, ResourceRef

ADMIN_PORTS = {
    22: "SSH",
    3389: "RDP",
    3306: "MySQL",
    5432: "PostgreSQL",
    1433: "SQL Server",
    1521: "Oracle",
    27017: "MongoDB",
    6379: "Redis",
    9200: "Elasticsearch",
    5601: "Kibana",
}
REMOTE_PORTS = {22: "SSH", 3389: "RDP"}
PORT_PROTOCOLS = {"tcp", "udp", "6", "17"}

# ------------------------------------------------------------------------ security groups


def _exposed(rules: list[dict[str, Any]], ports: dict[int, str]) -> list[str]:
    """What each world-open rule exposes among ``ports``: "22 (SSH) to 0.0.0.0/0"."""
    exposed = []
    for rule in rules:
        protocol = rule["protocol"].lower()
        if protocol in ("-1", "all"):
            exposed.append(f"all traffic to {rule['cidr']}")
            continue
        if protocol not in PORT_PROTOCOLS or rule["from"] is None or rule["to"] is None:
            continue
        low, high = int(rule["from"]), int(rule["to"])
        hit = [f"{port} ({name})" for port, name in sorted(ports.items()) if low <= port <= high]
        if hit:
            exposed.append(f"{', '.join(hit)} to {rule['cidr']}")
    return exposed


def _security_groups(scope: dict[str, Any], ports: dict[int, str], what: str) -> Iterator[Finding]:
    for group in scope.get("security_groups", []):
        arn = f"arn:aws:ec2:{scope['region']}:{scope['account']}:security-group/{group['id']}"
        label = f"{group['name']} ({group['id']})"
        ref = ResourceRef("aws.ec2.security_group", arn, label, scope["account"], scope["region"])
        exposed = _exposed(group["world_open"], ports)
        if exposed:
            yield Finding(ref, FAIL, f"security group {label} opens " + "; ".join(exposed))
        else:
            yield Finding(ref, PASS, f"security group {label} opens no {what} to the internet")


@scoped("aws.ec2.security_groups_restricted_ingress", "ec2")
def sg_admin_ports_open(scope: dict[str, Any]) -> Iterator[Finding]:
    yield from _security_groups(scope, ADMIN_PORTS, "administrative or database port")


@scoped("aws.ec2.no_public_ssh_rdp", "ec2")
def sg_remote_access_open(scope: dict[str, Any]) -> Iterator[Finding]:
    yield from _security_groups(scope, REMOTE_PORTS, "SSH or RDP port")


# ------------------------------------------------------------------------------- VPC


@scoped("aws.vpc.flow_logs", "vpc")
def flow_logs(scope: dict[str, Any]) -> Iterator[Finding]:
    for vpc in scope.get("vpcs", []):
        arn = f"arn:aws:ec2:{scope['region']}:{scope['account']}:vpc/{vpc['id']}"
        label = vpc["id"] + (f" ({vpc['name']})" if vpc.get("name") else "")
        ref = ResourceRef("aws.ec2.vpc", arn, label, scope["account"], scope["region"])
        if vpc["flow_logs"]:
            yield Finding(ref, PASS, f"VPC {label} has an active flow log")
        else:
            yield Finding(ref, FAIL, f"VPC {label} has no active flow log")


# ------------------------------------------------------------------------- CloudTrail


def _trails_by_account(inventory: Inventory) -> tuple[dict[str, dict[str, dict]], list[dict]]:
    """Each account's trails, merged across the regions they show in, and the failed scopes."""
    trails: dict[str, dict[str, dict]] = defaultdict(dict)
    failed = []
    for scope in inventory.data.get("cloudtrail", []):
        if "error" in scope:
            failed.append(scope)
            continue
        account = trails[scope["account"]]
        for trail in scope.get("trails", []):
            known = account.setdefault(trail["arn"], dict(trail))
            if known.get("logging") is None and trail.get("logging") is not None:
                known.update(logging=trail["logging"], errors=trail.get("errors", {}))
            elif trail.get("errors") and known.get("logging") is None:
                known["errors"] = trail["errors"]
    return trails, failed


@account_wide("aws.cloudtrail.enabled_all_regions", "cloudtrail")
def multi_region_logging(inventory: Inventory) -> Iterator[Finding]:
    trails, failed = _trails_by_account(inventory)
    for scope in failed:
        yield scope_error(scope)
    for account, found in sorted(trails.items()):
        ref = ResourceRef("aws.account", account, f"account {account}", account)
        multi = [t for t in found.values() if t["multi_region"]]
        logging = [t for t in multi if t.get("logging")]
        unknown = [t for t in multi if t.get("logging") is None]
        if logging:
            yield Finding(
                ref, PASS, f"trail {logging[0]['name']} records every region and is logging"
            )
        elif unknown:
            error = unknown[0].get("errors", {}).get("logging", {})
            reason = error.get("message", "its status could not be read")
            yield Finding(ref, ERROR, f"trail {unknown[0]['name']}: {reason}")
        elif multi:
            yield Finding(
                ref, FAIL, f"trail {multi[0]['name']} records every region but logging is stopped"
            )
        else:
            yield Finding(ref, FAIL, f"account {account} has no multi-region CloudTrail trail")


@account_wide("aws.cloudtrail.log_file_validation", "cloudtrail")
def log_validation(inventory: Inventory) -> Iterator[Finding]:
    trails, failed = _trails_by_account(inventory)
    for scope in failed:
        yield scope_error(scope)
    for account, found in sorted(trails.items()):
        for trail in sorted(found.values(), key=lambda t: t["arn"]):
            ref = ResourceRef(
                "aws.cloudtrail.trail", trail["arn"], trail["name"], account, trail["home_region"]
            )
            if trail["log_validation"]:
                yield Finding(ref, PASS, f"trail {trail['name']} validates its log files")
            else:
                yield Finding(ref, FAIL, f"trail {trail['name']} has log file validation off")


# ------------------------------------------------------------------ GuardDuty, Config


@scoped("aws.guardduty.enabled", "guardduty")
def guardduty_enabled(scope: dict[str, Any]) -> Iterator[Finding]:
    ref, region = scope_ref(scope), scope["region"]
    detectors = scope.get("detectors", [])
    if any(d.get("status") == "ENABLED" for d in detectors):
        yield Finding(ref, PASS, f"GuardDuty is enabled in {region}")
    elif detectors:
        yield Finding(ref, FAIL, f"GuardDuty's detector in {region} is suspended")
    else:
        yield Finding(ref, FAIL, f"GuardDuty is not enabled in {region}")


@scoped("aws.config.recorder_enabled", "config")
def config_recording(scope: dict[str, Any]) -> Iterator[Finding]:
    ref, region = scope_ref(scope), scope["region"]
    recorders = scope.get("recorders", [])
    recording = [r["name"] for r in recorders if r.get("recording")]
    if recording:
        yield Finding(ref, PASS, f"AWS Config recorder {recording[0]} is recording in {region}")
    elif recorders:
        yield Finding(
            ref, FAIL, f"AWS Config recorder {recorders[0]['name']} is stopped in {region}"
        )
    else:
        yield Finding(ref, FAIL, f"AWS Config has no configuration recorder in {region}")
