"""The Google Workspace provider as the check engine sees it, and what it hands the
identity graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from zgovern.identity.records import AccountRecord
from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError
from zgovern.integrations.google_workspace import checks, sync
from zgovern.integrations.google_workspace.client import GoogleClient, HttpOptions
from zgovern.integrations.google_workspace.schemas import GoogleConfig, GoogleCredentials

SYSTEM = "google"  # identity.models.Account.system


class GoogleWorkspaceProvider:
    key = "google_workspace"
    name = "Google Workspace"
    config_schema = GoogleConfig
    credentials_schema = GoogleCredentials
    account_service = "users"

    def __init__(self, options: Callable[[], HttpOptions] = HttpOptions) -> None:
        self._options = options

    def collect(
        self, config: GoogleConfig, credentials: GoogleCredentials, services: Iterable[str]
    ) -> Inventory:
        return sync.collect(config, credentials, services, options=self._options())

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE

    def test_connection(
        self, config: GoogleConfig, credentials: GoogleCredentials
    ) -> ConnectionReport:
        """Sign in through domain-wide delegation, then read one user."""
        client = GoogleClient(config, credentials, self._options())
        steps = (
            (f"Act as {config.admin_email} (domain-wide delegation)", client.sign_in),
            ("Users (admin.directory.user.readonly)", lambda: next(client.users(1), None)),
        )
        results: list[tuple[str, bool, str]] = []
        missing: list[str] = []
        try:
            for capability, step in steps:
                try:
                    step()
                except ProviderError as error:
                    results.append((capability, False, error.message))
                    missing.extend([error.permission] if error.permission else [])
                    break  # without a token, nothing else can work
                results.append((capability, True, "works"))
        finally:
            client.close()
        ok = len(results) == len(steps) and all(works for _, works, _ in results)
        return ConnectionReport(ok, tuple(results), tuple(dict.fromkeys(missing)))

    def accounts(self, inventory: Inventory) -> list[AccountRecord]:
        return [account_record(user) for user in inventory.data.get("users", [])]

    def persist(self, integration: Any, inventory: Inventory, at: datetime) -> None:
        """Hand the users to the identity graph; when they could not be listed their
        accounts go stale (``None``), never removed."""
        if "users" not in inventory.failures and "users" not in inventory.data:
            return
        from zgovern.identity.services import record_accounts

        records = None if "users" in inventory.failures else self.accounts(inventory)
        record_accounts(integration, SYSTEM, records, at)


def account_record(user: dict[str, Any]) -> AccountRecord:
    enrolled = user.get("enrolled_2sv")
    return AccountRecord(
        external_id=user["id"],
        username=user.get("email") or user["id"],
        email=user.get("email", ""),
        display_name=user.get("name", ""),
        status="active" if checks.can_sign_in(user) else "suspended",
        mfa="unknown" if enrolled is None else ("enabled" if enrolled else "disabled"),
        privileged=bool(user.get("admin")),
        last_login_at=checks.parse_time(user.get("last_login")),
        attributes={
            "super_admin": bool(user.get("super_admin")),
            "two_step_enforced": user.get("enforced_2sv"),
            "org_unit": user.get("org_unit", ""),
            "archived": bool(user.get("archived")),
            "suspension_reason": user.get("suspension_reason", ""),
        },
    )


PROVIDER = GoogleWorkspaceProvider()
