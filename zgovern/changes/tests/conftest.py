"""Helpers of the change records tests: records added through the service, and API
clients for alice, bob and charlie."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.changes.models import ChangeRecord
from zgovern.changes.services import ChangeInput, record_changes
from zgovern.core.actor import Actor
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")


def change(number: int = 1, **overrides) -> ChangeInput:
    fields = {
        "repository": "acme/api", "number": number, "title": f"Change {number}",
        "author": "maria", "approvers": ("raj",),
        "merged_at": datetime(2026, 11, 20, 10, number % 60, tzinfo=UTC),
        "url": f"https://github.com/acme/api/pull/{number}", "checks_passed": True,
    }  # fmt: skip
    fields.update(overrides)
    return ChangeInput(**fields)


def record(org, *changes: ChangeInput, source: str = "github"):
    with organization_scope(org):
        return record_changes(org, SYSTEM, list(changes), source=source)


def count(org) -> int:
    with scopes_disabled():
        return ChangeRecord.objects.filter(organization=org).count()


def actions(org) -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action__startswith="change.")
        return list(rows.order_by("seq").values_list("action", flat=True))


def sample(org) -> list[ChangeRecord]:
    """Four records: approved, unapproved, self-approved (other repo), failing checks."""
    record(
        org,
        change(1),
        change(2, approvers=(), author="eric", checks_passed=False,
               merged_at=datetime(2026, 11, 21, 9, tzinfo=UTC)),
        change(3, repository="acme/web", author="adam", approvers=("adam",),
               merged_at=datetime(2026, 10, 2, 9, tzinfo=UTC), title="=HYPERLINK(1)"),
        change(4, checks_passed=None, merged_at=datetime(2026, 11, 25, 9, tzinfo=UTC)),
    )  # fmt: skip
    with scopes_disabled():
        return list(ChangeRecord.objects.filter(organization=org).order_by("number"))


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
