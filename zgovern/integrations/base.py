"""The contract between the check engine and a provider (AWS, GitHub, Okta, …).

A provider package (``zgovern/integrations/<key>/``) has:

- ``client.py``: talks to the provider's API; raises :class:`ProviderError` with
  ``permanent`` set (a denied permission, bad credentials) or not (throttling, timeouts —
  already retried with backoff inside the client);
- ``sync.py``: ``collect(session, services) -> Inventory``: each service is collected once
  per run with the cheapest calls, in parallel with a bounded pool; a service that fails is
  recorded in ``Inventory.failures`` and the others are kept;
- ``checks.py`` + ``checks.yaml``: the checks, each metadata (data, in YAML) plus one small
  function evaluating the inventory in memory and yielding one :class:`Finding` per
  resource;
- ``tests/``: against moto (AWS) or recorded HTTP responses (SaaS).

and registers a :class:`Provider` in :mod:`zgovern.integrations.registry`.

The format of ``checks.yaml`` and its validation are described in
:mod:`zgovern.monitoring.checkspec` (``zgovern checks validate`` checks every provider).
How the runner treats ``Inventory.failures``: a key equal to a check's ``service`` means
that service failed as a whole, so its checks are recorded as ERROR on the integration
(naming the error's ``permission``, else the check's) and the intervals of its resources
stay untouched; a key ``"<service>:<qualifier>"`` (e.g. ``"ec2:123456789012:eu-west-1"``)
means only part of it failed, so its checks still evaluate, but resources they no longer
see are not taken to be gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict


class ProviderError(Exception):
    """A call to the provider failed. ``permanent`` says whether retrying can help;
    ``permission`` names the missing permission or scope when that is the cause."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        service: str = "",
        permission: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.service = service
        self.permission = permission


@dataclass(frozen=True)
class ResourceRef:
    """Identity of a resource as the provider knows it; becomes a ``monitoring.Resource``."""

    resource_type: str  # e.g. "aws.iam.user", "aws.s3.bucket"
    external_id: str  # stable: an ARN, a user id
    name: str
    account: str = ""
    region: str = ""


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one resource, with a reason a person can read."""

    resource: ResourceRef
    status: str  # monitoring.models.CheckStatus value
    reason: str


@dataclass
class Inventory:
    """What a run collected: per service, whatever the provider's sync stored (lists of
    dicts, typically), plus the services that failed and why."""

    data: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, ProviderError] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)  # API calls made, per service

    def has(self, service: str) -> bool:
        return service in self.data and service not in self.failures


@dataclass(frozen=True)
class ConnectionReport:
    """What "Test connection" shows: each capability checked, and what is missing."""

    ok: bool
    checks: tuple[tuple[str, bool, str], ...]  # (capability, works, detail)
    missing_permissions: tuple[str, ...] = ()


Evaluator = Callable[[Inventory], Iterable[Finding]]


class Provider(Protocol):
    key: str
    name: str
    config_schema: type[BaseModel]  # non-secret settings (regions, role ARNs, org name)
    credentials_schema: type[BaseModel]  # secrets, stored encrypted

    def test_connection(self, config: BaseModel, credentials: BaseModel) -> ConnectionReport: ...

    def collect(
        self, config: BaseModel, credentials: BaseModel, services: Iterable[str]
    ) -> Inventory: ...

    def evaluators(self) -> dict[str, Evaluator]:
        """Check id -> the function that evaluates it; every id has YAML metadata."""
        ...

    def checks_file(self) -> str:
        """Path of the provider's checks.yaml."""
        ...


class BuiltIn(Protocol):
    """Optional: a provider over zGovern's own records (people, accounts, policies,
    training) rather than an outside API. With ``in_process = True`` the runner calls
    ``collect_org(organization, services)`` in its own thread, inside the organisation's
    scope, instead of ``collect``; its config and credentials schemas are empty models."""

    in_process: bool

    def collect_org(self, organization: Any, services: Iterable[str]) -> Inventory: ...


class Persisting(Protocol):
    """Optional: a provider whose collection also feeds records other than check results
    (the identity graph's accounts, change records). ``persist`` runs inside the run's
    recording transaction, after evaluation, with the run's start time as ``at``; it must
    treat a service listed in ``inventory.failures`` as unknown (mark what it held stale),
    never as empty."""

    def persist(self, integration: Any, inventory: Inventory, at: Any) -> None: ...


class NoSettings(BaseModel):
    """The settings of a built-in provider: none, its records are zGovern's own."""

    model_config = ConfigDict(extra="forbid")


Collector = Callable[[Any], Any]  # organisation -> what a service's checks evaluate


class BuiltInProvider:
    """A :class:`BuiltIn` provider over zGovern's own records: no settings, no outside API,
    collected by ``collect_org`` in the runner's thread. ``collectors()`` maps each service
    to the function reading it (a function, so the records modules load only when a run
    needs them); a service without one is recorded as a failure of that service alone."""

    config_schema = NoSettings
    credentials_schema = NoSettings
    in_process = True

    def __init__(
        self, key: str, name: str, reads: str, checks: Any,
        collectors: Callable[[], dict[str, Collector]],
    ) -> None:  # fmt: skip
        self.key, self.name, self._reads = key, name, reads
        self._checks, self._collectors = checks, collectors

    def collect_org(self, organization: Any, services: Iterable[str]) -> Inventory:
        inventory = Inventory()
        collectors = self._collectors()
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
        raise ProviderError(f"the {self.key} checks run in process (collect_org)", permanent=True)

    def test_connection(self, config: BaseModel, credentials: BaseModel) -> ConnectionReport:
        return ConnectionReport(True, ((self._reads, True, "built in"),))

    def evaluators(self) -> dict[str, Evaluator]:
        return self._checks.evaluators()

    def checks_file(self) -> str:
        return self._checks.CHECKS_FILE
