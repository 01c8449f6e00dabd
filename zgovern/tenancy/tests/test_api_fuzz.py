"""Property-based fuzzing of the REST API with Schemathesis.

The OpenAPI document is loaded from the WSGI application itself, and every operation is
called with generated requests, authenticated as alice (owner, read-write token). Each
response must not be a server error and must match the documented schema for its status.

The WSGI app runs in this thread, on the test's own database connection and inside its
transaction, so what the fuzzer creates is rolled back afterwards.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from zgovern.tenancy.models import ApiToken, Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.tests.conftest import issue_token


@pytest.fixture
def in_process_requests():
    """What Django's test client does around a request: keep the request signals from
    closing the connection, which would end the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class OwnerToken:
    """Alice's read-write token, re-issued whenever a generated request has revoked it or
    taken away her ownership, so every case is tried with full rights."""

    def __init__(self, org, user) -> None:
        self.org, self.user = org, user
        self.raw, self.token_id = "", None

    def header(self) -> dict[str, str]:
        with scopes_disabled():
            kept = Membership.objects.filter(organization=self.org, user=self.user).first()
            if kept is None:
                Membership.objects.create(organization=self.org, user=self.user, role=Role.OWNER)
            elif kept.role != Role.OWNER:
                Membership.objects.filter(pk=kept.pk).update(role=Role.OWNER)
            token = ApiToken.objects.filter(pk=self.token_id).first()
            if token is None or not token.is_usable():
                self.raw = issue_token(self.org, self.user, read_only=False, name="fuzz")
                self.token_id = ApiToken.objects.filter(user=self.user).latest("pk").pk
        return {"Authorization": f"Bearer {self.raw}"}


@pytest.fixture
def owner_token(org_a, alice, org_b) -> OwnerToken:
    # org_b exists so that ids of another organisation's rows are there to be guessed.
    return OwnerToken(org_a, alice)


# Loaded at collection: serving the OpenAPI document touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
OPERATIONS = sum(1 for _ in schema.get_all_operations())
# About 900 generated cases in all (30 per operation at most, 5 at least): every app's
# operations are fuzzed, and the run stays well under a minute as the API grows.
EXAMPLES_PER_OPERATION = max(5, min(30, 900 // max(OPERATIONS, 1)))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_keeps_to_its_schema(case, owner_token, in_process_requests):
    case.call_and_validate(
        headers=owner_token.header(),
        checks=[not_a_server_error, response_schema_conformance],
    )
