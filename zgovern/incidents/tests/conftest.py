"""Helpers of the incident tests: incidents logged as the system, counts, activity rows,
and API clients for alice (read-write), bob (read-only) and charlie (another
organisation)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.incidents import services
from zgovern.incidents.models import Incident, TimelineEntry
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def add_incident(org, title: str = "Leaked key", **overrides) -> Incident:
    fields = {"title": title, "severity": "SEV2", "detected_at": ago(hours=2)}
    fields.update(overrides)
    with organization_scope(org):
        return services.create_incident(org, SYSTEM, **fields)


def counts(org) -> tuple[int, int]:
    with scopes_disabled():
        return (
            Incident.objects.filter(organization=org).count(),
            TimelineEntry.objects.filter(organization=org).count(),
        )


def reload(incident: Incident) -> Incident:
    with scopes_disabled():
        return Incident.objects.select_related("severity", "evidence").get(pk=incident.pk)


def actions(org, prefix: str = "incident.") -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action__startswith=prefix)
        return list(rows.order_by("seq").values_list("action", flat=True))


def send(client, method: str, path: str, body=None):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)("/api/v1" + path, data=data, content_type="application/json")


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
