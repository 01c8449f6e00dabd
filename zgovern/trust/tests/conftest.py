"""Helpers of the Trust Center tests: a small PDF, controls, policies and vendors made as
the system, an organisation whose page is on with a report, and API clients."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from zgovern.controls import services as controls
from zgovern.core.actor import Actor
from zgovern.policies import services as policies
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import alice_api, api_client, bob_api, issue_token  # noqa: F401
from zgovern.trust import services
from zgovern.vendors import services as vendors

SYSTEM = Actor.system("tests")


def make_pdf(pages: int = 2, text: str = "Independent auditor's report") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"{text}, page {number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_upload(name: str = "report.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf() if data is None else data, "application/pdf")


def add_control(org, key: str, name: str, description: str = "internal notes"):
    with organization_scope(org):
        return controls.create_control(org, SYSTEM, key=key, name=name, description=description)


def add_policy(org, key: str, title: str, body: str = "Secret internal body", publish=False):
    with organization_scope(org):
        policy = policies.create_policy(org, SYSTEM, key=key, title=title, body=body)
        if publish:
            version = policy.versions.get()
            policies.submit_for_review(org, SYSTEM, version.pk)
            policies.approve(org, SYSTEM, version.pk)
            policies.publish(org, SYSTEM, version.pk)
    return policy


def add_vendor(org, name: str, *, subprocessor: bool, public: str = "", service: str = ""):
    with organization_scope(org):
        return vendors.create_vendor(
            org, SYSTEM, name=name, criticality="high", is_subprocessor=subprocessor,
            public_description=public, service=service,
        )  # fmt: skip


def enable(org, **settings):
    with organization_scope(org):
        return services.update_settings(org, SYSTEM, enabled=True, **settings)


def with_report(org, **settings):
    enable(org, **settings)
    with organization_scope(org):
        return services.upload_report(org, SYSTEM, uploaded_file=pdf_upload())


@pytest.fixture
def charlie_api(org_b, charlie):
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
