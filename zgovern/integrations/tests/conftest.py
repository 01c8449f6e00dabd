"""Fixtures of the integrations tests: the fake provider, an integration of it, and API
clients for alice, bob and charlie."""

import pytest
from django.test import Client

from zgovern.core.actor import Actor
from zgovern.integrations import services
from zgovern.monitoring.tests.fakeprovider import CREDENTIALS, fake_provider  # noqa: F401
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")


@pytest.fixture
def integration(org_a, fake_provider):  # noqa: F811 - the fixture imported above
    return services.create_integration(
        org_a, SYSTEM, provider="fake", name="Fake prod", config={}, credentials=CREDENTIALS
    )


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
