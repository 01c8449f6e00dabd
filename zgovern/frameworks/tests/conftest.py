"""Helpers of the frameworks tests: adopted frameworks in organisation A, API clients for
alice, bob and charlie, sample custom framework files, and activity-log checks."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.frameworks import services
from zgovern.frameworks.models import Category, Criterion, Framework
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.models import ActivityLog, Membership
from zgovern.tenancy.scoping import organization_scope

SYSTEM = Actor.system("tests")

CUSTOM = """\
kind: framework
format: 1
id: acme-sec
name: Acme Security Standard
version: "2024"
categories:
  - id: core
    name: Core requirements
    always_in_scope: true
  - id: payments
    name: Payments
nodes:
  - id: AC
    title: Access control
    category: core
    children:
      - id: AC-1
        title: Unique accounts
      - id: AC-2
        title: Multi-factor authentication
  - id: PAY-1
    title: Card data is tokenised
    parent: AC
    category: payments
"""

# Line 13 repeats AC-1 (first on line 11); line 17 names a parent that does not exist.
BROKEN = """\
id: broken
name: Broken
version: "1"
categories:
  - id: core
    name: Core
nodes:
  - id: AC
    title: Access control
    children:
      - id: AC-1
        title: One
      - id: AC-1
        title: Again
  - id: X-1
    title: Orphan
    parent: NOPE
"""


def adopt(org, key: str = "soc2", *, controls: bool = True) -> Framework:
    with organization_scope(org):
        framework, _ = services.adopt_builtin(org, SYSTEM, key, with_default_controls=controls)
    return framework


@pytest.fixture
def soc2(org_a) -> Framework:
    return adopt(org_a)


@pytest.fixture
def soc2_b(org_b) -> Framework:
    return adopt(org_b)


def category(org, framework: Framework, key: str) -> Category:
    with scopes_disabled():
        return Category.objects.get(organization=org, framework=framework, key=key)


def criterion(org, framework: Framework, ref: str) -> Criterion:
    with scopes_disabled():
        return Criterion.objects.get(organization=org, framework=framework, ref=ref)


def actions(org) -> list[str]:
    with scopes_disabled():
        return list(
            ActivityLog.objects.filter(organization=org)
            .order_by("seq")
            .values_list("action", flat=True)
        )


def _token(org, user, *, read_only: bool) -> str:
    with organization_scope(org):
        membership = Membership.objects.get(organization=org, user=user)
        _, raw = tenancy.create_api_token(
            org, membership, SYSTEM, name="tests", read_only=read_only, expires_at=None
        )
    return raw


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return Client(headers={"Authorization": f"Bearer {_token(org_a, alice, read_only=False)}"})


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return Client(headers={"Authorization": f"Bearer {_token(org_a, bob, read_only=True)}"})


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return Client(headers={"Authorization": f"Bearer {_token(org_b, charlie, read_only=False)}"})
