"""What a run keeps besides check results: accounts (stale when the members could not be
listed) and change records (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from zgovern.changes.models import ChangeRecord
from zgovern.core.actor import Actor
from zgovern.identity.models import Account
from zgovern.integrations import services as integrations
from zgovern.integrations.base import ProviderError
from zgovern.integrations.github.provider import GithubProvider
from zgovern.integrations.github.sync import collect
from zgovern.integrations.github.tests.replay import CONFIG, CREDENTIALS, NOW, World
from zgovern.tenancy.scoping import organization_scope


def _inventory(world: World | None = None):
    world = world or World()
    return collect(CONFIG, CREDENTIALS, transport=world.transport(), sleep=lambda s: None, now=NOW)


def _integration(org):
    return integrations.create_integration(
        org, Actor.system("tests"), provider="github", name="GitHub",
        config={"organization": "acme"}, credentials=CREDENTIALS.model_dump(),
    )  # fmt: skip


def test_persisting_twice_changes_nothing(org_a):
    integration = _integration(org_a)
    inventory = _inventory()
    provider = GithubProvider()
    with organization_scope(org_a):
        provider.persist(integration, inventory, NOW)
        first = list(ChangeRecord.objects.filter(organization=org_a).values())
        provider.persist(integration, inventory, NOW + timedelta(hours=6))
        second = list(ChangeRecord.objects.filter(organization=org_a).values())
        assert first == second and len(first) == 3
        assert Account.objects.filter(organization=org_a, system="github").count() == 7


def test_a_failed_members_call_gives_no_accounts_so_they_go_stale(org_a):
    integration = _integration(org_a)
    provider = GithubProvider()
    with organization_scope(org_a):
        provider.persist(integration, _inventory(), NOW)
        failed = _inventory()
        failed.failures["members"] = ProviderError("denied", permanent=True, permission="read:org")
        failed.data.pop("members")
        assert provider.accounts(failed) is None
        provider.persist(integration, failed, NOW + timedelta(hours=6))
        accounts = Account.objects.filter(organization=org_a, system="github")
        assert accounts.count() == 7 and all(a.stale for a in accounts)


def test_outside_collaborators_that_failed_make_the_accounts_stale_not_removed():
    inventory = _inventory()
    assert "carl-ext" in {record.username for record in GithubProvider().accounts(inventory)}
    inventory.failures["members:outside"] = ProviderError("denied", permanent=True)
    assert GithubProvider().accounts(inventory) is None


def test_pull_requests_whose_reviews_failed_are_not_recorded():
    world = World()
    world.answer("/repos/acme/api/pulls/40/reviews", 403, {"message": "denied"})
    changes = GithubProvider().changes(_inventory(world))
    assert sorted(change.number for change in changes) == [38, 41]
