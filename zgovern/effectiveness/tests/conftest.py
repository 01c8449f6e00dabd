"""Seed helpers of the effectiveness tests: a control with a check, an integration of the
check's provider, 6-hourly successful runs, and status intervals of one resource."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from zgovern.controls.models import Control, ControlCheck
from zgovern.integrations.models import Integration
from zgovern.monitoring.models import CheckInterval, CheckRun, Resource
from zgovern.tenancy.tests.conftest import api_client, issue_token

CHECK = "aws.iam.console_mfa"
START, END = date(2026, 3, 1), date(2026, 3, 31)
NOW = datetime(2026, 4, 5, 12, tzinfo=UTC)


def at(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def control(org, key: str = "mfa-enforced", checks: tuple[str, ...] = (CHECK,)) -> Control:
    made = Control.objects.create(organization=org, key=key, name=key.replace("-", " ").title())
    for check_id in checks:
        ControlCheck.objects.create(organization=org, control=made, check_id=check_id)
    return made


def runs(org, first: datetime, last: datetime, skip=lambda moment: False) -> None:
    """A successful aws run every 6 hours from ``first`` to ``last`` (both included)."""
    integration, _ = Integration.objects.get_or_create(
        organization=org, name="AWS prod", defaults={"provider": "aws"}
    )
    rows, moment = [], first
    while moment <= last:
        if not skip(moment):
            rows.append(
                CheckRun(
                    organization=org,
                    integration=integration,
                    provider="aws",
                    trigger="schedule",
                    started_by="schedule",
                    started_at=moment,
                    finished_at=moment,
                    status="succeeded",
                    checks=[CHECK],
                )
            )
        moment += timedelta(hours=6)
    CheckRun.objects.bulk_create(rows)


def history(org, spans: list[tuple[str, datetime, datetime | None]], name: str = "root") -> None:
    """One resource's consecutive status intervals of CHECK."""
    resource = Resource.objects.create(
        organization=org, provider="aws", resource_type="aws.iam.user", external_id=name, name=name
    )
    for status, begin, end in spans:
        CheckInterval.objects.create(
            organization=org, check_id=CHECK, resource=resource, status=status,
            started_at=begin, ended_at=end, confirmed_at=end or begin,
        )  # fmt: skip


def monitored(org, spans) -> Control:
    """A control over CHECK with the given history and runs every 6 hours through NOW."""
    made = control(org)
    runs(org, at(date(2026, 2, 27)), NOW)
    history(org, spans)
    return made


@pytest.fixture
def alice_api(org_a, alice):
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob):
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie):
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
