"""Person services: status rules, managers, and that a no-op change logs nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zgovern.core.errors import DomainError
from zgovern.people import services
from zgovern.people.models import PersonStatus
from zgovern.people.tests.conftest import SYSTEM, actions, add_person
from zgovern.tenancy.scoping import organization_scope


def update(org, person, **fields):
    with organization_scope(org):
        return services.update_person(org, SYSTEM, person.pk, **fields)


def test_status_follows_the_dates():
    today = date(2025, 6, 1)
    assert services.derive_status(None, None, today) == PersonStatus.ACTIVE
    assert services.derive_status(None, date(2025, 5, 31), today) == PersonStatus.TERMINATED
    assert services.derive_status("on_leave", date(2025, 6, 1), today) == PersonStatus.ON_LEAVE
    with pytest.raises(DomainError) as caught:
        services.derive_status("active", date(2025, 5, 31), today)
    assert caught.value.field == "status"
    with pytest.raises(DomainError) as caught:
        services.derive_status("terminated", None, today)
    assert caught.value.field == "end_date"


def test_future_end_date_stays_active_until_it_passes(org_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    person = add_person(org_a, end_date=tomorrow)
    assert person.status == PersonStatus.ACTIVE
    assert person.current_status(tomorrow + timedelta(days=1)) == PersonStatus.TERMINATED


def test_manager_loops_and_unknown_managers_are_refused(org_a):
    boss = add_person(org_a, "boss@a.example")
    worker = add_person(org_a, "w@a.example", manager_email="boss@a.example")
    with pytest.raises(DomainError) as caught:
        update(org_a, boss, manager_email="w@a.example")
    assert caught.value.field == "manager_email"
    with pytest.raises(DomainError, match="not on the roster"):
        update(org_a, worker, manager_email="ghost@a.example")
    update(org_a, worker, manager_email="")
    worker.refresh_from_db()
    assert worker.manager_id is None


def test_unchanged_update_logs_nothing(org_a):
    person = add_person(org_a)
    update(org_a, person, full_name="Pat Person", department="")
    assert actions(org_a) == ["person.created"]
    update(org_a, person, department="Ops")
    assert actions(org_a) == ["person.created", "person.updated"]


def test_on_leave_survives_an_edit_of_other_fields(org_a):
    person = add_person(org_a, status="on_leave")
    update(org_a, person, department="Ops")
    person.refresh_from_db()
    assert person.status == PersonStatus.ON_LEAVE
