"""The per-group rate limit of notify: its window, and its claim under racing workers."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zgovern.alerts import services
from zgovern.alerts.models import Alert, AlertGroup, Kind
from zgovern.tenancy.scoping import organization_scope

GROUP = "check:c1:7"
WINDOW = 60  # minutes: the default of AlertSettings.rate_limit_minutes


def _notify(org, users, key, now, group=GROUP, kind=Kind.CHECK_FAILED):
    return services.notify(org, kind, key, f"Subject {key}", "Body", users, group=group, now=now)


def _last_sent(org, group=GROUP):
    return AlertGroup.objects.get(organization=org, group=group).last_sent_at


def test_a_second_notify_in_the_window_is_refused(in_a, alice):
    now = timezone.now()
    assert _notify(in_a, [alice], "t1", now)
    almost = now + timedelta(minutes=WINDOW) - timedelta(microseconds=1)
    assert _notify(in_a, [alice], "t2", almost) == []
    assert list(Alert.objects.values_list("key", flat=True)) == ["t1"]
    assert _last_sent(in_a) == now


def test_after_the_window_notify_is_allowed_again(in_a, alice):
    now = timezone.now()
    assert _notify(in_a, [alice], "t1", now)
    later = now + timedelta(minutes=WINDOW)  # exactly the window: the first alert is out of it
    assert _notify(in_a, [alice], "t2", later)
    assert Alert.objects.count() == 2
    assert _last_sent(in_a) == later


def test_the_claim_of_one_group_and_instant_is_won_once(in_a):
    now = timezone.now()
    assert services.claim_group(in_a, GROUP, WINDOW, now) is True  # creates the row
    assert services.claim_group(in_a, GROUP, WINDOW, now) is False
    assert services.claim_group(in_a, "check:c1:8", WINDOW, now) is True  # another group
    later = now + timedelta(minutes=WINDOW)
    assert [services.claim_group(in_a, GROUP, WINDOW, later) for _ in range(2)] == [True, False]


def test_the_claim_of_an_existing_group_is_one_conditional_update(in_a):
    """One statement decides the winner, so PostgreSQL's row lock serialises racers on it:
    the second re-checks the condition against the first's committed row."""
    now = timezone.now()
    services.claim_group(in_a, GROUP, WINDOW, now)
    with CaptureQueriesContext(connection) as queries:
        assert services.claim_group(in_a, GROUP, WINDOW, now + timedelta(minutes=WINDOW))
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert sql.startswith("UPDATE") and "last_sent_at" in sql.split("WHERE", 1)[1]


@pytest.mark.django_db(transaction=True)
def test_racing_workers_alert_once(org_a, alice):
    """Eight threads, each on its own connection, notify about one group at one instant."""
    now, barrier, results = timezone.now(), threading.Barrier(8), []

    def worker(n: int) -> None:
        try:
            with organization_scope(org_a):
                barrier.wait()
                results.append(_notify_retrying(org_a, [alice], f"t{n}", now))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(len, results)) == [0] * 7 + [1]
    with organization_scope(org_a):
        assert Alert.objects.count() == 1
        assert _last_sent(org_a) == now


def _notify_retrying(org, users, key, now) -> list[int]:
    """notify, tried again (as a task would be) while SQLite's in-memory test database,
    whose shared cache refuses a second writer at once instead of queueing it as a file
    database does, says "table is locked". PostgreSQL never needs it. Digest mode, so no
    delivery runs after the commit."""
    for _ in range(500):
        try:
            return _notify(org, users, key, now, kind=Kind.FINDING)
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.01)
    raise AssertionError("the database stayed locked")


def test_alerts_from_before_the_group_row_hold_the_window(in_a, alice):
    now = timezone.now()
    assert _notify(in_a, [alice], "t1", now)
    AlertGroup.objects.all().delete()  # as on an upgrade: alerts, but no row yet
    assert _notify(in_a, [alice], "t2", now + timedelta(minutes=20)) == []
    assert _notify(in_a, [alice], "t3", now + timedelta(minutes=WINDOW))


def test_a_repeated_key_does_not_restart_the_window(in_a, alice):
    now = timezone.now()
    assert _notify(in_a, [alice], "t1", now)
    assert _notify(in_a, [alice], "t1", now + timedelta(minutes=WINDOW)) == []  # same event
    assert _last_sent(in_a) == now  # nothing was written, so the window did not move
    assert _notify(in_a, [alice], "t2", now + timedelta(minutes=WINDOW + 1))


def test_a_rolled_back_notify_gives_the_window_back(in_a, alice):
    now = timezone.now()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _notify(in_a, [alice], "t1", now)
        raise RuntimeError("the caller's transaction fails after notify")
    assert Alert.objects.count() == 0
    assert _notify(in_a, [alice], "t1", now)


def test_nobody_to_tell_takes_no_window(in_a, alice):
    now = timezone.now()
    assert _notify(in_a, [], "t1", now) == []
    assert not AlertGroup.objects.exists()
    assert _notify(in_a, [alice], "t2", now)


def test_groups_are_per_organisation(in_a, alice, org_b, charlie):
    now = timezone.now()
    assert _notify(in_a, [alice], "t1", now)
    with organization_scope(org_b):
        assert _notify(org_b, [charlie], "t1", now)
