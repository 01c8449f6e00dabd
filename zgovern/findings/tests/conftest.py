"""Builders of the findings tests: people, accounts, resources with check history, and a
fixed period (2026-01-01 to 2026-06-30, already over), all written straight to the
models so each test states exactly the rows it scans."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from zgovern.findings.scan.base import Period, Windows
from zgovern.identity.models import Account
from zgovern.monitoring.models import CheckInterval, Resource
from zgovern.people.models import Person
from zgovern.tenancy.scoping import organization_scope

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30), today=date(2026, 11, 29))
WINDOWS = Windows()


def at(day: str, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day) + timedelta(hours=hour, minutes=minute))


@pytest.fixture
def org(org_a):
    with organization_scope(org_a):
        yield org_a


def person(org, name: str, start: str = "2020-01-01", end: str | None = None, **extra) -> Person:
    local = name.lower().replace(" ", ".")
    return Person.objects.create(
        organization=org,
        full_name=name,
        work_email=f"{local}@a.example",
        employment_type=extra.pop("employment_type", "employee"),
        source="manual",
        start_date=date.fromisoformat(start),
        end_date=date.fromisoformat(end) if end else None,
        **extra,
    )


def account(org, who: Person | None, system: str, username: str, **extra) -> Account:
    return Account.objects.create(
        organization=org,
        person=who,
        system=system,
        external_id=f"{system}-{username}",
        username=username,
        status=extra.pop("status", "active"),
        first_seen_at=extra.pop("first_seen_at", at("2025-01-01")),
        **extra,
    )


def resource(org, name: str, provider: str = "aws", rtype: str = "aws.iam.user") -> Resource:
    return Resource.objects.create(
        organization=org, provider=provider, resource_type=rtype, external_id=name, name=name
    )


def interval(org, res: Resource, check: str, status: str, start, end=None) -> CheckInterval:
    return CheckInterval.objects.create(
        organization=org,
        resource=res,
        check_id=check,
        status=status,
        started_at=start,
        ended_at=end,
        confirmed_at=end or start,
    )


def keys(found) -> set[str]:
    return {item.key for item in found}
