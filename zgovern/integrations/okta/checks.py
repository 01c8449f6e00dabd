"""The Okta checks: id -> evaluator over the collected inventory (see :mod:`sync` for its
shape); their metadata (title, severity, criteria, controls, remediation) is in
``checks.yaml``. Each evaluator yields one finding per user or policy rule, reading fields
with defaults, so a record Okta sent incomplete is judged on what it has."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef
from zgovern.integrations.okta.sync import SIGN_IN_STATUSES

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))
PASS, FAIL, ERROR, NOT_APPLICABLE = "pass", "fail", "error", "not_applicable"
DEFAULT_INACTIVE_DAYS = 90


def now() -> datetime:
    return datetime.now(UTC)


def user_ref(user: dict[str, Any]) -> ResourceRef:
    return ResourceRef("okta.user", user["id"], user.get("login") or user["id"])


def describe(user: dict[str, Any]) -> str:
    """ "user ann@acme.com (contractor)": the login and, when set, the user type."""
    kind = f" ({user['user_type']})" if user.get("user_type") else ""
    return f"user {user.get('login') or user['id']}{kind}"


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def users_mfa(inventory: Inventory) -> Iterator[Finding]:
    """Every user who can sign in, employees, contractors and service users alike, needs
    an active factor."""
    factors = inventory.data.get("factors", {})
    for user in inventory.data.get("users", []):
        if user.get("status") not in SIGN_IN_STATUSES:
            continue
        ref, who = user_ref(user), describe(user)
        found = factors.get(user["id"])
        if found is None or "error" in found:
            reason = found["error"] if found else "its factors were not collected"
            yield Finding(ref, ERROR, f"{who}: {reason}")
        elif found.get("active"):
            yield Finding(ref, PASS, f"{who} has active factors: {', '.join(found['active'])}")
        else:
            pending = found.get("pending") or []
            note = f" (not finished enrolling: {', '.join(pending)})" if pending else ""
            yield Finding(ref, FAIL, f"{who} can sign in with no active MFA factor{note}")


def policies_mfa_required(inventory: Inventory) -> Iterator[Finding]:
    """Each active rule of an active sign-on policy that lets people in asks for a second
    factor."""
    for rule in inventory.data.get("policies", []):
        policy = rule.get("policy_name") or rule.get("policy_id") or "?"
        if "error" in rule:
            ref = ResourceRef("okta.policy", rule.get("policy_id") or policy, policy)
            yield Finding(ref, ERROR, f"policy {policy}: {rule['error']}")
            continue
        name = rule.get("rule_name") or rule.get("rule_id") or "?"
        rule_id = rule.get("rule_id") or f"{rule.get('policy_id')}:{name}"
        ref = ResourceRef("okta.policy_rule", rule_id, f"{policy} / {name}")
        yield Finding(ref, *_rule_verdict(rule, f"rule {name!r} of sign-on policy {policy!r}"))


def _rule_verdict(rule: dict[str, Any], what: str) -> tuple[str, str]:
    if rule.get("policy_status") != "ACTIVE" or rule.get("rule_status") != "ACTIVE":
        return NOT_APPLICABLE, f"{what} is not active"
    if rule.get("access") == "DENY":
        return PASS, f"{what} denies sign-in"
    if rule.get("require_factor") is True:
        mode = rule.get("factor_prompt_mode")
        return PASS, f"{what} requires a second factor" + (f" ({mode})" if mode else "")
    return FAIL, f"{what} lets people sign in without a second factor"


def users_deactivated(inventory: Inventory) -> Iterator[Finding]:
    """Deactivated users: when their access ended, and that no administrator role would
    come back with a reactivation."""
    for user in inventory.data.get("users", []):
        if user.get("status") != "DEPROVISIONED":
            continue
        changed = parse_time(user.get("status_changed"))
        when = f"on {changed.date().isoformat()}" if changed else "(date not given)"
        who = describe(user)
        if user.get("admin") is None:
            yield Finding(
                user_ref(user), ERROR, f"{who} was deactivated {when}; whether they still "
                "hold an administrator role is unknown (administrator roles could not be read)",
            )  # fmt: skip
        elif user.get("admin"):
            yield Finding(
                user_ref(user), FAIL, f"{who} was deactivated {when} but still holds an "
                "administrator role",
            )  # fmt: skip
        else:
            yield Finding(user_ref(user), PASS, f"{who} was deactivated {when}")


def users_inactive_suspended(inventory: Inventory) -> Iterator[Finding]:
    """Users who can sign in but have not for ``inactive_days`` should be suspended."""
    limit = int(inventory.data.get("settings", {}).get("inactive_days", DEFAULT_INACTIVE_DAYS))
    current = now()
    for user in inventory.data.get("users", []):
        if user.get("status") not in SIGN_IN_STATUSES:
            continue
        ref, who = user_ref(user), describe(user)
        last = parse_time(user.get("last_login"))
        since = last or parse_time(user.get("activated")) or parse_time(user.get("created"))
        if since is None:
            yield Finding(ref, ERROR, f"{who}: Okta gave no sign-in, activation or creation date")
            continue
        days = max(0, (current - since).days)
        what = f"last signed in {days} days ago" if last else f"never signed in ({days} days)"
        yield Finding(ref, FAIL if days > limit else PASS, f"{who} {what}; limit {limit} days")


EVALUATORS: dict[str, Evaluator] = {
    "okta.users.mfa": users_mfa,
    "okta.policies.mfa_required": policies_mfa_required,
    "okta.users.deactivated": users_deactivated,
    "okta.users.inactive_suspended": users_inactive_suspended,
}


def evaluators() -> dict[str, Evaluator]:
    return dict(EVALUATORS)
