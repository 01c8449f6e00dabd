"""Fixtures of the Okta tests: the recorded organisation, registered as the "okta"
provider for the length of a test so the runner and the services reach it."""

from __future__ import annotations

import pytest

from zgovern.core.actor import Actor
from zgovern.integrations import registry
from zgovern.integrations import services as integrations
from zgovern.integrations.okta.provider import OktaProvider
from zgovern.integrations.okta.tests.replay import CONFIG, CREDENTIALS, OktaWorld
from zgovern.monitoring import registry as checks_registry

SYSTEM = Actor.system("tests")


@pytest.fixture
def world(monkeypatch) -> OktaWorld:
    world = OktaWorld()
    monkeypatch.setitem(registry._load(), "okta", OktaProvider(world.options))
    checks_registry.clear()
    yield world
    checks_registry.clear()


@pytest.fixture
def okta(org_a, world):
    return integrations.create_integration(
        org_a, SYSTEM, provider="okta", name="Okta", config=CONFIG, credentials=CREDENTIALS
    )
