"""The Okta provider as the check engine sees it (:class:`zgovern.integrations.base.Provider`),
and what it hands the identity graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from zgovern.identity.records import AccountRecord
from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError
from zgovern.integrations.okta import checks, sync
from zgovern.integrations.okta.client import HttpOptions, OktaClient
from zgovern.integrations.okta.schemas import OktaConfig, OktaCredentials

SYSTEM = "okta"  # identity.models.Account.system
# Okta statuses of an account that cannot sign in ("suspended" in the identity graph).
NOT_ACTIVE = frozenset({"SUSPENDED", "DEPROVISIONED", "STAGED"})


# One cheap read per capability: (capability shown to the person, path, params).
PROBES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("Users (okta.users.read)", "/api/v1/users", {"limit": 1}),
    ("Sign-on policies (okta.policies.read)", "/api/v1/policies",
     {"type": "OKTA_SIGN_ON", "limit": 1}),
    ("Administrator roles (okta.roles.read)", "/api/v1/iam/assignees/users", {"limit": 1}),
)  # fmt: skip


class OktaProvider:
    key = "okta"
    name = "Okta"
    config_schema = OktaConfig
    credentials_schema = OktaCredentials
    account_service = "users"

    def __init__(self, options: Callable[[], HttpOptions] = HttpOptions) -> None:
        self._options = options

    def collect(
        self, config: OktaConfig, credentials: OktaCredentials, services: Iterable[str]
    ) -> Inventory:
        return sync.collect(config, credentials, services, options=self._options())

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE

    def test_connection(self, config: OktaConfig, credentials: OktaCredentials) -> ConnectionReport:
        """One cheap read per capability; names every scope found missing."""
        client = OktaClient(config, credentials, self._options())
        results: list[tuple[str, bool, str]] = []
        missing: list[str] = []
        try:
            for capability, path, params in PROBES:
                try:
                    client.http.get_json(path, params)
                    results.append((capability, True, "works"))
                except ProviderError as error:
                    results.append((capability, False, error.message))
                    if error.permission:
                        missing.append(error.permission)
        finally:
            client.close()
        ok = all(works for _, works, _ in results)
        return ConnectionReport(ok, tuple(results), tuple(dict.fromkeys(missing)))

    def accounts(self, inventory: Inventory) -> list[AccountRecord]:
        """One account per Okta user, with its MFA state and whether it is an admin."""
        return [account_record(user, inventory) for user in inventory.data.get("users", [])]

    def persist(self, integration: Any, inventory: Inventory, at: datetime) -> None:
        """Hand the users to the identity graph; when they could not be listed, their
        accounts go stale (``None``) rather than removed; when this run did not list them
        (only other checks ran), nothing changes."""
        if "users" not in inventory.failures and "users" not in inventory.data:
            return
        from zgovern.identity.services import record_accounts

        records = None if "users" in inventory.failures else self.accounts(inventory)
        record_accounts(integration, SYSTEM, records, at)


def account_record(user: dict[str, Any], inventory: Inventory) -> AccountRecord:
    factors = inventory.data.get("factors", {}).get(user["id"])
    if factors is None or "error" in factors:
        mfa = "unknown"
    else:
        mfa = "enabled" if factors.get("active") else "disabled"
    status = user.get("status", "")
    return AccountRecord(
        external_id=user["id"],
        username=user.get("login") or user["id"],
        email=user.get("email", ""),
        display_name=user.get("name", ""),
        status="suspended" if status in NOT_ACTIVE else "active",
        mfa=mfa,
        privileged=bool(user.get("admin")),
        last_login_at=checks.parse_time(user.get("last_login")),
        attributes={
            "okta_status": status,
            "user_type": user.get("user_type", ""),
            "factors": (factors or {}).get("active", []),
            "admin_known": user.get("admin") is not None,
        },
    )


PROVIDER = OktaProvider()
