"""The built-in records provider: checks over the records people keep in zGovern (vendors
and their assessments, the risk register and assessments, incidents, access-review
campaigns, the identity graph and the roster), so their flags reach the controls.

It calls no outside API: the runner calls :meth:`RecordsProvider.collect_org` in its own
thread, inside the organisation's scope (``in_process``). No configuration, no
credentials; :func:`zgovern.integrations.records.services.ensure_records_checks` adds it
once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError
from zgovern.integrations.records import checks, collect


class Empty(BaseModel):
    model_config = ConfigDict(extra="forbid")


COLLECTORS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "vendors": collect.collect_vendors,
    "vendor_inventory": collect.collect_vendor_inventory,
    "risk_assessments": collect.collect_risk_assessments,
    "risks": collect.collect_risks,
    "reviews": collect.collect_reviews,
    "incidents": collect.collect_incidents,
    "accounts": collect.collect_accounts,
    "people": collect.collect_people,
}


class RecordsProvider:
    key = "records"
    name = "Records (built in)"
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
        raise ProviderError("the records checks run in process (collect_org)", permanent=True)

    def test_connection(self, config: BaseModel, credentials: BaseModel) -> ConnectionReport:
        return ConnectionReport(True, (("Reads zGovern's own records", True, "built in"),))

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE


PROVIDER = RecordsProvider()
