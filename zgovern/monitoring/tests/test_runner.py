"""The runner: a run's record, its errors, claims, the time limit, and its evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlCheck, ControlEvidence
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.integrations import services as integrations
from zgovern.integrations.base import ProviderError
from zgovern.integrations.models import Integration
from zgovern.monitoring import runner
from zgovern.monitoring.models import CheckInterval, CheckRun, RunStatus, RunTrigger
from zgovern.tenancy.models import ActivityLog


def run(integration, trigger=RunTrigger.CLI, **kwargs) -> CheckRun | None:
    return runner.run_integration(integration.pk, trigger, **kwargs)


def open_intervals(org) -> dict[tuple[str, str], CheckInterval]:
    with scopes_disabled():
        rows = CheckInterval.objects.filter(organization=org, ended_at__isnull=True)
        return {(r.check_id, r.resource.external_id): r for r in rows.select_related("resource")}


def reload(integration) -> Integration:
    with scopes_disabled():
        return Integration.objects.get(pk=integration.pk)


def test_a_run_records_every_check_and_releases_the_claim(org_a, integration, fake_provider):
    fake_provider.users["ben"] = {"mfa": False, "active": True}
    result = run(integration, started_by="alice@a.example")
    assert result.status == RunStatus.SUCCEEDED, result.errors
    assert (result.passed, result.failed, result.errored) == (4, 1, 0)
    assert result.checks == ["fake.users.mfa", "fake.users.active", "fake.buckets.encrypted"]
    assert result.started_by == "alice@a.example" and result.trigger == RunTrigger.CLI
    assert result.duration_seconds is not None and result.finished_at >= result.started_at
    current = open_intervals(org_a)
    assert current[("fake.users.mfa", "user/ben")].status == "fail"
    assert current[("fake.users.mfa", "user/ben")].reason == (
        "user ben has console access and no MFA device"
    )
    assert fake_provider.seen_credentials == ["fake-token-1234"]
    after = reload(integration)
    assert (after.claimed_by, after.claim_expires_at) == ("", None)
    assert after.last_run_status == RunStatus.SUCCEEDED
    assert after.next_run_at == result.finished_at + timedelta(hours=6)
    assert after.last_run_summary["counts"]["fail"] == 1


def test_only_the_named_checks_run(integration):
    result = run(integration, checks=["fake.buckets.encrypted"])
    assert result.checks == ["fake.buckets.encrypted"] and result.passed == 1


def test_an_unknown_check_is_refused_before_anything_is_written(org_a, integration):
    from zgovern.core.errors import DomainError

    with pytest.raises(DomainError, match=r"fake\.nope"):
        run(integration, checks=["fake.nope"])
    with scopes_disabled():
        assert not CheckRun.objects.filter(organization=org_a).exists()
    assert reload(integration).claimed_by == ""


def test_a_failed_service_makes_its_checks_error_and_keeps_its_resources(
    org_a, integration, fake_provider
):
    run(integration)
    before = open_intervals(org_a)[("fake.users.mfa", "user/alice")]
    fake_provider.failures["users"] = ProviderError(
        "AccessDenied", permanent=True, service="users", permission="users:ListUsers"
    )
    result = run(integration)
    assert result.status == RunStatus.PARTIAL
    assert {"scope": "users", "message": "AccessDenied", "permission": "users:ListUsers"} in (
        result.errors
    )
    current = open_intervals(org_a)
    kept = current[("fake.users.mfa", "user/alice")]
    assert (kept.pk, kept.status, kept.confirmed_at) == (before.pk, "pass", before.confirmed_at)
    error = current[("fake.users.mfa", f"integration:{integration.pk}")]
    assert error.status == "error"
    assert "users:ListUsers" in error.reason and "AccessDenied" in error.reason
    assert current[("fake.buckets.encrypted", "bucket/logs")].confirmed_at == result.started_at
    # Once the service answers again, the error on the integration is closed.
    del fake_provider.failures["users"]
    run(integration)
    assert ("fake.users.mfa", f"integration:{integration.pk}") not in open_intervals(org_a)


def test_a_partly_failed_service_still_evaluates_but_closes_nothing(
    org_a, integration, fake_provider
):
    fake_provider.users["ben"] = {"mfa": True, "active": True}
    run(integration)
    del fake_provider.users["ben"]
    fake_provider.failures["users:222222222222:eu-west-1"] = ProviderError(
        "throttled", permanent=False, service="users"
    )
    result = run(integration)
    assert result.status == RunStatus.PARTIAL
    assert ("fake.users.mfa", "user/ben") in open_intervals(org_a)


def test_a_crashing_evaluator_errors_its_check_only(org_a, integration, fake_provider):
    fake_provider.crash.add("fake.users.active")
    result = run(integration)
    assert result.status == RunStatus.PARTIAL
    assert result.errors[0]["scope"] == "fake.users.active"
    assert "RuntimeError" in result.errors[0]["message"]
    current = open_intervals(org_a)
    assert current[("fake.users.active", f"integration:{integration.pk}")].status == "error"
    assert current[("fake.users.mfa", "user/alice")].status == "pass"
    assert ("fake.users.active", "user/alice") not in current


def test_a_provider_that_cannot_connect_fails_the_run_and_records_nothing(
    org_a, integration, fake_provider
):
    run(integration)
    before = open_intervals(org_a)
    fake_provider.collect_error = ProviderError(
        "The security token is invalid", permanent=True, permission="sts:GetCallerIdentity"
    )
    result = run(integration)
    assert result.status == RunStatus.FAILED
    assert result.errors == [
        {
            "scope": "run",
            "message": "The security token is invalid",
            "permission": "sts:GetCallerIdentity",
        }
    ]
    assert {k: v.confirmed_at for k, v in open_intervals(org_a).items()} == {
        k: v.confirmed_at for k, v in before.items()
    }
    assert result.evidence_ids == []


def test_without_credentials_the_run_fails_saying_so(org_a, fake_provider):
    from zgovern.core.actor import Actor

    bare = integrations.create_integration(
        org_a, Actor.system("t"), provider="fake", name="Bare", config={}
    )
    result = run(bare)
    assert result.status == RunStatus.FAILED
    assert "No credentials" in result.errors[0]["message"]
    assert fake_provider.seen_credentials == []


def test_a_hung_collection_times_out_and_releases_the_claim(
    org_a, integration, fake_provider, settings
):
    settings.CHECK_RUN_TIMEOUT = 1
    fake_provider.collect_delay = 3
    result = run(integration)
    assert result.status == RunStatus.TIMED_OUT
    assert "did not finish within 1 s" in result.errors[0]["message"]
    assert reload(integration).claimed_by == ""
    assert open_intervals(org_a) == {}


def test_a_slow_evaluation_times_out_keeping_what_it_evaluated(
    org_a, integration, fake_provider, settings
):
    settings.CHECK_RUN_TIMEOUT = 1
    fake_provider.slow["fake.users.mfa"] = 1.2
    result = run(integration)
    assert result.status == RunStatus.TIMED_OUT
    assert "stopped after 1 of 3 checks" in result.errors[-1]["message"]
    assert set(open_intervals(org_a)) == {("fake.users.mfa", "user/alice")}


def test_two_claims_one_wins_and_an_expired_claim_is_taken_over(integration):
    assert integrations.claim(integration.pk, "worker-1", due_only=False)
    assert not integrations.claim(integration.pk, "worker-2", due_only=False)
    assert run(integration) is None  # the runner loses the claim too
    later = timezone.now() + integrations.claim_ttl() + timedelta(seconds=1)
    assert integrations.claim(integration.pk, "worker-2", due_only=False, now=later)
    assert reload(integration).claimed_by == "worker-2"


def test_a_release_by_a_worker_whose_claim_was_taken_over_changes_nothing(integration):
    assert integrations.claim(integration.pk, "worker-1", due_only=False)
    later = timezone.now() + integrations.claim_ttl() + timedelta(seconds=1)
    assert integrations.claim(integration.pk, "worker-2", due_only=False, now=later)
    released = integrations.release(
        integration, "worker-1", finished_at=timezone.now(), status="succeeded", summary={}
    )
    assert not released and reload(integration).claimed_by == "worker-2"


def test_a_due_only_claim_needs_the_integration_to_be_due(integration):
    with scopes_disabled():
        Integration.objects.filter(pk=integration.pk).update(
            next_run_at=timezone.now() + timedelta(hours=1)
        )
    assert run(integration, RunTrigger.SCHEDULE) is None
    assert run(integration, RunTrigger.CLI) is not None


def test_a_run_abandoned_by_a_crashed_worker_is_marked_failed(org_a, integration):
    with scopes_disabled():
        stale = CheckRun.objects.create(
            organization=org_a, integration=integration, provider="fake",
            trigger=RunTrigger.SCHEDULE, started_by="schedule",
            started_at=timezone.now() - timedelta(hours=2),
        )  # fmt: skip
        Integration.objects.filter(pk=integration.pk).update(
            claimed_by="dead-worker", claim_expires_at=timezone.now() - timedelta(minutes=1)
        )
    assert run(integration).status == RunStatus.SUCCEEDED
    with scopes_disabled():
        stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED
    assert "stopped before finishing" in stale.errors[0]["message"]


def test_each_run_adds_a_snapshot_linked_to_the_controls_of_its_checks(org_a, integration):
    with scopes_disabled():
        mfa = Control.objects.create(organization=org_a, key="mfa-enforced", name="MFA")
        other = Control.objects.create(organization=org_a, key="unrelated", name="Other")
        ControlCheck.objects.create(organization=org_a, control=mfa, check_id="fake.users.mfa")
        ControlCheck.objects.create(organization=org_a, control=other, check_id="github.x.y")
    result = run(integration)
    with scopes_disabled():
        [item] = EvidenceItem.objects.filter(pk__in=result.evidence_ids)
        linked = set(
            ControlEvidence.objects.filter(evidence=item).values_list("control_id", flat=True)
        )
        actions = set(
            ActivityLog.objects.filter(organization=org_a).values_list("action", flat=True)
        )
    assert item.source == EvidenceSource.CHECK_SNAPSHOT and item.kind == "check_snapshot"
    assert item.tags == ["fake.buckets.encrypted", "fake.users.active", "fake.users.mfa"]
    assert item.record["config"] == integration.config
    assert item.record["checks"]["fake.users.mfa"]["findings"] == [
        ["fake.user", "user/alice", "alice", "pass", "user alice has an MFA device"]
    ]
    assert len(item.sha256) == 64
    assert linked == {mfa.pk}
    assert {"evidence.added", "control.evidence_linked", "monitoring.run_finished"} <= actions


@pytest.mark.django_db(transaction=True)
def test_racing_workers_one_claim_wins(org_a, integration):
    """Eight threads, each on its own database connection, claim at the same moment."""
    import threading

    from django.db import connection

    barrier, results = threading.Barrier(8), []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            results.append(integrations.claim(integration.pk, f"worker-{n}", due_only=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert reload(integration).claimed_by.startswith("worker-")
