"""Point-in-time status and failing time over the interval record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zgovern.monitoring import queries
from zgovern.monitoring.models import CheckInterval, Resource
from zgovern.tenancy.scoping import organization_scope

CHECK = "aws.iam.console_mfa"
DAY = timedelta(days=1)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def history(org_a):
    """ann: pass from 1 March, fail from 3 March, pass again from 6 March (still open).
    ben: fail from 2 March, gone on 4 March."""
    with organization_scope(org_a):
        ann = Resource.objects.create(
            organization=org_a,
            provider="aws",
            resource_type="aws.iam.user",
            external_id="u/ann",
            name="ann",
        )
        ben = Resource.objects.create(
            organization=org_a,
            provider="aws",
            resource_type="aws.iam.user",
            external_id="u/ben",
            name="ben",
        )
        rows = [
            (ann, "pass", T0, T0 + 2 * DAY),
            (ann, "fail", T0 + 2 * DAY, T0 + 5 * DAY),
            (ann, "pass", T0 + 5 * DAY, None),
            (ben, "fail", T0 + DAY, T0 + 3 * DAY),
        ]
        for resource, status, start, end in rows:
            CheckInterval.objects.create(
                organization=org_a, resource=resource, check_id=CHECK, status=status,
                started_at=start, ended_at=end, confirmed_at=(end or start),
            )  # fmt: skip
    return {"ann": ann, "ben": ben}


def test_status_at_a_moment_is_one_query(org_a, history):
    ann = history["ann"]
    with organization_scope(org_a), CaptureQueriesContext(connection) as captured:
        row = queries.status_at(org_a, ann.pk, CHECK, T0 + 3 * DAY + timedelta(hours=14))
    assert len(captured) == 1
    assert row.status == "fail"
    with organization_scope(org_a):
        assert queries.status_at(org_a, ann.pk, CHECK, T0 + 2 * DAY).status == "fail"  # boundary
        assert (
            queries.status_at(org_a, ann.pk, CHECK, T0 + 2 * DAY - timedelta(seconds=1)).status
            == "pass"
        )
        assert queries.status_at(org_a, ann.pk, CHECK, T0 + 400 * DAY).status == "pass"
        assert queries.status_at(org_a, ann.pk, CHECK, T0 - DAY) is None
        assert queries.status_at(org_a, history["ben"].pk, CHECK, T0 + 10 * DAY) is None
        assert queries.status_at(org_a, ann.pk, "other.check", T0 + DAY) is None


def test_failing_duration_sums_the_overlaps_within_the_window(org_a, history):
    with organization_scope(org_a), CaptureQueriesContext(connection) as captured:
        total = queries.failing_duration(org_a, CHECK, T0 + DAY + timedelta(hours=12), T0 + 4 * DAY)
    assert len(captured) == 1
    # ann fails 3 Mar 00:00 -> 5 Mar 00:00 (2 days); ben 2 Mar 12:00 -> 4 Mar 00:00 (1.5 days).
    assert total == timedelta(days=3, hours=12)
    with organization_scope(org_a):
        assert queries.failing_duration(org_a, CHECK, T0, T0 + 30 * DAY) == timedelta(days=5)
        assert queries.failing_duration(
            org_a, CHECK, T0, T0 + 30 * DAY, resource_id=history["ben"].pk
        ) == timedelta(days=2)
        assert queries.failing_duration(org_a, CHECK, T0 + 6 * DAY, T0 + 9 * DAY) == timedelta()


def test_failing_span_counts_overlapping_failures_once(org_a, history):
    with organization_scope(org_a):
        # ben fails 2-4 March, ann 3-6 March: failing from 2 to 6 March, 4 days.
        assert queries.failing_span(org_a, CHECK, T0, T0 + 30 * DAY) == timedelta(days=4)


def test_an_open_failure_counts_until_now(org_a, history):
    ann = history["ann"]
    with organization_scope(org_a):
        CheckInterval.objects.filter(resource=ann, ended_at__isnull=True).update(
            status="fail", started_at=datetime.now(UTC) - timedelta(hours=2)
        )
        total = queries.failing_duration(
            org_a, CHECK, datetime.now(UTC) - DAY, datetime.now(UTC) + DAY, resource_id=ann.pk
        )
    assert timedelta(hours=1, minutes=59) < total < timedelta(hours=2, minutes=1)


def test_daily_fail_counts(org_a, history):
    with organization_scope(org_a):
        days = queries.daily_fail_counts(org_a, CHECK, 7, today=(T0 + 6 * DAY).date())
    # ben fails on 2 and 3 March, ann on 3, 4 and 5 March.
    assert [n for _, n in days] == [0, 1, 2, 1, 1, 0, 0]
    assert days[0][0] == T0.date()
