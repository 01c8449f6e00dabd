"""End to end through the runner: an organisation adopts SOC 2, connects GitHub (recorded
responses stand in for the API), and a run records check intervals, GitHub accounts in the
identity graph and change records; a second run with the members call failing leaves the
accounts stale, not removed, and records nothing twice."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from zgovern.changes.models import ChangeRecord, ChecksState
from zgovern.controls.models import ControlEvidence
from zgovern.core.actor import Actor
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks import services as frameworks
from zgovern.identity.models import Account, AccountStatus, MfaState
from zgovern.integrations import services as integrations
from zgovern.integrations.github.provider import PROVIDER
from zgovern.integrations.github.tests.replay import CREDENTIALS, NOW, World, recorded
from zgovern.monitoring.models import CheckInterval, CheckStatus, RunStatus, RunTrigger
from zgovern.monitoring.runner import run_integration
from zgovern.tenancy.scoping import organization_scope

ACTOR = Actor.system("tests")


@pytest.fixture
def world(monkeypatch) -> World:
    world = World()
    monkeypatch.setattr(PROVIDER, "_transport", world.transport)
    monkeypatch.setattr(PROVIDER, "_sleep", lambda seconds: None)
    monkeypatch.setattr(PROVIDER, "_clock", lambda: NOW)
    return world


def _connect(org):
    with organization_scope(org):
        frameworks.adopt_builtin(org, ACTOR, "soc2")
    return integrations.create_integration(
        org, ACTOR, provider="github", name="GitHub acme",
        config={"organization": "acme"}, credentials=CREDENTIALS.model_dump(),
    )  # fmt: skip


def _statuses(org, check_id: str) -> dict[str, str]:
    with organization_scope(org):
        rows = CheckInterval.objects.filter(
            organization=org, check_id=check_id, ended_at__isnull=True
        ).select_related("resource")
        return {row.resource.name: row.status for row in rows}


def _accounts(org) -> dict[str, Account]:
    with organization_scope(org):
        return {a.username: a for a in Account.objects.filter(organization=org, system="github")}


def test_a_run_records_checks_accounts_and_change_records(org_a, world):
    integration = _connect(org_a)
    run = run_integration(integration.pk, RunTrigger.CLI)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert _statuses(org_a, "github.org.two_factor_required") == {"acme": CheckStatus.FAIL}
    assert _statuses(org_a, "github.members.two_factor")["eric-acme"] == CheckStatus.FAIL
    assert _statuses(org_a, "github.repos.branch_protection")["acme/scripts"] == CheckStatus.FAIL
    assert _statuses(org_a, "github.pulls.approved") == {
        "acme/api#41": CheckStatus.PASS, "acme/api#40": CheckStatus.FAIL,
        "acme/api#38": CheckStatus.FAIL,
    }  # fmt: skip

    accounts = _accounts(org_a)
    assert len(accounts) == 7  # five members, two outside collaborators
    assert accounts["eric-acme"].mfa == MfaState.DISABLED
    assert accounts["maria-acme"].mfa == MfaState.ENABLED
    assert accounts["olivia-acme"].privileged and not accounts["maria-acme"].privileged
    assert accounts["carl-ext"].attributes["role"] == "outside_collaborator"

    with organization_scope(org_a):
        changes = {c.number: c for c in ChangeRecord.objects.filter(organization=org_a)}
    assert set(changes) == {41, 40, 38}
    assert (changes[41].approved, changes[41].approvers, changes[41].checks) == (
        True, ["raj-acme"], ChecksState.PASSED)  # fmt: skip
    assert changes[40].flagged_reason == "merged without an approving review"
    assert changes[40].checks == ChecksState.FAILED
    assert changes[38].flagged_reason == "approved only by its author (adam-acme)"
    assert changes[38].integration_id == integration.pk and changes[38].source == "github"

    # The window's changes become one evidence item, linked to change approval; so does
    # the check snapshot, through the branch protection checks the control names.
    with organization_scope(org_a):
        [item] = EvidenceItem.objects.filter(organization=org_a, kind="change_record")
        assert item.record["count"] == 3 and item.record["unapproved"] == 2
        linked = set(
            ControlEvidence.objects.filter(organization=org_a).values_list(
                "control__key", "evidence__kind"
            )
        )
    assert ("change-approval", "change_record") in linked
    assert ("change-approval", "check_snapshot") in linked
    assert ("mfa-enforced", "check_snapshot") in linked

    # The members call fails: accounts keep their state, marked stale; nothing removed.
    world.answer("/orgs/acme/members", 403, recorded("error_403_members.json"))
    second = run_integration(integration.pk, RunTrigger.CLI)
    assert second.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL), second.errors
    assert any("read:org" in e["permission"] for e in second.errors)
    accounts = _accounts(org_a)
    assert len(accounts) == 7
    assert all(a.stale and a.status == AccountStatus.ACTIVE for a in accounts.values())
    assert accounts["eric-acme"].mfa == MfaState.DISABLED
    # The check errors on the integration; members' last verdicts are not closed.
    assert _statuses(org_a, "github.members.two_factor")["eric-acme"] == CheckStatus.FAIL
    with scopes_disabled():
        assert ChangeRecord.objects.filter(organization=org_a).count() == 3
        # Nothing changed, so no second change evidence.
        assert EvidenceItem.objects.filter(organization=org_a, kind="change_record").count() == 1
