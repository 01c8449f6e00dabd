"""Helpers of the risk register tests: risks added as the system, counts, activity rows,
and API clients for alice (read-write), bob (read-only) and charlie (another
organisation)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.risks import services
from zgovern.risks.models import Risk
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")


def add_risk(org, title: str = "Stolen laptop", **overrides) -> Risk:
    fields = {"title": title, "category": "security", "likelihood": 3, "impact": 4}
    fields.update(overrides)
    with organization_scope(org):
        return services.create_risk(org, SYSTEM, **fields)


def count_risks(org) -> int:
    with scopes_disabled():
        return Risk.objects.filter(organization=org).count()


def reload(risk: Risk) -> Risk:
    with scopes_disabled():
        return Risk.objects.select_related("accepted_by").get(pk=risk.pk)


def actions(org, prefix: str = "risk.") -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action__startswith=prefix)
        return list(rows.order_by("seq").values_list("action", flat=True))


def send(client, method: str, path: str, body=None):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)("/api/v1" + path, data=data, content_type="application/json")


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
