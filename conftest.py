"""Shared fixtures. The three people every permission test uses:

- alice: owner of organisation A
- bob: read-only member (auditor) of organisation A
- charlie: owner of organisation B, an outsider to A
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role

PASSWORD = "correct horse battery staple"


def make_user(email: str, name: str = ""):
    from zgovern.accounts.models import User

    return User.objects.create_user(email=email, password=PASSWORD, full_name=name)


@pytest.fixture
def alice(db):
    return make_user("alice@a.example", "Alice Owner")


@pytest.fixture
def bob(db):
    return make_user("bob@a.example", "Bob Auditor")


@pytest.fixture
def charlie(db):
    return make_user("charlie@b.example", "Charlie Outsider")


@pytest.fixture
def org_a(alice, bob):
    org = tenancy.create_organization("Org A", alice, Actor.system("tests"))
    with scopes_disabled():
        Membership.objects.create(organization=org, user=bob, role=Role.AUDITOR)
    return org


@pytest.fixture
def org_b(charlie):
    return tenancy.create_organization("Org B", charlie, Actor.system("tests"))


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice, org_a) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob, org_a) -> Client:
    return _client_for(bob)


@pytest.fixture
def charlie_client(charlie, org_b) -> Client:
    return _client_for(charlie)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Stored files (evidence blobs) go to a fresh directory per test, never into ./var."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def scopes_off():
    """For test set-up and assertions that look across organisations on purpose."""
    with scopes_disabled():
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end any session a test left open on it (a
    thread's connection, say), and name what it was doing so the leak can be found.
    PostgreSQL refuses to drop a database that still has sessions."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        stray = cursor.fetchall()
        for pid, application, state, query in stray:
            print(f"\nending a stray database session {pid} ({application}, {state}): {query}")
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


class _EveryPolicyApproved(dict):
    def get(self, key, default=None):
        return "approved"


@pytest.fixture
def policies_approved(monkeypatch):
    """Every policy a control relies on counts as approved, so a test about scores and
    projections is not about the policy module (its own tests cover how a policy gets
    approved)."""
    from zgovern.readiness import sources

    monkeypatch.setattr(sources, "_policy_source", lambda org: _EveryPolicyApproved())
