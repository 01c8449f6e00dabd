"""The BambooHR provider as the check engine sees it; its ``persist`` keeps the roster in
step with BambooHR (people source "hr") through :func:`zgovern.people.hr.sync_people`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from zgovern.core.actor import Actor
from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError
from zgovern.integrations.hr import checks, sync
from zgovern.integrations.hr.client import BambooClient, HttpOptions
from zgovern.integrations.hr.schemas import BambooConfig, BambooCredentials
from zgovern.people.hr import HrPerson, sync_people


class BambooProvider:
    key = "hr"
    name = "BambooHR"
    config_schema = BambooConfig
    credentials_schema = BambooCredentials

    def __init__(self, options: Callable[[], HttpOptions] = HttpOptions) -> None:
        self._options = options

    def collect(
        self, config: BambooConfig, credentials: BambooCredentials, services: Iterable[str]
    ) -> Inventory:
        return sync.collect(config, credentials, services, options=self._options())

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE

    def test_connection(
        self, config: BambooConfig, credentials: BambooCredentials
    ) -> ConnectionReport:
        """Run the roster report once: the same call, and the same access, as a sync."""
        client = BambooClient(config, credentials, self._options())
        capability = "Employees report (job and employment fields)"
        try:
            count = sum(1 for _ in client.employees())
        except ProviderError as error:
            missing = (error.permission,) if error.permission else ()
            return ConnectionReport(False, ((capability, False, error.message),), missing)
        finally:
            client.close()
        return ConnectionReport(True, ((capability, True, f"{count} employees"),))

    def persist(self, integration: Any, inventory: Inventory, at: datetime) -> None:
        """Apply the employees to the roster, then relink accounts to people. A failed
        report changes nothing: people are never removed for a missing listing."""
        if not inventory.has("employees"):
            return
        from zgovern.identity.services import relink_all

        org = integration.organization
        actor = Actor.system(f"integration {integration.name}")
        report = sync_people(org, actor, hr_people(inventory.data["employees"]))
        if report.created or report.updated:
            relink_all(org, actor)


def hr_people(employees: list[dict[str, Any]]) -> list[HrPerson]:
    """The collected employees as the roster's HR records."""
    return [
        HrPerson(
            external_id=e.get("id", ""),
            work_email=e.get("work_email", ""),
            full_name=e.get("name", ""),
            employment_type=e.get("employment_type", ""),
            start_date=e.get("hire_date"),
            end_date=e.get("termination_date"),
            terminated=bool(e.get("inactive")),
            department=e.get("department", ""),
            manager_email=e.get("manager_email", ""),
        )
        for e in employees
    ]


PROVIDER = BambooProvider()
