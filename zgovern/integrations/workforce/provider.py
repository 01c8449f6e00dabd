"""The built-in workforce provider: checks over the roster and the identity graph.

It calls no outside API: the runner calls :meth:`WorkforceProvider.collect_org` in its own
thread, inside the organisation's scope (``in_process``). It needs no configuration and no
credentials; :func:`zgovern.identity.services.ensure_workforce_integration` adds it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError
from zgovern.integrations.workforce import checks, collect


class Empty(BaseModel):
    model_config = ConfigDict(extra="forbid")


COLLECTORS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "accounts": collect.collect_accounts,
    "people": collect.collect_people,
}


class WorkforceProvider:
    key = "workforce"
    name = "Workforce (built in)"
    config_schema = Empty
    credentials_schema = Empty
    in_process = True

    def collect_org(self, organization: Any, services: Iterable[str]) -> Inventory:
        inventory = Inventory()
        for service in services:
            collector = COLLECTORS.get(service)
            if collector is None:
                inventory.failures[service] = ProviderError(
                    f"unknown service {service!r}", permanent=True, service=service
                )
                continue
            inventory.data[service] = collector(organization)
            inventory.calls[service] = 0
        return inventory

    def collect(self, config: BaseModel, credentials: BaseModel, services: Iterable[str]):
        raise ProviderError("the workforce checks run in process (collect_org)", permanent=True)

    def test_connection(self, config: BaseModel, credentials: BaseModel) -> ConnectionReport:
        return ConnectionReport(True, (("Reads zGovern's roster and accounts", True, "built in"),))

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE


PROVIDER = WorkforceProvider()
