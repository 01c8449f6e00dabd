"""Collect an Okta inventory: users (every status), each active user's factors, who holds
an administrator role, and the sign-on policies with their rules.

``Inventory.data``:

- ``users``: one record per user (see :func:`user_record`); fields Okta left out are empty
  or ``None``, never a crash. ``admin`` is ``None`` when roles could not be read.
- ``factors``: user id -> ``{"active": [factor types], "pending": [...]}`` for each user
  who can sign in, or ``{"error": message}`` when that user's factors could not be read.
- ``policies``: one record per rule of each sign-on policy (see :func:`rule_record`), or
  ``{"policy_id", "policy_name", "error"}`` for a policy whose rules could not be read.

``Inventory.failures``: ``users``/``factors``/``policies`` when the service failed as a
whole (factors fail with users, and on a denied permission); ``factors:<user id>`` and
``policies:<policy id>`` when one item failed; ``roles`` when administrator roles could not
be read (accounts then keep ``privileged`` unknown).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from zgovern.integrations.base import Inventory, ProviderError
from zgovern.integrations.okta.client import HttpOptions, OktaClient
from zgovern.integrations.okta.schemas import OktaConfig, OktaCredentials

log = logging.getLogger(__name__)

SERVICES = ("users", "factors", "policies")
FACTOR_WORKERS = 4  # well under Okta's per-organisation limit on concurrent calls
# Statuses of a user who can sign in (or is about to, after a password reset).
SIGN_IN_STATUSES = frozenset({"ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY"})


def collect(
    config: OktaConfig,
    credentials: OktaCredentials,
    services: Iterable[str] = SERVICES,
    *,
    options: HttpOptions | None = None,
) -> Inventory:
    """Collect ``services``. Never raises for an Okta failure: what failed is in
    ``Inventory.failures``, and everything else collected is kept."""
    wanted = list(dict.fromkeys(services))
    unknown = [s for s in wanted if s not in SERVICES]
    if unknown:
        raise ValueError(f"unknown Okta services {unknown}; known: {', '.join(SERVICES)}")
    client = OktaClient(config, credentials, options or HttpOptions())
    inventory = Inventory(data={"settings": {"inactive_days": config.inactive_days}})
    try:
        if "users" in wanted or "factors" in wanted:
            _users(client, inventory, with_factors="factors" in wanted)
        if "policies" in wanted:
            _guarded(inventory, "policies", lambda: _policies(client, inventory))
    finally:
        inventory.calls["okta"] = client.http.calls
        client.close()
    return inventory


def _guarded(inventory: Inventory, service: str, work) -> bool:
    """Run ``work``; a failure is recorded under ``service`` (a bug too, logged)."""
    try:
        work()
        return True
    except ProviderError as error:
        inventory.failures[service] = _as(error, service)
    except Exception as error:
        log.exception("collecting Okta %s failed", service)
        inventory.failures[service] = ProviderError(
            f"okta: collecting {service} failed ({type(error).__name__}: {error})",
            permanent=False, service=service,
        )  # fmt: skip
    return False


def _as(error: ProviderError, service: str, prefix: str = "") -> ProviderError:
    return ProviderError(
        prefix + error.message, permanent=error.permanent, service=service,
        permission=error.permission,
    )  # fmt: skip


def _users(client: OktaClient, inventory: Inventory, *, with_factors: bool) -> None:
    users: list[dict[str, Any]] = []
    if not _guarded(inventory, "users", lambda: users.extend(_listed(client))):
        if with_factors:
            error = inventory.failures["users"]
            inventory.failures["factors"] = _as(error, "factors", "users could not be listed: ")
        return
    found: list[set[str]] = []
    _guarded(inventory, "roles", lambda: found.append(client.admin_user_ids()))
    admins = found[0] if found else None
    for user in users:
        user["admin"] = None if admins is None else user["id"] in admins
    inventory.data["users"] = users
    if with_factors:
        _guarded(inventory, "factors", lambda: _factors(client, users, inventory))


def _listed(client: OktaClient) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for raw in client.users():
        record = user_record(raw)
        if record is not None:
            seen.setdefault(record["id"], record)
    return list(seen.values())


def user_record(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The fields the checks and the identity graph use; ``None`` for a user without id."""
    user_id = str(raw.get("id") or "").strip()
    if not user_id:
        return None
    profile = raw.get("profile") if isinstance(raw.get("profile"), dict) else {}
    names = [profile.get("firstName"), profile.get("lastName")]
    name = " ".join(str(n).strip() for n in names if n and str(n).strip())
    return {
        "id": user_id,
        "login": str(profile.get("login") or ""),
        "email": str(profile.get("email") or profile.get("login") or "").lower(),
        "name": name or str(profile.get("displayName") or ""),
        "status": str(raw.get("status") or "UNKNOWN").upper(),
        "user_type": str(profile.get("userType") or ""),
        "created": raw.get("created"),
        "activated": raw.get("activated"),
        "status_changed": raw.get("statusChanged"),
        "last_login": raw.get("lastLogin"),
    }


def _factors(client: OktaClient, users: list[dict[str, Any]], inventory: Inventory) -> None:
    """Factors of each user who can sign in, a few users at a time (one call per user is
    what Okta offers). A denied permission stops the service (every call would be
    denied); any other failure is that user's alone."""
    signable = [user["id"] for user in users if user["status"] in SIGN_IN_STATUSES]
    denied: list[ProviderError] = []

    def one(user_id: str) -> tuple[str, list[dict[str, Any]] | ProviderError | None]:
        if denied:
            return user_id, None
        try:
            return user_id, client.factors(user_id)
        except ProviderError as error:
            if error.permission:
                denied.append(error)
            return user_id, error

    client.http.client()  # made once, before the threads share it
    with ThreadPoolExecutor(FACTOR_WORKERS, thread_name_prefix="okta-factors") as pool:
        answers = list(pool.map(one, signable))
    if denied:
        raise denied[0]
    found: dict[str, dict[str, Any]] = {}
    for user_id, answer in answers:
        if isinstance(answer, ProviderError):
            found[user_id] = {"error": answer.message}
            inventory.failures[f"factors:{user_id}"] = _as(answer, "factors")
        elif answer is not None:
            found[user_id] = _factor_summary(answer)
    inventory.data["factors"] = found


def _factor_summary(factors: list[dict[str, Any]]) -> dict[str, list[str]]:
    summary: dict[str, list[str]] = {"active": [], "pending": []}
    for factor in factors:
        kind = str(factor.get("factorType") or "unknown")
        status = str(factor.get("status") or "").upper()
        if status == "ACTIVE":
            summary["active"].append(kind)
        elif status:
            summary["pending"].append(kind)
    return summary


def _policies(client: OktaClient, inventory: Inventory) -> None:
    records: list[dict[str, Any]] = []
    for policy in client.sign_on_policies():
        policy_id = str(policy.get("id") or "")
        if not policy_id:
            continue
        try:
            rules = client.policy_rules(policy_id)
        except ProviderError as error:
            if error.permission:
                raise
            records.append({**_policy_fields(policy), "error": error.message})
            inventory.failures[f"policies:{policy_id}"] = _as(error, "policies")
            continue
        records.extend(rule_record(policy, rule) for rule in rules)
    inventory.data["policies"] = records


def _policy_fields(policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "policy_id": str(policy.get("id") or ""),
        "policy_name": str(policy.get("name") or policy.get("id") or ""),
        "policy_status": str(policy.get("status") or "").upper(),
    }


def rule_record(policy: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    """One rule of a sign-on policy: whether it lets people in, and with a second factor."""
    actions = rule.get("actions") if isinstance(rule.get("actions"), dict) else {}
    signon = actions.get("signon") if isinstance(actions.get("signon"), dict) else {}
    return {
        **_policy_fields(policy),
        "rule_id": str(rule.get("id") or ""),
        "rule_name": str(rule.get("name") or rule.get("id") or ""),
        "rule_status": str(rule.get("status") or "").upper(),
        "access": str(signon.get("access") or "").upper(),
        "require_factor": signon.get("requireFactor"),
        "factor_prompt_mode": signon.get("factorPromptMode"),
    }
