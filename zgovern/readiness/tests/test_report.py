"""The readiness report: HTML page, PDF (parsed back to text) and XLSX (read back)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from zgovern.controls.models import Control, RemediationTask, TaskStatus
from zgovern.readiness.engine import assess_organization
from zgovern.readiness.tests.conftest import make_evidenced, seed_history
from zgovern.tenancy.scoping import organization_scope

EVIL = '=HYPERLINK("http://x")<b>'


@pytest.fixture
def reported_org(soc2_org, alice, policies_approved):
    """SOC 2 with some controls evidenced, a rising history, an overdue and a done task,
    and a control whose name a spreadsheet would evaluate."""
    today = timezone.localdate()
    with organization_scope(soc2_org):
        for control in Control.objects.filter(organization=soc2_org).order_by("key")[:25]:
            make_evidenced(soc2_org, control)
        Control.objects.filter(organization=soc2_org, key="mfa-enforced").update(name=EVIL)
        score = assess_organization(soc2_org).frameworks[0].score
        seed_history(soc2_org, [score - 0.012 * (15 - i) for i in range(15)])
        control = Control.objects.get(organization=soc2_org, key="change-approval")
        RemediationTask.objects.create(
            organization=soc2_org, control=control, title="Protect the default branch",
            owner=alice, target_date=today - timedelta(days=2),
        )  # fmt: skip
        RemediationTask.objects.create(
            organization=soc2_org, title="Write the vendor policy", status=TaskStatus.DONE,
            target_date=today - timedelta(days=9),
        )  # fmt: skip
        gaps = assess_organization(soc2_org).frameworks[0].gaps
    return soc2_org, gaps


def _url(org, name: str) -> str:
    return reverse(f"readiness:{name}", kwargs={"org_slug": org.slug})


def test_html_report_lists_every_gap_the_plan_and_the_date(alice_client, reported_org):
    org, gaps = reported_org
    response = alice_client.get(_url(org, "report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Readiness report: Org A" in html
    assert "Projected audit-ready date:" in html
    for state in gaps:
        assert f"/o/{org.slug}/controls/{state.control.id}/" in html
    assert "Protect the default branch" in html and "alice@a.example" in html
    assert html.count('class="badge bad">Overdue') == 1  # the done task is not overdue
    body = html.split("</head>")[1]
    assert "&lt;b&gt;" in body and "<b>" not in body  # escaped, never markup
    assert "Remediation plan" in html and "2 tasks; 1 overdue." in html


def test_pdf_report_has_the_framework_gaps_plan_and_date(alice_client, reported_org):
    org, gaps = reported_org
    response = alice_client.get(_url(org, "report_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "Readiness report: Org A" in flat
    assert "SOC 2 Trust Services Criteria" in flat
    assert "Projected audit-ready date" in flat and "likely" in flat
    assert "Gaps, worst first" in flat and "Remediation plan" in flat
    assert "Protect the default branch" in flat and "Open OVERDUE" in flat
    assert " ".join(gaps[0].control.name.split())[:30] in flat
    assert "Security" in flat and "Implemented and evidenced" in flat
    assert reader.metadata.title == "Readiness report: Org A"


def test_pdf_report_without_frameworks_still_opens(alice_client, org_a):
    response = alice_client.get(_url(org_a, "report_pdf"))
    reader = PdfReader(io.BytesIO(response.content))
    assert "No framework is adopted yet" in reader.pages[0].extract_text()


def test_xlsx_report_has_its_six_sheets(alice_client, reported_org):
    org, gaps = reported_org
    response = alice_client.get(_url(org, "report_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Categories", "Controls", "Gaps", "Plan", "History"]
    summary = list(book["Summary"].values)
    assert summary[0][0] == "Framework" and summary[1][0] == "SOC 2 Trust Services Criteria"
    assert summary[1][6] == "projected" and summary[1][7] is not None
    categories = [row[1] for row in book["Categories"].values][1:]
    assert categories == ["Security"]
    gap_rows = list(book["Gaps"].values)[1:]
    assert len(gap_rows) == len(gaps)
    assert [row[2] for row in gap_rows] == [s.control.key for s in gaps]
    controls = {row[0]: row for row in book["Controls"].values}
    assert controls["mfa-enforced"][1] == "'" + EVIL  # neutralised, never a formula
    plan = list(book["Plan"].values)[1:]
    assert {(row[0], row[7]) for row in plan} == {
        ("Protect the default branch", "yes"),
        ("Write the vendor policy", "no"),
    }
    history = list(book["History"].values)[1:]
    assert len(history) == 16 and history[-1][5] == "live"


def test_report_permissions(bob_client, charlie_client, reported_org):
    org, _ = reported_org
    for name in ("report", "report_pdf", "report_xlsx"):
        assert bob_client.get(_url(org, name)).status_code == 200
        assert charlie_client.get(_url(org, name)).status_code == 404
        assert bob_client.post(_url(org, name)).status_code == 403
