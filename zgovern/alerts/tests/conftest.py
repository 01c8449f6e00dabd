"""Helpers of the alerts tests: the org's scope and a recording webhook transport."""

from __future__ import annotations

import json

import httpx
import pytest

from zgovern.core.actor import Actor
from zgovern.monitoring.tests.fakeprovider import CREDENTIALS, fake_provider  # noqa: F401
from zgovern.tenancy.scoping import organization_scope

SYSTEM = Actor.system("tests")
HOOK = "https://hooks.example.com/services/T000/B000/secretpart"


@pytest.fixture
def in_a(org_a):
    with organization_scope(org_a):
        yield org_a


class Hook:
    """A webhook endpoint: records each JSON body, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status, self.bodies = status, []

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            self.bodies.append(json.loads(request.content))
            return httpx.Response(self.status)

        return httpx.MockTransport(handler)


def user_actor(user) -> Actor:
    return Actor(kind="user", label=user.email, user=user)


__all__ = ["CREDENTIALS", "HOOK", "SYSTEM", "Hook", "user_actor"]
