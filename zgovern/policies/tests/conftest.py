"""Helpers of the policy tests: people and policies made as the system, a published policy
with its audience, and API clients for alice, bob and charlie."""

from __future__ import annotations

from datetime import date

import pytest

from zgovern.core.actor import Actor
from zgovern.people import services as people
from zgovern.people.models import Person
from zgovern.policies import services
from zgovern.policies.models import Policy, PolicyVersion
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import alice_api, api_client, bob_api, issue_token  # noqa: F401

SYSTEM = Actor.system("tests")


def add_person(org, email: str, **overrides) -> Person:
    fields = {
        "full_name": email.split("@")[0].title(),
        "work_email": email,
        "employment_type": "employee",
        "start_date": date(2022, 1, 10),
    }
    fields.update(overrides)
    with organization_scope(org):
        return people.create_person(org, SYSTEM, **fields)


def publish_through(org, version: PolicyVersion, actor: Actor = SYSTEM) -> PolicyVersion:
    with organization_scope(org):
        services.submit_for_review(org, actor, version.pk)
        services.approve(org, actor, version.pk)
        return services.publish(org, actor, version.pk)


def published_policy(org, template_key: str = "acceptable-use", **fields) -> Policy:
    with organization_scope(org):
        policy = services.adopt_template(org, SYSTEM, template_key=template_key, **fields)
        publish_through(org, policy.versions.get())
    return policy


@pytest.fixture
def charlie_api(org_b, charlie):
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
