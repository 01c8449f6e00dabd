"""Demo vendors of Acme Cloud: six, from the cloud host to the payroll provider, with
what an auditor would ask about:

- AWS (critical): current SOC 2 Type 2 report, assessed two months ago;
- Okta (critical): assessed 400 days ago, so flagged as stale;
- GitHub (high): its SOC 2 report expired last month;
- Gusto (payroll, high): questionnaire sent, awaiting the vendor;
- Slack and Figma: lower criticality, not assessed yet.

Each vendor is added once (found by name); documents and assessments only when the vendor
has none yet, so loading twice changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zgovern.tenancy.roles import Role
from zgovern.vendors import services
from zgovern.vendors.models import Vendor

# name, service, criticality, data, subprocessor, contact
VENDORS = (
    ("Amazon Web Services", "Cloud hosting of the production platform", "critical",
     ["customer_data", "personal_data", "production_access"], True, "aws-security@aws.example"),
    ("Okta", "Single sign-on and MFA for staff", "critical",
     ["credentials", "employee_data"], False, "trust@okta.example"),
    ("GitHub", "Source code hosting and CI", "high",
     ["source_code", "credentials"], False, "security@github.example"),
    ("Gusto", "Payroll and benefits", "high",
     ["employee_data", "financial_data", "personal_data"], False, "vendor-risk@gusto.example"),
    ("Slack", "Team chat", "medium", ["employee_data"], False, "security@slack.example"),
    ("Figma", "Design tool", "low", [], False, ""),
)  # fmt: skip
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def load(context) -> None:
    org, actor = context.organization, context.actor
    owner = context.users.get(Role.OWNER)
    today = timezone.localdate()
    by_name = {}
    for name, service, criticality, data, subprocessor, contact in VENDORS:
        vendor = Vendor.objects.filter(organization=org, name=name).first()
        if vendor is None:
            vendor = services.create_vendor(
                org, actor, name=name, service=service, criticality=criticality,
                data_categories=data, is_subprocessor=subprocessor, contact_email=contact,
                contact_name="Security team" if contact else "",
                owner_email=owner.email if owner is not None else "",
                contract_start=today - timedelta(days=800),
                contract_end=today + timedelta(days=300),
                public_description=f"{service}." if subprocessor else "",
            )  # fmt: skip
        by_name[name] = vendor
    _document(org, actor, by_name["Amazon Web Services"], today - timedelta(days=60))
    _document(org, actor, by_name["GitHub"], today - timedelta(days=400))
    _assessed(org, actor, by_name["Amazon Web Services"], days_ago=60)
    _assessed(org, actor, by_name["Okta"], days_ago=400)
    _sent(org, actor, by_name["Gusto"])


def _document(org, actor, vendor: Vendor, period_end) -> None:
    if vendor.documents.exists():
        return
    services.add_document(
        org, actor, vendor.pk, kind="soc2_type2",
        uploaded_file=SimpleUploadedFile(f"{vendor.name.lower().replace(' ', '-')}-soc2.pdf", PDF),
        period_start=period_end - timedelta(days=365), period_end=period_end,
    )  # fmt: skip


def _assessed(org, actor, vendor: Vendor, days_ago: int) -> None:
    if vendor.assessments.exists():
        return
    assessment = services.start_assessment(org, actor, vendor.pk)
    answers = {q["id"]: {"answer": _answer(q), "comment": ""} for q in assessment.questions}
    services.submit_answers(org, actor, assessment.pk, answers=answers, submitted_by="demo")
    services.conclude(
        org, actor, assessment.pk, conclusion="acceptable",
        assessed_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip


def _answer(question: dict) -> str:
    if question["type"] == "yes_no":
        return "yes"
    if question["type"] == "choice":
        return question["options"][0]
    return "Described in the vendor's SOC 2 report."


def _sent(org, actor, vendor: Vendor) -> None:
    if vendor.assessments.exists():
        return
    assessment = services.start_assessment(org, actor, vendor.pk, questionnaire="security")
    services.send_link(org, actor, assessment.pk, days=14)
