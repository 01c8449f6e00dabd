"""Fixtures of the Google Workspace tests: the recorded customer, registered as the
"google_workspace" provider for the length of a test."""

from __future__ import annotations

import pytest

from zgovern.core.actor import Actor
from zgovern.integrations import registry
from zgovern.integrations import services as integrations
from zgovern.integrations.google_workspace.provider import GoogleWorkspaceProvider
from zgovern.integrations.google_workspace.tests.replay import CONFIG, GoogleWorld, credentials
from zgovern.monitoring import registry as checks_registry

SYSTEM = Actor.system("tests")


@pytest.fixture
def world(monkeypatch) -> GoogleWorld:
    world = GoogleWorld()
    monkeypatch.setitem(
        registry._load(), "google_workspace", GoogleWorkspaceProvider(world.options)
    )
    checks_registry.clear()
    yield world
    checks_registry.clear()


@pytest.fixture
def google(org_a, world):
    return integrations.create_integration(
        org_a, SYSTEM, provider="google_workspace", name="Google Workspace", config=CONFIG,
        credentials=credentials(),
    )  # fmt: skip
