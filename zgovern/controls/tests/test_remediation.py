"""The remediation plan's services: target dates, owners, status changes, and the tasks
generated for the gaps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls import services
from zgovern.controls.models import Control, Priority, RemediationTask, TaskStatus
from zgovern.controls.remediation import gap_title
from zgovern.controls.tests.conftest import SYSTEM, adopt_soc2, in_days, last_action, make_task
from zgovern.core.errors import DomainError, NotFound
from zgovern.frameworks.models import Framework
from zgovern.readiness.engine import assess_organization
from zgovern.readiness.status import ControlVerdict
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import logs


@pytest.fixture
def scope_a(org_a):
    with organization_scope(org_a):
        yield org_a


def test_create_task_is_logged(scope_a, control, alice):
    with logs(scope_a, "remediation_task.created"):
        task = services.create_task(
            scope_a,
            SYSTEM,
            title="Turn on MFA",
            control=control.pk,
            owner=alice.pk,
            priority=Priority.URGENT,
            target_date=in_days(0),
        )
    assert (task.status, task.owner, task.control) == (TaskStatus.OPEN, alice, control)
    assert last_action(scope_a).changes["owner"] == alice.email


def test_target_date_in_the_past_is_refused_on_create(scope_a):
    with logs(scope_a), pytest.raises(DomainError) as info:
        services.create_task(scope_a, SYSTEM, title="Late", target_date=in_days(-1))
    assert (info.value.status, info.value.field) == (400, "target_date")
    assert "past" in info.value.message
    assert not RemediationTask.objects.exists()


def test_target_date_in_the_past_is_refused_when_changed(scope_a, task):
    with pytest.raises(DomainError) as info:
        services.update_task(scope_a, SYSTEM, task.pk, target_date=in_days(-3))
    assert (info.value.status, info.value.field) == (400, "target_date")


def test_an_overdue_task_stays_editable_while_its_date_is_unchanged(scope_a, task):
    past = in_days(-5)
    RemediationTask.objects.filter(pk=task.pk).update(target_date=past)
    services.update_task(scope_a, SYSTEM, task.pk, title="Still late", target_date=past)
    task.refresh_from_db()
    assert (task.title, task.target_date) == ("Still late", past)


def test_target_date_more_than_ten_years_out_is_refused(scope_a):
    with pytest.raises(DomainError) as info:
        services.create_task(scope_a, SYSTEM, title="Far", target_date=in_days(4000))
    assert info.value.field == "target_date"


def test_task_owner_from_another_organisation_is_refused(scope_a, task, charlie, bob):
    for user in (charlie, bob):
        with logs(scope_a), pytest.raises(DomainError) as info:
            services.update_task(scope_a, SYSTEM, task.pk, owner=user.pk)
        assert (info.value.status, info.value.field) == (400, "owner")
    with pytest.raises(DomainError) as info:
        services.create_task(scope_a, SYSTEM, title="x", owner=charlie.pk)
    assert info.value.field == "owner"


def test_task_control_from_another_organisation_is_not_found(scope_a, control_b):
    with pytest.raises(NotFound) as info:
        services.create_task(scope_a, SYSTEM, title="x", control=control_b.pk)
    assert (info.value.status, info.value.field) == (404, "control")


def test_bad_priority_and_status_are_refused(scope_a, task):
    for fields, field in (({"priority": 9}, "priority"), ({"status": "deleted"}, "status")):
        with pytest.raises(DomainError) as info:
            services.update_task(scope_a, SYSTEM, task.pk, **fields)
        assert (info.value.status, info.value.field) == (400, field)


def test_done_sets_completed_at_and_reopening_clears_it(scope_a, task):
    with logs(scope_a, "remediation_task.updated"):
        services.set_task_status(scope_a, SYSTEM, task.pk, TaskStatus.DONE)
    task.refresh_from_db()
    assert task.completed_at is not None
    assert last_action(scope_a).changes == {"status": ["open", "done"]}
    services.set_task_status(scope_a, SYSTEM, task.pk, TaskStatus.OPEN)
    task.refresh_from_db()
    assert (task.status, task.completed_at) == (TaskStatus.OPEN, None)
    services.set_task_status(scope_a, SYSTEM, task.pk, TaskStatus.WONT_DO)
    task.refresh_from_db()
    assert (task.status, task.completed_at) == (TaskStatus.WONT_DO, None)


def test_unchanged_update_writes_nothing(scope_a, task):
    with logs(scope_a):
        services.update_task(scope_a, SYSTEM, task.pk, title=task.title, status="open")


def test_another_organisations_task_is_not_found(scope_a, org_b):
    theirs = make_task(org_b, title="Theirs")
    with pytest.raises(NotFound):
        services.update_task(scope_a, SYSTEM, theirs.pk, title="Mine")
    with scopes_disabled():
        assert RemediationTask.objects.get(pk=theirs.pk).title == "Theirs"


# -- generated tasks ------------------------------------------------------------------


@pytest.fixture
def soc2(scope_a):
    adopt_soc2(scope_a)
    return scope_a


def test_generate_creates_one_task_per_gap_and_is_idempotent(soc2, alice):
    mfa = Control.objects.get(organization=soc2, key="mfa-enforced")
    services.set_owner(soc2, SYSTEM, mfa.pk, alice.pk)
    (readiness,) = assess_organization(soc2).frameworks
    gap_ids = {s.control.pk for s in readiness.gaps}
    created = services.generate_tasks_for_gaps(soc2, SYSTEM)
    assert {t.control_id for t in created} == gap_ids and len(created) == len(gap_ids)
    assert services.generate_tasks_for_gaps(soc2, SYSTEM) == []
    assert RemediationTask.objects.filter(organization=soc2).count() == len(gap_ids)
    task = RemediationTask.objects.get(control=mfa)
    assert task.owner == alice
    assert task.priority == Priority.URGENT  # mfa-enforced is critical
    assert task.target_date == timezone.localdate() + timedelta(days=14)
    assert task.title.startswith(mfa.name + ": ")
    assert "Status: " in task.description


def test_generate_maps_severity_to_priority_and_dates(soc2):
    services.generate_tasks_for_gaps(soc2, SYSTEM)
    days = {Priority.URGENT: 14, Priority.HIGH: 30, Priority.MEDIUM: 60, Priority.LOW: 90}
    expected = {"critical": 1, "high": 2, "medium": 3, "low": 4}
    tasks = RemediationTask.objects.filter(organization=soc2).select_related("control")
    assert {t.control.severity for t in tasks} >= {"critical", "high", "medium"}
    for task in tasks:
        assert task.priority == expected[task.control.severity]
        assert task.target_date == timezone.localdate() + timedelta(days=days[task.priority])


def test_a_closed_task_does_not_count_as_open(soc2):
    first = services.generate_tasks_for_gaps(soc2, SYSTEM)
    services.set_task_status(soc2, SYSTEM, first[0].pk, TaskStatus.WONT_DO)
    again = services.generate_tasks_for_gaps(soc2, SYSTEM)
    assert [t.control_id for t in again] == [first[0].control_id]


def test_a_hand_made_open_task_covers_its_control(soc2):
    mfa = Control.objects.get(organization=soc2, key="mfa-enforced")
    services.create_task(soc2, SYSTEM, title="Already on it", control=mfa.pk)
    created = services.generate_tasks_for_gaps(soc2, SYSTEM)
    assert mfa.pk not in {t.control_id for t in created}


def test_generate_for_one_framework_and_unknown_framework(soc2, org_b):
    framework = Framework.objects.get(organization=soc2)
    assert services.generate_tasks_for_gaps(soc2, SYSTEM, framework.pk)
    adopt_soc2(org_b)
    with scopes_disabled():
        theirs = Framework.objects.get(organization=org_b)
    with pytest.raises(NotFound) as info:
        services.generate_tasks_for_gaps(soc2, SYSTEM, theirs.pk)
    assert info.value.field == "framework_id"


def test_evidenced_and_not_applicable_controls_get_no_task(soc2):
    mfa = Control.objects.get(organization=soc2, key="mfa-enforced")
    services.set_override(soc2, SYSTEM, mfa.pk, status="evidenced", justification="Audited")
    other = Control.objects.get(organization=soc2, key="security-program-owner")
    services.set_override(soc2, SYSTEM, other.pk, status="not_applicable", justification="n/a")
    created = {t.control_id for t in services.generate_tasks_for_gaps(soc2, SYSTEM)}
    assert created and mfa.pk not in created and other.pk not in created


def test_gap_title_names_the_first_unmet_reason():
    verdict = ControlVerdict(
        "partial",
        (
            "Check aws.iam.console_mfa: all 3 resources pass.",
            "Evidence 'MFA report': collected 2026-01-01.",
            "Policies (access-control) are not tracked yet and do not count.",
            "Check okta.users.mfa: 2 of 5 resources fail.",
        ),
    )
    assert gap_title("MFA", verdict) == "MFA: Check okta.users.mfa: 2 of 5 resources fail."
    assert gap_title("MFA", ControlVerdict("missing", ())) == "MFA: Missing."
    long = gap_title("x" * 300, verdict)
    assert len(long) == 200 and long.endswith("…")
