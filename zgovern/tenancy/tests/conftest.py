"""Helpers of the tenancy tests: API tokens for alice, bob and charlie, an API client, and
a check that a block of code left exactly the expected activity rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.tenancy import services
from zgovern.tenancy.activity import verify_chain
from zgovern.tenancy.models import ActivityLog, Membership, Organization
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope

SYSTEM = Actor.system("tests")


def membership(org: Organization, user) -> Membership:
    with scopes_disabled():
        return Membership.objects.select_related("user").get(organization=org, user=user)


def add_member(org: Organization, user, role: str) -> Membership:
    with scopes_disabled():
        return Membership.objects.create(organization=org, user=user, role=role)


def issue_token(org: Organization, user, *, read_only: bool, name: str = "test") -> str:
    with organization_scope(org):
        _, raw = services.create_api_token(
            org, membership(org, user), SYSTEM, name=name, read_only=read_only, expires_at=None
        )
    return raw


def api_client(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))


@pytest.fixture
def dave(db):
    from conftest import make_user

    return make_user("dave@a.example", "Dave Admin")


@pytest.fixture
def dave_admin(org_a, dave) -> Membership:
    return add_member(org_a, dave, Role.ADMIN)


def actions_since(org: Organization, seq: int) -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, seq__gt=seq).order_by("seq")
        return [row.action for row in rows]


def head_seq(org: Organization) -> int:
    return Organization.objects.get(pk=org.pk).log_seq


@contextmanager
def logs(org: Organization, *actions: str) -> Iterator[None]:
    """Assert the block appends exactly ``actions`` (none if empty) to ``org``'s log."""
    before = head_seq(org)
    yield
    assert actions_since(org, before) == list(actions)


def chain_ok(org: Organization) -> bool:
    with organization_scope(org):
        return verify_chain(org).ok
