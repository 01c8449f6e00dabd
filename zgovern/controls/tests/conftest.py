"""Helpers of the controls tests: a control and a task in organisation A, alice's actor,
SOC 2 adopted with the default controls, and API clients for alice, bob and charlie."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls import services
from zgovern.controls.models import Control, RemediationTask
from zgovern.core.actor import Actor
from zgovern.frameworks import services as frameworks
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")


def actor_for(user) -> Actor:
    return Actor(kind="user", label=user.email, user=user)


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def make_control(org, key: str = "mfa", **fields) -> Control:
    values = {"name": f"Control {key}", "severity": "high"} | fields
    with organization_scope(org):
        return services.create_control(org, SYSTEM, key=key, **values)


def make_task(org, title: str = "Enable MFA", **fields) -> RemediationTask:
    with organization_scope(org):
        return services.create_task(org, SYSTEM, title=title, **fields)


def last_action(org) -> ActivityLog:
    with scopes_disabled():
        return ActivityLog.objects.filter(organization=org).order_by("-seq").first()


def adopt_soc2(org) -> None:
    with organization_scope(org):
        frameworks.adopt_framework(org, SYSTEM, frameworks.builtin("soc2"))
        frameworks.adopt_default_controls(org, SYSTEM)


@pytest.fixture
def control(org_a) -> Control:
    return make_control(org_a)


@pytest.fixture
def control_b(org_b) -> Control:
    return make_control(org_b, key="b-control")


@pytest.fixture
def task(org_a, control, alice) -> RemediationTask:
    return make_task(org_a, control=control.pk, owner=alice.pk, target_date=in_days(10))


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
