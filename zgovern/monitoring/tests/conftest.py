"""Fixtures of the monitoring tests: the fake provider and an integration of it."""

import pytest

from zgovern.core.actor import Actor
from zgovern.integrations import services as integrations
from zgovern.monitoring.tests.fakeprovider import CREDENTIALS, fake_provider  # noqa: F401

SYSTEM = Actor.system("tests")


@pytest.fixture
def integration(org_a, fake_provider):  # noqa: F811 - the fixture imported above
    return integrations.create_integration(
        org_a, SYSTEM, provider="fake", name="Fake prod", config={}, credentials=CREDENTIALS
    )
