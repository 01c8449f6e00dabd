"""What every AWS check shares: the registry (check id -> evaluator), the statuses, and
helpers naming resources and errors.

Most checks look at one scope record at a time (see :mod:`sync`); a scope whose collection
failed yields one ERROR finding naming the account/region and the missing permission, so an
error never reads as a pass or a fail. A resource field AWS refused to show (a bucket policy
denying even the auditor) makes that resource ERROR for the checks needing the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef

# monitoring.models.CheckStatus values (kept as text so providers do not import Django models).
PASS, FAIL, ERROR, NOT_APPLICABLE = "pass", "fail", "error", "not_applicable"

EVALUATORS: dict[str, Evaluator] = {}
SERVICE_OF: dict[str, str] = {}

ScopeCheck = Callable[[dict[str, Any]], Iterable[Finding]]


def scoped(check_id: str, service: str) -> Callable[[ScopeCheck], ScopeCheck]:
    """Register a check evaluated one scope record of ``service`` at a time."""

    def register(function: ScopeCheck) -> ScopeCheck:
        def evaluate(inventory: Inventory) -> Iterator[Finding]:
            for scope in inventory.data.get(service, []):
                if "error" in scope:
                    yield scope_error(scope)
                else:
                    yield from function(scope)

        evaluate.__name__ = evaluate.__qualname__ = function.__name__
        EVALUATORS[check_id] = evaluate
        SERVICE_OF[check_id] = service
        return function

    return register


def account_wide(check_id: str, service: str) -> Callable[[Evaluator], Evaluator]:
    """Register a check that reads every scope of ``service`` at once."""

    def register(function: Evaluator) -> Evaluator:
        EVALUATORS[check_id] = function
        SERVICE_OF[check_id] = service
        return function

    return register


# ----------------------------------------------------------------------------- helpers


def scope_ref(scope: dict[str, Any]) -> ResourceRef:
    account = scope.get("account") or "unknown-account"
    region = scope.get("region") or ""
    if region:
        return ResourceRef(
            "aws.region", f"{account}:{region}", f"{account} {region}", account, region
        )
    return ResourceRef("aws.account", account, f"account {account}", account)


def scope_error(scope: dict[str, Any]) -> Finding:
    return Finding(scope_ref(scope), ERROR, str(scope.get("error", "collection failed")))


def field_error(resource: dict[str, Any], ref: ResourceRef, *fields: str) -> Finding | None:
    """An ERROR finding when AWS refused one of ``fields`` of this resource."""
    for name in fields:
        error = resource.get("errors", {}).get(name)
        if error:
            return Finding(ref, ERROR, f"{ref.name}: {error['message']}")
    return None


def parse_time(value: Any) -> datetime | None:
    """A credential-report timestamp, or None for N/A, no_information, not_supported, …"""
    if not isinstance(value, str) or not value[:1].isdigit():
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def days_between(earlier: datetime, later: datetime) -> int:
    return max(0, (later - earlier).days)


def arn_partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def flagged(value: Any) -> bool:
    return str(value).lower() == "true"
