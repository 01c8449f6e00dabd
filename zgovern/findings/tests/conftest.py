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


@pytest.fixture
def alice_api(org_a, alice):
    from zgovern.tenancy.tests.conftest import api_client, issue_token

    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob):
    from zgovern.tenancy.tests.conftest import api_client, issue_token

    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie):
    from zgovern.tenancy.tests.conftest import api_client, issue_token

    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))


@pytest.fixture
def scanned(org_a):
    """org_a with a leaver kept on GitHub 6 days, scanned for the first half of 2026."""
    from zgovern.core.actor import Actor
    from zgovern.findings import services

    with organization_scope(org_a):
        ann = person(org_a, "Ann Leaver", end="2026-03-05")
        account(org_a, ann, "github", "ann", status="removed", deactivated_at=at("2026-03-12"))
        scan = services.request_scan(
            org_a,
            Actor.system("tests"),
            period_start="2026-01-01",
            period_end="2026-06-30",
            enqueue=False,
        )
        services.run_scan(scan.pk, "test")
    return scan
