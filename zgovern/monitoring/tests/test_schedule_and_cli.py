"""The minute tick enqueues due integrations; the run task's claim makes repeats harmless;
``zgovern checks run`` runs now with a progress bar and prints results."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.integrations import services as integrations
from zgovern.integrations.models import Integration
from zgovern.monitoring import tasks
from zgovern.monitoring.models import CheckRun, RunStatus, RunTrigger
from zgovern.monitoring.tests.fakeprovider import CREDENTIALS


def set_fields(integration, **fields) -> None:
    with scopes_disabled():
        Integration.objects.filter(pk=integration.pk).update(**fields)


def runs(org) -> list[CheckRun]:
    with scopes_disabled():
        return list(CheckRun.objects.filter(organization=org).order_by("id"))


def test_only_enabled_due_free_integrations_are_due(org_a, integration, fake_provider):
    now = timezone.now()
    other = integrations.create_integration(
        org_a, Actor.system("t"), provider="fake", name="Later", config={}, credentials=CREDENTIALS
    )
    set_fields(other, next_run_at=now + timedelta(hours=1))
    assert tasks.due_integration_ids() == [integration.pk]
    set_fields(integration, enabled=False)
    assert tasks.due_integration_ids() == []
    set_fields(
        integration, enabled=True, claimed_by="w", claim_expires_at=now + timedelta(minutes=5)
    )
    assert tasks.due_integration_ids() == []
    set_fields(integration, claim_expires_at=now - timedelta(seconds=1))
    assert tasks.due_integration_ids() == [integration.pk]


def test_the_tick_runs_due_integrations_once(org_a, integration):
    tasks.enqueue_due_runs()  # Huey runs tasks immediately in the tests
    [run] = runs(org_a)
    assert (run.trigger, run.status, run.started_by) == (
        RunTrigger.SCHEDULE,
        RunStatus.SUCCEEDED,
        "schedule",
    )
    tasks.enqueue_due_runs()
    assert len(runs(org_a)) == 1  # no longer due


def test_a_second_enqueue_of_the_same_run_does_nothing(org_a, integration):
    first = tasks.run_integration_task.call_local(integration.pk, RunTrigger.SCHEDULE)
    second = tasks.run_integration_task.call_local(integration.pk, RunTrigger.SCHEDULE)
    assert first is not None and second is None
    assert len(runs(org_a)) == 1


def test_a_run_task_for_a_deleted_integration_does_nothing(org_a, integration):
    integrations.delete_integration(org_a, Actor.system("t"), integration.pk)
    assert tasks.run_integration_task.call_local(integration.pk, RunTrigger.SCHEDULE) is None


def test_the_command_runs_now_and_prints_json(org_a, integration, fake_provider):
    fake_provider.users["ben"] = {"mfa": False, "active": True}
    set_fields(integration, next_run_at=timezone.now() + timedelta(hours=3))  # not due: no matter
    out, err = StringIO(), StringIO()
    call_command("checks", "run", org_a.slug, "--json", stdout=out, stderr=err)
    [result] = json.loads(out.getvalue())
    assert result["integration"] == "Fake prod" and result["status"] == "succeeded"
    assert result["counts"]["fail"] == 1
    ben = [f for f in result["findings"] if f["resource"] == "user/ben"]
    assert {(f["check_id"], f["status"]) for f in ben} == {
        ("fake.users.mfa", "fail"), ("fake.users.active", "pass"),
    }  # fmt: skip
    assert "Fake prod" in err.getvalue()  # the progress bar, on stderr
    assert runs(org_a)[0].trigger == RunTrigger.CLI


def test_the_command_runs_one_check_and_prints_a_summary(org_a, integration):
    out = StringIO()
    call_command(
        "checks", "run", org_a.slug, "--integration", "Fake prod", "--check",
        "fake.buckets.encrypted", stdout=out,
    )  # fmt: skip
    assert "Fake prod: Succeeded" in out.getvalue() and "1 pass, 0 fail" in out.getvalue()
    assert runs(org_a)[0].checks == ["fake.buckets.encrypted"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-org"], "No organisation"),
        (["{org}", "--integration", "Nope"], "No integration named 'Nope'"),
        (["{org}", "--check", "fake.nope"], "Unknown check 'fake.nope'"),
    ],
)
def test_the_command_names_what_is_wrong(org_a, integration, args, message):
    args = [a.format(org=org_a.slug) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("checks", "run", *args, stdout=StringIO())


def test_the_command_exits_non_zero_when_a_run_fails(org_a, integration, fake_provider):
    from zgovern.integrations.base import ProviderError

    fake_provider.collect_error = ProviderError("denied", permanent=True, permission="sts:Get")
    out = StringIO()
    with pytest.raises(CommandError, match="Not every run succeeded"):
        call_command("checks", "run", org_a.slug, stdout=out)
    assert "run: denied (needs sts:Get)" in out.getvalue()
