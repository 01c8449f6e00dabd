"""Demo Trust Center: the page on, with a few controls (and their public wording),
policies and the subprocessors shown, a generated sample report, and one prospect's
request waiting for a decision.

Idempotent: the settings are written only when the organisation has none yet, the report
only when none is uploaded, and the request only when there is none.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.frameworks.models import Framework
from zgovern.policies.models import Policy
from zgovern.trust import services
from zgovern.trust.models import ReportRequest, TrustCenter

CONTROLS = {
    "mfa-enforced": "Every sign-in to production and company systems needs a second factor.",
    "access-reviews-quarterly": "Access to production is reviewed every quarter.",
    "incident-response-plan": "A tested plan guides how we handle security incidents.",
    "vendor-assessments": "Vendors that touch customer data are assessed every year.",
    "security-training": "Everyone completes security training when they join and yearly.",
}
POLICIES_SHOWN = 3
PROSPECT = {
    "name": "Priya Prospect",
    "company": "Globex Corporation",
    "email": "priya@globex.example",
    "reason": "Vendor security review before we sign the contract.",
}


def load(context) -> None:
    org, actor = context.organization, context.actor
    if not TrustCenter.objects.filter(organization=org).exists():
        services.update_settings(org, actor, **_settings(org))
    center = TrustCenter.objects.get(organization=org)
    if center.report_id is None:
        upload = SimpleUploadedFile("soc2-type2-report.pdf", sample_report(org.name))
        services.upload_report(org, actor, uploaded_file=upload, title="SOC 2 Type 2 report")
    if not ReportRequest.objects.filter(organization=org).exists():
        prospect = Actor(kind="anonymous", label=f"prospect {PROSPECT['email']}", ip="192.0.2.10")
        services.create_request(org, prospect, **PROSPECT)


def _settings(org) -> dict:
    controls = Control.objects.filter(organization=org, key__in=list(CONTROLS))
    policies = Policy.objects.filter(organization=org).order_by("title", "id")[:POLICIES_SHOWN]
    return {
        "enabled": True,
        "headline": f"{org.name} Trust Center",
        "description": (
            f"How {org.name} protects customer data: our compliance status, the controls "
            "we operate, our policies and the companies that process data for us."
        ),
        "contact_email": "security@acme.example",
        "framework_ids": list(
            Framework.objects.filter(organization=org).values_list("pk", flat=True)
        ),
        "controls": [{"id": c.pk, "description": CONTROLS[c.key]} for c in controls],
        "policies": [{"id": p.pk, "show_body": False} for p in policies],
        "show_subprocessors": True,
    }


def sample_report(org_name: str) -> bytes:
    """A three-page stand-in for an auditor's report."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pages = ("Independent service auditor's report", "Management's assertion",
             "Description of the system and controls")  # fmt: skip
    for number, title in enumerate(pages, start=1):
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, 760, f"{org_name}: SOC 2 Type 2 report")
        pdf.setFont("Helvetica", 12)
        pdf.drawString(72, 730, f"Section {number}: {title}")
        pdf.drawString(72, 700, "Sample content generated for the demo.")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
