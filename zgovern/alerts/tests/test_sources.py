"""The sources: a check run's transitions (through the monitoring signal), overdue tasks
and requests, due reviews and the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.alerts import sources
from zgovern.alerts.models import Alert, Kind
from zgovern.alerts.tests.conftest import CREDENTIALS, SYSTEM
from zgovern.controls.models import RemediationTask, TaskStatus
from zgovern.integrations import services as integrations
from zgovern.monitoring import runner
from zgovern.monitoring.models import CheckRun, RunStatus, RunTrigger
from zgovern.monitoring.signals import run_recorded
from zgovern.tenancy.scoping import organization_scope


@pytest.fixture
def integration(org_a, fake_provider):
    return integrations.create_integration(
        org_a, SYSTEM, provider="fake", name="Fake prod", config={}, credentials=CREDENTIALS
    )


def _run(integration, capture) -> CheckRun:
    """A run whose commit hooks (the signal, the alert task, delivery) all execute."""
    with capture(execute=True):
        return runner.run_integration(integration.pk, RunTrigger.CLI)


def _check_alerts(org):
    with scopes_disabled():
        return list(Alert.objects.filter(organization=org, kind=Kind.CHECK_FAILED))


def test_a_pass_to_fail_transition_alerts_exactly_once(
    org_a, alice, integration, fake_provider, django_capture_on_commit_callbacks
):
    _run(integration, django_capture_on_commit_callbacks)
    assert _check_alerts(org_a) == []  # the first run reports state, it alerts nothing
    fake_provider.buckets["logs"]["encrypted"] = False
    run = _run(integration, django_capture_on_commit_callbacks)
    alerts = _check_alerts(org_a)
    assert [a.destination for a in alerts] == [alice.email]  # the owner: no control owns it
    assert "fake.buckets.encrypted" in alerts[0].subject
    assert len(mail.outbox) == 1
    _run(integration, django_capture_on_commit_callbacks)  # still failing: no transition
    with organization_scope(org_a):
        assert sources.check_failures(run) == 0  # the same run looked at again
    assert len(_check_alerts(org_a)) == 1 and len(mail.outbox) == 1


def test_a_flapping_check_alerts_once_per_window(
    org_a, alice, integration, fake_provider, django_capture_on_commit_callbacks
):
    _run(integration, django_capture_on_commit_callbacks)
    for encrypted in (False, True, False, True, False):
        fake_provider.buckets["logs"]["encrypted"] = encrypted
        _run(integration, django_capture_on_commit_callbacks)
    assert len(_check_alerts(org_a)) == 1
    assert len(mail.outbox) == 1


def test_a_new_resource_failing_on_a_known_check_alerts(
    org_a, integration, fake_provider, django_capture_on_commit_callbacks
):
    _run(integration, django_capture_on_commit_callbacks)
    fake_provider.buckets["backups"] = {"encrypted": False}
    _run(integration, django_capture_on_commit_callbacks)
    assert ["backups" in a.subject for a in _check_alerts(org_a)] == [True]


def _task(org, owner, days_late: int, status=TaskStatus.OPEN) -> RemediationTask:
    target = timezone.localdate() - timedelta(days=days_late)
    return RemediationTask.objects.create(
        organization=org, title=f"Fix {days_late}", owner=owner, target_date=target, status=status
    )


def test_an_overdue_task_alerts_its_owner_once(in_a, alice, bob):
    late = _task(in_a, bob, 1)
    _task(in_a, bob, 0)  # due today: not overdue yet
    _task(in_a, bob, 3, TaskStatus.DONE)
    assert sources.overdue_tasks(in_a) == 1
    assert sources.overdue_tasks(in_a) == 0
    rows = list(Alert.objects.filter(kind=Kind.TASK_OVERDUE))
    assert [(r.destination, r.key) for r in rows] == [
        (bob.email, f"task:{late.pk}:{late.target_date:%Y-%m-%d}")
    ]


def test_a_task_without_owner_goes_to_the_admins(in_a, alice):
    _task(in_a, None, 2)
    sources.sweep(in_a)
    assert list(Alert.objects.values_list("destination", flat=True)) == [alice.email]


def test_a_failing_receiver_never_fails_the_run(
    org_a, integration, django_capture_on_commit_callbacks
):
    def broken(sender, run, **kwargs):
        raise RuntimeError("receiver down")

    run_recorded.connect(broken, dispatch_uid="tests.broken")
    try:
        run = _run(integration, django_capture_on_commit_callbacks)
    finally:
        run_recorded.disconnect(dispatch_uid="tests.broken")
    assert run.status == RunStatus.SUCCEEDED
