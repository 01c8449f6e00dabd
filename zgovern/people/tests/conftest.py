"""Helpers of the people tests: roster files, people added as the system, activity rows,
and API clients for alice, bob and charlie."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.people import services
from zgovern.people.models import Person
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")
HEADER = (
    "work_email,full_name,employment_type,department,manager_email,start_date,end_date,external_id"
)
GOOD_ROWS = (
    "ada@a.example,Ada Lovelace,employee,Engineering,,2021-03-01,,E1",
    "Bob@A.example,Bob Builder,contractor,Engineering,ada@a.example,2024-06-15,,C7",
    "cy@a.example,Cy Leaver,employee,Sales,ada@a.example,2020-01-01,2023-12-31,E2",
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


GOOD_CSV = csv_bytes(*GOOD_ROWS)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def add_person(org, email: str = "pat@a.example", **overrides) -> Person:
    fields = {
        "full_name": "Pat Person",
        "work_email": email,
        "employment_type": "employee",
        "start_date": date(2022, 1, 10),
    }
    fields.update(overrides)
    with organization_scope(org):
        return services.create_person(org, SYSTEM, **fields)


def count_people(org) -> int:
    with scopes_disabled():
        return Person.objects.filter(organization=org).count()


def actions(org) -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action__startswith="person.")
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
