"""The GitHub provider as the check engine sees it (:class:`zgovern.integrations.base.Provider`),
and what it keeps of a run besides check results (:class:`~zgovern.integrations.base.Persisting`):
the organisation's members as identity-graph accounts, and merged pull requests as change
records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import httpx
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.identity.records import AccountRecord
from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError
from zgovern.integrations.github import checks, sync
from zgovern.integrations.github.client import GithubClient, parse_time
from zgovern.integrations.github.schemas import GithubConfig, GithubCredentials

SYSTEM = "github"


class GithubProvider:
    key = "github"
    name = "GitHub"
    config_schema = GithubConfig
    credentials_schema = GithubCredentials
    account_service = "members"

    def __init__(
        self,
        transport: Callable[[], httpx.BaseTransport | None] = lambda: None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], datetime] = timezone.now,
    ) -> None:
        # Tests replace the transport with recorded responses; production uses the network.
        self._transport = transport
        self._sleep = sleep
        self._clock = clock  # the change window ends now

    def collect(
        self, config: GithubConfig, credentials: GithubCredentials, services: Iterable[str]
    ) -> Inventory:
        return sync.collect(
            config, credentials, services,
            transport=self._transport(), sleep=self._sleep, now=self._clock(),
        )  # fmt: skip

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE

    def test_connection(
        self, config: GithubConfig, credentials: GithubCredentials
    ) -> ConnectionReport:
        """One cheap read per capability the checks need; names every scope missing."""
        client = GithubClient(config, credentials, transport=self._transport(), sleep=self._sleep)
        probes = (
            ("Organisation settings", client.organization),
            ("Members without 2FA (owner only)",
             lambda: client.members(two_factor_disabled=True)),
            ("Repositories", client.repositories),
        )  # fmt: skip
        results: list[tuple[str, bool, str]] = []
        missing: list[str] = []
        try:
            for capability, probe in probes:
                try:
                    probe()
                    results.append((capability, True, "works"))
                except ProviderError as error:
                    results.append((capability, False, error.message))
                    if error.permission:
                        missing.append(error.permission)
        finally:
            client.close()
        ok = all(works for _, works, _ in results)
        return ConnectionReport(ok, tuple(results), tuple(dict.fromkeys(missing)))

    # -- persisting ----------------------------------------------------------------

    def accounts(self, inventory: Inventory) -> list[AccountRecord] | None:
        """One account per member and outside collaborator; None when either list could
        not be read, so the accounts already known are marked stale, never removed (an
        outside collaborator missing from a failed list is not gone)."""
        if not inventory.has("members") or "members:outside" in inventory.failures:
            return None
        data = inventory.data["members"]
        admins = set(data.get("admins") or [])
        records = [_account(u, "member", u["login"] in admins, data.get("no_2fa"))
                   for u in data.get("members") or []]  # fmt: skip
        records += [_account(u, "outside_collaborator", False, data.get("outside_no_2fa"))
                    for u in data.get("outside") or []]  # fmt: skip
        return records

    def changes(self, inventory: Inventory) -> list[Any]:
        """Change inputs for the merged pull requests whose reviews could be read."""
        from zgovern.changes.services import ChangeInput

        if not inventory.has("pulls"):
            return []
        inputs = []
        for pull in inventory.data["pulls"]:
            merged = parse_time(pull.get("merged_at"))
            if "error" in pull or merged is None:
                continue
            inputs.append(ChangeInput(
                repository=pull["repository"], number=pull["number"], title=pull["title"],
                author=pull["author"], merged_at=merged, url=pull["url"],
                approvers=tuple(pull["approvers"]), merged_by=pull["merged_by"],
                checks_passed=pull["checks_passed"],
            ))  # fmt: skip
        return inputs

    def persist(self, integration: Any, inventory: Inventory, at: datetime) -> None:
        """Accounts (stale when the members could not be listed), change records, and,
        when a change was recorded or changed, an evidence item of the window's changes."""
        from zgovern.changes.services import add_change_evidence, record_changes
        from zgovern.identity.services import record_accounts

        if "members" in inventory.data or "members" in inventory.failures:
            record_accounts(integration, SYSTEM, self.accounts(inventory), at)
        changes = self.changes(inventory)
        if not changes:
            return
        org, actor = integration.organization, Actor.system("github")
        report = record_changes(org, actor, changes, source=SYSTEM, integration=integration, at=at)
        window = inventory.data.get("pulls_window") or {}
        if (report.created or report.updated) and window:
            add_change_evidence(
                org, actor, integration=integration, period_start=window["since"],
                period_end=window["until"], tags=["github.pulls.approved"],
            )  # fmt: skip


def _account(user: dict, role: str, admin: bool, without_2fa: list[str] | None) -> AccountRecord:
    mfa = "disabled" if user["login"] in set(without_2fa or []) else "enabled"
    return AccountRecord(
        external_id=str(user.get("id") or user["login"]),
        username=user["login"],
        display_name=user["login"],
        mfa=mfa,
        privileged=admin or bool(user.get("site_admin")),
        attributes={"role": "admin" if admin else role, "type": user.get("type") or "User"},
    )


PROVIDER = GithubProvider()
