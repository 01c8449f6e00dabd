"""Helpers of the training tests: people and courses added as the system, and API clients
for alice, bob and charlie."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from zgovern.core.actor import Actor
from zgovern.people import services as people
from zgovern.people.models import Person
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token
from zgovern.training import services
from zgovern.training.models import Course

SYSTEM = Actor.system("tests")


def add_person(org, email: str = "pat@a.example", **overrides) -> Person:
    fields = {
        "full_name": "Pat Person",
        "work_email": email,
        "employment_type": "employee",
        "department": "Engineering",
        "start_date": date(2022, 1, 10),
    }
    fields.update(overrides)
    with organization_scope(org):
        return people.create_person(org, SYSTEM, **fields)


def adopt(org, key: str = "security-awareness") -> Course:
    with organization_scope(org):
        return services.adopt_course(org, SYSTEM, key)


def complete(org, person: Person, key: str, day: date) -> None:
    with organization_scope(org):
        people.record_training(org, SYSTEM, person.pk, course_key=key, completed_on=day)


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
