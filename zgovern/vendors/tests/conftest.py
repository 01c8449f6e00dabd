"""Helpers of the vendor tests: vendors and assessments made through the services, counts
and activity rows, files, and API clients for alice, bob and charlie."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.evidence.models import EvidenceItem
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token
from zgovern.vendors import services
from zgovern.vendors.models import Assessment, AssessmentAttachment, Vendor, VendorDocument

SYSTEM = Actor.system("tests")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "report.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def add_vendor(org, name: str = "Acme Hosting", **fields) -> Vendor:
    values = {"criticality": "critical", "contact_email": "sec@vendor.example"} | fields
    with organization_scope(org):
        return services.create_vendor(org, SYSTEM, name=name, **values)


def start(org, vendor: Vendor) -> Assessment:
    with organization_scope(org):
        return services.start_assessment(org, SYSTEM, vendor.pk)


def send(org, assessment: Assessment, days: int = 14) -> str:
    with organization_scope(org):
        _, raw = services.send_link(org, SYSTEM, assessment.pk, days=days)
    return raw


def full_answers(assessment: Assessment) -> dict[str, dict]:
    answers = {}
    for q in assessment.questions:
        value = {"yes_no": "yes", "choice": (q["options"] or [""])[0]}.get(q["type"], "Fine.")
        answers[q["id"]] = {"answer": value, "comment": ""}
    return answers


def form_data(assessment: Assessment) -> dict[str, str]:
    return {f"q_{qid}": a["answer"] for qid, a in full_answers(assessment).items()}


def submitted(org, vendor: Vendor) -> Assessment:
    assessment = start(org, vendor)
    with organization_scope(org):
        return services.submit_answers(org, SYSTEM, assessment.pk, answers=full_answers(assessment))


def counts(org) -> dict[str, int]:
    with scopes_disabled():
        return {
            "vendors": Vendor.objects.filter(organization=org).count(),
            "documents": VendorDocument.objects.filter(organization=org).count(),
            "assessments": Assessment.objects.filter(organization=org).count(),
            "attachments": AssessmentAttachment.objects.filter(organization=org).count(),
            "evidence": EvidenceItem.objects.filter(organization=org).count(),
            "log": ActivityLog.objects.filter(organization=org).count(),
        }


def refreshed(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def actions(org) -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action__startswith="vendor.")
        return list(rows.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
