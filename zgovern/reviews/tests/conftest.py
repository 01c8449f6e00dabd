"""Helpers of the access-review tests: a roster and user lists loaded through the people
and identity services, a member reviewer (dave), campaigns started as the system, and API
clients for alice, bob and charlie."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import make_user
from zgovern.core.actor import Actor
from zgovern.identity import services as identity
from zgovern.people import services as people
from zgovern.reviews import services
from zgovern.reviews.models import Campaign, ReviewItem
from zgovern.tenancy.models import ActivityLog, Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")
LIST_HEADER = "system,username,email,display_name,status,privileged,last_login_at\n"
# alice owns org A and has her own account; dave manages erin; frank has left; the
# contractor, the dormant account and the unlinked service account carry their flags.
ROSTER = (
    ("alice@a.example", "Alice Owner", "employee", "", None),
    ("dave@a.example", "Dave Manager", "employee", "", None),
    ("erin@a.example", "Erin Engineer", "employee", "dave@a.example", None),
    ("frank@a.example", "Frank Former", "employee", "dave@a.example", date(2025, 1, 31)),
    ("gina@ext.example", "Gina Contractor", "contractor", "dave@a.example", None),
)


def user_list(rows: list[tuple]) -> bytes:
    """``(system, username, email, status, privileged, days since sign-in)`` rows."""
    today = timezone.localdate()
    lines = [
        f"{s},{u},{e},{u.title()},{st},{'yes' if p else 'no'},{today - timedelta(days=d)}"
        for s, u, e, st, p, d in rows
    ]
    return (LIST_HEADER + "\n".join(lines) + "\n").encode()


ACCOUNTS = [
    ("github", "alice", "alice@a.example", "active", True, 1),
    ("github", "erin", "erin@a.example", "active", False, 2),
    ("github", "frank", "frank@a.example", "active", False, 3),
    ("github", "gina", "gina@ext.example", "active", False, 4),
    ("github", "old-timer", "erin@a.example", "active", False, 200),
    ("github", "gone", "gone@a.example", "suspended", False, 5),
    ("jira", "erin", "erin@a.example", "active", False, 1),
    ("jira", "svc-bot", "", "active", True, 1),
    ("jira", "dave", "dave@a.example", "active", False, 1),
]


def sync(org, rows: list[tuple]) -> None:
    """Upload the systems' full user lists (accounts not listed become removed)."""
    with organization_scope(org):
        identity.import_accounts(org, SYSTEM, "users.csv", user_list(rows))


@pytest.fixture
def dave(db, org_a):
    user = make_user("dave@a.example", "Dave Manager")
    with scopes_disabled():
        Membership.objects.create(organization=org_a, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def world(org_a, dave):
    """Org A's roster and its github and jira accounts."""
    with organization_scope(org_a):
        for email, name, kind, manager, end in ROSTER:
            people.create_person(
                org_a, SYSTEM, full_name=name, work_email=email, employment_type=kind,
                manager_email=manager, start_date=date(2020, 1, 6), end_date=end,
            )  # fmt: skip
    sync(org_a, ACCOUNTS)
    return org_a


def start(org, reviewer, **overrides) -> Campaign:
    fields = {
        "title": "Q review",
        "systems": ["github", "jira"],
        "due_date": timezone.localdate() + timedelta(days=14),
        "default_reviewer": reviewer.pk,
    }
    fields.update(overrides)
    with organization_scope(org):
        return services.start_campaign(org, SYSTEM, **fields)


def as_user(user) -> Actor:
    return Actor(kind="user", label=user.email, user=user)


def item(campaign: Campaign, system: str, username: str) -> ReviewItem:
    with scopes_disabled():
        return ReviewItem.objects.get(campaign=campaign, system=system, username=username)


def decide(org, user, row: ReviewItem, decision: str, note: str = "") -> ReviewItem:
    with organization_scope(org):
        return services.decide(org, as_user(user), row.pk, decision=decision, note=note)


def decide_all(org, campaign: Campaign, decision: str = "approve") -> None:
    """Decide every item as its assigned reviewer."""
    with scopes_disabled():
        rows = list(ReviewItem.objects.filter(campaign=campaign).select_related("reviewer"))
    for row in rows:
        decide(org, row.reviewer, row, decision)


def actions(org, prefix: str = "review_") -> list[str]:
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
