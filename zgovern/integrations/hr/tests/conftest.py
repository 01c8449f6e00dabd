"""Fixtures of the BambooHR tests: the recorded company, registered as the "hr" provider
for the length of a test."""

from __future__ import annotations

import pytest

from zgovern.core.actor import Actor
from zgovern.integrations import registry
from zgovern.integrations import services as integrations
from zgovern.integrations.hr.provider import BambooProvider
from zgovern.integrations.hr.tests.replay import CONFIG, CREDENTIALS, BambooWorld
from zgovern.monitoring import registry as checks_registry

SYSTEM = Actor.system("tests")


@pytest.fixture
def world(monkeypatch) -> BambooWorld:
    world = BambooWorld()
    monkeypatch.setitem(registry._load(), "hr", BambooProvider(world.options))
    checks_registry.clear()
    yield world
    checks_registry.clear()


@pytest.fixture
def bamboo(org_a, world):
    return integrations.create_integration(
        org_a, SYSTEM, provider="hr", name="BambooHR", config=CONFIG, credentials=CREDENTIALS
    )
