"""An organisation with SOC 2 and its default controls adopted, an audit over the last six
months, and two evidence items: an access review linked to its control, and an
unlinked incident log. alice owns org A, bob is its auditor, charlie an outsider."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from zgovern.audits import services as audits
from zgovern.controls import services as controls
from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.evidence import services as evidence
from zgovern.frameworks import services as frameworks
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

SYSTEM = Actor.system("tests")
HEADER = "reference,title,description,criteria,due_date,assignee_email"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def world(org_a, alice):
    with organization_scope(org_a):
        frameworks.adopt_framework(org_a, SYSTEM, frameworks.builtin("soc2"))
        frameworks.adopt_default_controls(org_a, SYSTEM)
        today = timezone.localdate()
        audit = audits.create_audit(
            org_a,
            SYSTEM,
            {
                "name": "SOC 2 Type 2",
                "framework": "soc2",
                "audit_type": "type2",
                "period_start": today - timedelta(days=200),
                "period_end": today,
            },
        )
        review = evidence.add_file(
            org_a,
            SYSTEM,
            kind="access_review",
            title="Q3 access review",
            uploaded_file=ContentFile(b"reviewed", name="q3.csv"),
        )
        control = Control.objects.get(organization=org_a, key="access-reviews-quarterly")
        controls.link_evidence(org_a, SYSTEM, control.pk, review.pk)
        log = evidence.add_record(
            org_a,
            SYSTEM,
            kind="incident_log",
            title="Security incident log",
            record={"incidents": 2},
            description="Every security incident of the year",
        )
    return {"org": org_a, "audit": audit, "review": review, "log": log, "control": control}


@pytest.fixture
def alice_api(org_a, alice):
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob):
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie):
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
