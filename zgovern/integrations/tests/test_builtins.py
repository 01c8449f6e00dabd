"""One action sets up every built-in check provider, once."""

from __future__ import annotations

from zgovern.integrations.builtins import SETUP
from zgovern.integrations.models import Integration
from zgovern.tenancy.scoping import organization_scope

PROVIDERS = {"workforce", "training_program", "policy_program", "records"}


def _providers(org) -> list[str]:
    with organization_scope(org):
        return sorted(
            Integration.objects.filter(organization=org).values_list("provider", flat=True)
        )


def test_the_owner_sets_up_every_built_in_once(alice_client, org_a):
    url = f"/o/{org_a.slug}/monitoring/integrations/built-in/"
    assert alice_client.post(url).status_code == 302
    assert alice_client.post(url).status_code == 302
    assert _providers(org_a) == sorted(PROVIDERS)
    assert len(SETUP) == len(PROVIDERS)


def test_readers_and_outsiders_cannot(bob_client, charlie_client, org_a):
    url = f"/o/{org_a.slug}/monitoring/integrations/built-in/"
    assert bob_client.post(url).status_code == 403
    assert charlie_client.post(url).status_code == 404
    assert _providers(org_a) == []
