"""The demo accounts: every kind of exception is there, and a second load changes nothing."""

from __future__ import annotations

from django_scopes import scopes_disabled

from zgovern.core import demo
from zgovern.identity.models import Account
from zgovern.integrations.models import Integration
from zgovern.tenancy.roles import Role


def test_demo_accounts_tell_the_story_and_load_once(org_a, alice, bob):
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    with scopes_disabled():
        rows = Account.objects.filter(organization=org_a)
        first = sorted(
            rows.values_list("system", "external_id", "person_id", "is_service", "updated_at")
        )
        assert {a.system for a in rows} == {"okta", "google", "github", "aws"}
        assert rows.get(username="mystery-dev").person_id is None
        assert rows.get(username="acme-deploy-bot").is_service
        assert rows.get(username="maria-dev").link_method == "alias"
        lars = rows.get(system="okta", username="lars@acme.example")
        assert lars.status == "active" and lars.person.end_date is not None
        assert rows.get(username="carl@ext.example").mfa == "disabled"
        assert Integration.objects.filter(organization=org_a, provider="workforce").count() == 1
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    with scopes_disabled():
        again = sorted(Account.objects.filter(organization=org_a).values_list(
            "system", "external_id", "person_id", "is_service", "updated_at"))  # fmt: skip
    assert again == first
