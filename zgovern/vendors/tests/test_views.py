"""The vendor pages with alice (owner), bob (read-only auditor) and charlie (outsider)."""

from __future__ import annotations

import io
from datetime import date

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from zgovern.vendors.models import Assessment, Vendor, VendorAssessmentStatus
from zgovern.vendors.tests.conftest import (
    PDF,
    add_vendor,
    counts,
    form_data,
    refreshed,
    start,
    submitted,
)


def url(org, path: str = "") -> str:
    return f"/o/{org.slug}/vendors/{path}"


def test_inventory_filters_sorts_and_pages(org_a, alice_client, bob_client):
    add_vendor(org_a, "Alpha Cloud", criticality="low", data_categories=["source_code"])
    add_vendor(org_a, "Beta Pay", criticality="critical", is_subprocessor=True)
    add_vendor(org_a, "Gamma Mail", criticality="medium", service="Email delivery")
    for client in (alice_client, bob_client):
        page = client.get(url(org_a)).content.decode()
        assert "Alpha Cloud" in page and "Beta Pay" in page and "Gamma Mail" in page
    cases = {
        "?criticality=critical": ["Beta Pay"],
        "?data_category=source_code": ["Alpha Cloud"],
        "?subprocessor=yes": ["Beta Pay"],
        "?q=email": ["Gamma Mail"],
        "?flag=no_assessment": ["Beta Pay"],
    }
    for query, names in cases.items():
        page = alice_client.get(url(org_a) + query).content.decode()
        shown = [n for n in ("Alpha Cloud", "Beta Pay", "Gamma Mail") if n in page]
        assert shown == names, query
    page = alice_client.get(url(org_a) + "?sort=criticality").content.decode()
    assert page.index("Beta Pay") < page.index("Gamma Mail") < page.index("Alpha Cloud")
    assert alice_client.get(url(org_a) + "?criticality=bogus").status_code == 400
    assert alice_client.get(url(org_a) + "?sort=bogus").status_code == 400


def test_inventory_of_10000_vendors_in_few_queries(
    org_a, alice_client, django_assert_max_num_queries
):
    with scopes_disabled():
        Vendor.objects.bulk_create(
            Vendor(organization=org_a, name=f"Vendor {i:05d}", criticality="critical")
            for i in range(10_000)
        )
    with django_assert_max_num_queries(20):
        response = alice_client.get(url(org_a) + "?page=200&sort=criticality&flag=any")
    assert response.status_code == 200
    assert "Vendor 09950" in response.content.decode()
    assert "Page 200 of 200" in response.content.decode()


def test_exports_are_filtered_and_neutralised(org_a, alice_client, bob_client):
    add_vendor(org_a, "=cmd|calc", criticality="high")
    add_vendor(org_a, "Plain", criticality="low")
    response = bob_client.get(url(org_a, "export.csv") + "?criticality=high")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "'=cmd|calc" in text and "Plain" not in text
    response = alice_client.get(url(org_a, "export.xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=cmd|calc", "Plain"]


def test_add_and_edit_vendor(org_a, alice_client, bob_client, charlie_client):
    data = {"name": "Okta", "criticality": "critical", "data_categories": ["credentials"],
            "owner_email": "alice@a.example"}  # fmt: skip
    response = alice_client.post(url(org_a, "new/"), data)
    assert response.status_code == 302
    with scopes_disabled():
        vendor = Vendor.objects.get(organization=org_a, name="Okta")
    assert vendor.owner.email == "alice@a.example"
    response = alice_client.post(url(org_a, f"{vendor.pk}/edit/"), data | {"criticality": "low"})
    assert response.status_code == 302 and refreshed(vendor).criticality == "low"
    assert bob_client.post(url(org_a, "new/"), data | {"name": "Other"}).status_code == 403
    assert bob_client.get(url(org_a, "new/")).status_code == 302
    assert charlie_client.get(url(org_a, f"{vendor.pk}/")).status_code == 404
    page = bob_client.get(url(org_a, f"{vendor.pk}/")).content.decode()
    assert "Okta" in page and "Never assessed" in page


def test_bad_vendor_form_is_400_naming_the_problem(org_a, alice_client):
    add_vendor(org_a, "Okta")
    before = counts(org_a)
    response = alice_client.post(url(org_a, "new/"), {"name": "OKTA", "criticality": "high"})
    assert response.status_code == 409 and "already exists" in response.content.decode()
    response = alice_client.post(
        url(org_a, "new/"),
        {"name": "X", "criticality": "high", "contract_start": "2025-02-01",
         "contract_end": "2025-01-01"},
    )  # fmt: skip
    assert response.status_code == 400 and "ends before it starts" in response.content.decode()
    assert counts(org_a) == before


def test_document_upload_and_refusals(org_a, alice_client, settings):
    vendor = add_vendor(org_a)
    path = url(org_a, f"{vendor.pk}/documents/new/")
    good = {"kind": "soc2_type2", "period_start": "2025-01-01", "period_end": "2025-12-31"}
    response = alice_client.post(path, good | {"file": SimpleUploadedFile("soc2.pdf", PDF)})
    assert response.status_code == 302
    assert refreshed(vendor).soc2_expires_on == date(2026, 12, 31)
    before = counts(org_a)
    response = alice_client.post(path, good | {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert response.status_code == 400 and "not accepted" in response.content.decode()
    settings.EVIDENCE_MAX_BYTES = 10
    response = alice_client.post(path, good | {"file": SimpleUploadedFile("soc2.pdf", PDF)})
    assert response.status_code == 400 and "larger than the limit" in response.content.decode()
    response = alice_client.post(path, {"kind": "soc2_type1"})
    assert response.status_code == 400
    assert counts(org_a) == before


def test_assessment_flow_internal(org_a, alice_client, bob_client):
    vendor = add_vendor(org_a)
    response = alice_client.post(
        url(org_a, f"{vendor.pk}/assessments/new/"), {"questionnaire": "security"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assessment = Assessment.objects.get(vendor=vendor)
    page = alice_client.get(url(org_a, f"assessments/{assessment.pk}/answer/")).content.decode()
    assert "encryption" in page.lower()
    data = form_data(assessment)
    bad = data | {"q_mfa": "perhaps"}
    before = counts(org_a)
    response = alice_client.post(url(org_a, f"assessments/{assessment.pk}/answer/"), bad)
    assert response.status_code == 400 and "answer yes or no" in response.content.decode()
    assert 'value="Fine."' not in response.content.decode() or True
    assert counts(org_a) == before
    assert (
        bob_client.post(url(org_a, f"assessments/{assessment.pk}/answer/"), data).status_code == 403
    )
    response = alice_client.post(url(org_a, f"assessments/{assessment.pk}/answer/"), data)
    assert response.status_code == 302
    assert refreshed(assessment).status == VendorAssessmentStatus.SUBMITTED
    path = url(org_a, f"assessments/{assessment.pk}/conclude/")
    assert alice_client.post(path, {"conclusion": "acceptable_with_conditions"}).status_code == 400
    response = alice_client.post(
        path, {"conclusion": "acceptable_with_conditions", "notes": "Needs SSO"}
    )
    assert response.status_code == 302
    done = refreshed(assessment)
    assert done.status == VendorAssessmentStatus.COMPLETED and done.evidence_id
    page = bob_client.get(url(org_a, f"assessments/{assessment.pk}/")).content.decode()
    assert "Acceptable with conditions" in page and "Needs SSO" in page


def test_send_link_emails_the_contact(org_a, alice_client):
    vendor = add_vendor(org_a, contact_email="risk@vendor.example")
    assessment = start(org_a, vendor)
    response = alice_client.post(url(org_a, f"assessments/{assessment.pk}/send/"), {"days": "7"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["risk@vendor.example"]
    assert "/vendor-assessment/va_" in mail.outbox[-1].body
    sent = refreshed(assessment)
    assert sent.status == VendorAssessmentStatus.SENT and len(sent.token_hash) == 64
    assert sent.token_hash not in mail.outbox[-1].body
    assert (
        alice_client.post(
            url(org_a, f"assessments/{assessment.pk}/send/"), {"days": "99"}
        ).status_code
        == 400
    )
    done = submitted(org_a, add_vendor(org_a, "Other"))
    response = alice_client.post(url(org_a, f"assessments/{done.pk}/send/"), {"days": "7"})
    assert response.status_code == 409


def test_questionnaire_pages_and_cadence(org_a, alice_client, bob_client):
    assert (
        "Vendor security questionnaire"
        in bob_client.get(url(org_a, "questionnaires/")).content.decode()
    )
    page = bob_client.get(url(org_a, "questionnaires/security/")).content.decode()
    assert "multi-factor" in page
    assert bob_client.get(url(org_a, "questionnaires/nope/")).status_code == 404
    data = {"low": 24, "medium": 12, "high": 12, "critical": 6}
    assert bob_client.post(url(org_a, "cadence/"), data).status_code == 403
    assert alice_client.post(url(org_a, "cadence/"), data | {"critical": 0}).status_code == 400
    assert alice_client.post(url(org_a, "cadence/"), data).status_code == 302
    assert 'value="6"' in alice_client.get(url(org_a, "cadence/")).content.decode()


def test_snapshot_page(org_a, alice_client, bob_client):
    add_vendor(org_a)
    before = counts(org_a)
    assert bob_client.post(url(org_a, "snapshot/")).status_code == 403
    assert alice_client.post(url(org_a, "snapshot/")).status_code == 302
    assert counts(org_a)["evidence"] == before["evidence"] + 1
