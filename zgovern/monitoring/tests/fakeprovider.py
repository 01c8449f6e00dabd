"""A provider for tests: a small world of users and buckets the test arranges, with
switches for the failures a real provider meets (a denied service, a hung collection, an
evaluator that crashes). Registered only by the ``fake_provider`` fixture."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from zgovern.integrations import registry
from zgovern.integrations.base import (
    ConnectionReport,
    Finding,
    Inventory,
    ProviderError,
    ResourceRef,
)
from zgovern.monitoring import registry as checks_registry

CHECKS_FILE = Path(__file__).with_name("fake_checks.yaml")
CREDENTIALS = {"token": "fake-token-1234"}


class FakeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str = Field(default="111111111111", pattern=r"^\d{12}$")
    regions: list[str] = Field(default_factory=lambda: ["eu-west-1"], min_length=1)
    strict: bool = False


class FakeCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    token: str = Field(min_length=8, repr=False)


def _user(name: str) -> ResourceRef:
    return ResourceRef("fake.user", f"user/{name}", name, account="111111111111")


def _bucket(name: str) -> ResourceRef:
    return ResourceRef("fake.bucket", f"bucket/{name}", name, region="eu-west-1")


class FakeProvider:
    key = "fake"
    name = "Fake cloud"
    config_schema = FakeConfig
    credentials_schema = FakeCredentials

    def __init__(self) -> None:
        self.users: dict[str, dict] = {"alice": {"mfa": True, "active": True}}
        self.buckets: dict[str, dict] = {"logs": {"encrypted": True}}
        self.failures: dict[str, ProviderError] = {}
        self.collect_error: Exception | None = None
        self.collect_delay = 0.0
        self.crash: set[str] = set()
        self.slow: dict[str, float] = {}
        self.seen_credentials: list[str] = []
        self.missing_permissions: tuple[str, ...] = ()

    def test_connection(self, config: FakeConfig, credentials: FakeCredentials) -> ConnectionReport:
        checks = [("Sign in", True, f"account {config.account}")]
        for permission in self.missing_permissions:
            checks.append((f"Use {permission}", False, f"AccessDenied on {permission}"))
        return ConnectionReport(
            not self.missing_permissions, tuple(checks), self.missing_permissions
        )

    def collect(
        self, config: FakeConfig, credentials: FakeCredentials, services: Iterable[str]
    ) -> Inventory:
        self.seen_credentials.append(credentials.token)
        if self.collect_delay:
            time.sleep(self.collect_delay)
        if self.collect_error is not None:
            raise self.collect_error
        inventory = Inventory()
        for service in services:
            if service in self.failures:
                inventory.failures[service] = self.failures[service]
                continue
            source = self.users if service == "users" else self.buckets
            inventory.data[service] = {name: dict(state) for name, state in source.items()}
            inventory.calls[service] = 1
        for key, error in self.failures.items():
            if ":" in key:
                inventory.failures[key] = error
        return inventory

    def evaluators(self):
        return {
            "fake.users.mfa": self._wrap("fake.users.mfa", _mfa),
            "fake.users.active": self._wrap("fake.users.active", _active),
            "fake.buckets.encrypted": self._wrap("fake.buckets.encrypted", _encrypted),
        }

    def _wrap(self, check_id, evaluate):
        def run(inventory: Inventory):
            if check_id in self.crash:
                raise RuntimeError(f"{check_id} blew up")
            if check_id in self.slow:
                time.sleep(self.slow[check_id])
            return evaluate(inventory)

        return run

    def checks_file(self) -> str:
        return str(CHECKS_FILE)


def _mfa(inventory: Inventory):
    for name, state in inventory.data["users"].items():
        if state["mfa"]:
            yield Finding(_user(name), "pass", f"user {name} has an MFA device")
        else:
            yield Finding(_user(name), "fail", f"user {name} has console access and no MFA device")


def _active(inventory: Inventory):
    for name, state in inventory.data["users"].items():
        status = "pass" if state.get("active", True) else "fail"
        yield Finding(
            _user(name), status, f"user {name} {'is' if status == 'pass' else 'is not'} active"
        )


def _encrypted(inventory: Inventory):
    for name, state in inventory.data["buckets"].items():
        status = "pass" if state["encrypted"] else "fail"
        yield Finding(_bucket(name), status, f"bucket {name} encryption: {state['encrypted']}")


@pytest.fixture
def fake_provider():
    """Register a fresh FakeProvider next to the real providers for one test."""
    provider = FakeProvider()
    providers = registry._load()
    providers[provider.key] = provider
    checks_registry.clear()
    yield provider
    providers.pop(provider.key, None)
    checks_registry.clear()
