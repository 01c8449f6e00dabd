"""The portal's cast in organisation A: Eric (an employee with a user account, role
employee), Pia (on the roster, another person), a published policy for everyone and one
for Sales only, and the security awareness course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from conftest import make_user
from zgovern.policies.models import Policy
from zgovern.policies.tests.conftest import SYSTEM, add_person, published_policy
from zgovern.tenancy.models import Membership
from zgovern.tenancy.tests.conftest import api_client, issue_token
from zgovern.training.models import Course
from zgovern.training.tests.conftest import adopt

__all__ = ["SYSTEM", "add_person"]


@dataclass
class Cast:
    eric: object  # Person
    pia: object
    user: object  # eric's User
    everyone: Policy
    sales: Policy
    course: Course
    sales_course: Course


@pytest.fixture
def cast(org_a) -> Cast:
    eric = add_person(org_a, "eric@a.example", full_name="Eric Employee", department="Eng")
    pia = add_person(org_a, "pia@a.example", full_name="Pia Peer", department="Sales")
    user = make_user("eric@a.example", "Eric Employee")
    with scopes_disabled():
        Membership.objects.create(organization=org_a, user=user, role="employee")
    everyone = published_policy(org_a, "acceptable-use")
    sales = published_policy(
        org_a, "code-of-conduct", audience="departments", departments=["Sales"]
    )
    course = adopt(org_a, "security-awareness")
    sales_course = adopt(org_a, "incident-response-drill")  # Engineering and IT only
    return Cast(eric, pia, user, everyone, sales, course, sales_course)


@pytest.fixture
def eric_client(cast) -> Client:
    client = Client(HTTP_USER_AGENT="EricBrowser/1.0", REMOTE_ADDR="10.1.2.3")
    client.force_login(cast.user)
    return client


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def eric_api(org_a, cast) -> Client:
    return api_client(issue_token(org_a, cast.user, read_only=True, name="eric"))


def version_of(policy: Policy):
    with scopes_disabled():
        return policy.versions.get(status="published")


START = date(2022, 1, 10)
