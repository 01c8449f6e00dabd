"""The built-in policy programme provider: checks over the policy library, the roster and
the acknowledgements. It calls no outside API: the runner calls
:meth:`PolicyProgramProvider.collect_org` in its own thread, inside the organisation's
scope (``in_process``). No configuration, no credentials;
:func:`zgovern.policies.services.ensure_policy_checks` adds it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from zgovern.integrations.base import ConnectionReport, Evaluator, Inventory, ProviderError
from zgovern.integrations.policy_program import checks


class Empty(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _collectors() -> dict:
    # Imported late: the policies app reads the roster and must not load at import time.
    from zgovern.policies import checkdata

    return {"policies": checkdata.policy_rows, "acknowledgements": checkdata.acknowledgement_rows}


class PolicyProgramProvider:
    key = "policy_program"
    name = "Policy programme (built in)"
    config_schema = Empty
    credentials_schema = Empty
    in_process = True

    def collect_org(self, organization: Any, services: Iterable[str]) -> Inventory:
        inventory = Inventory()
        collectors = _collectors()
        for service in services:
            collector = collectors.get(service)
            if collector is None:
                inventory.failures[service] = ProviderError(
                    f"unknown service {service!r}", permanent=True, service=service
                )
                continue
            inventory.data[service] = collector(organization)
            inventory.calls[service] = 0
        return inventory

    def collect(self, config: BaseModel, credentials: BaseModel, services: Iterable[str]):
        raise ProviderError("the policy checks run in process (collect_org)", permanent=True)

    def test_connection(self, config: BaseModel, credentials: BaseModel) -> ConnectionReport:
        return ConnectionReport(True, (("Reads zGovern's policy library", True, "built in"),))

    def evaluators(self) -> dict[str, Evaluator]:
        return checks.evaluators()

    def checks_file(self) -> str:
        return checks.CHECKS_FILE


PROVIDER = PolicyProgramProvider()
