"""Helpers of the identity tests: an integration row to hold accounts, people, records,
and API clients for alice, bob and charlie."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.identity.models import Account
from zgovern.identity.records import AccountRecord
from zgovern.integrations.models import Integration
from zgovern.people import services as people
from zgovern.people.models import Person
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")


def holder(org, name: str = "Okta") -> Integration:
    """An integration row to own synced accounts (its provider is not called)."""
    with scopes_disabled():
        return Integration.objects.create(organization=org, provider="aws", name=name)


def add_person(org, email: str = "pat@a.example", **overrides) -> Person:
    fields = {
        "full_name": email.split("@")[0].title(),
        "work_email": email,
        "employment_type": "employee",
        "start_date": date(2022, 1, 10),
    }
    fields.update(overrides)
    with organization_scope(org):
        return people.create_person(org, SYSTEM, **fields)


def rec(external_id: str, **fields) -> AccountRecord:
    fields.setdefault("username", external_id)
    return AccountRecord(external_id=external_id, **fields)


def accounts(org, **filters) -> dict[str, Account]:
    with scopes_disabled():
        rows = Account.objects.filter(organization=org, **filters)
        return {a.external_id: a for a in rows}


def count_accounts(org) -> int:
    with scopes_disabled():
        return Account.objects.filter(organization=org).count()


def actions(org, prefix: str = "identity.") -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action__startswith=prefix)
        return list(rows.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
