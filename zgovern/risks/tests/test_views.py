"""The risk register pages with alice (owner), bob (auditor) and charlie (outsider)."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from zgovern.risks.models import Risk
from zgovern.risks.tests.conftest import add_risk, count_risks, reload


def url(org, path: str = "") -> str:
    return f"/o/{org.slug}/risks/{path}"


FORM = {"title": "Insider threat", "category": "security", "likelihood": "2", "impact": "5"}


def test_register_filters_sorts_and_flags(org_a, alice_client, bob_client):
    add_risk(org_a, "Alpha", likelihood=1, impact=1)
    add_risk(org_a, "Beta", likelihood=5, impact=4, review_date=timezone.localdate() - timedelta(1))
    for client in (alice_client, bob_client):
        page = client.get(url(org_a)).content.decode()
        assert page.index("Beta") < page.index("Alpha") and "1 review overdue" in page
    page = alice_client.get(url(org_a) + "?sort=title").content.decode()
    assert page.index("Alpha") < page.index("Beta")
    page = alice_client.get(url(org_a) + "?flag=review_overdue").content.decode()
    assert "Beta" in page and "Alpha" not in page
    assert alice_client.get(url(org_a) + "?sort=bogus").status_code == 400


def test_add_edit_accept_and_bad_input(org_a, alice, alice_client):
    response = alice_client.post(url(org_a, "new/"), FORM)
    assert response.status_code == 302
    with scopes_disabled():
        risk = Risk.objects.get(organization=org_a)
    assert alice_client.post(url(org_a, "new/"), {**FORM, "likelihood": "7"}).status_code == 400
    bad_owner = alice_client.post(url(org_a, "new/"), {**FORM, "owner_email": "x@y.example"})
    assert bad_owner.status_code == 400 and "neither a member" in bad_owner.content.decode()
    assert count_risks(org_a) == 1
    edit = alice_client.post(url(org_a, f"{risk.pk}/edit/"), {**FORM, "impact": "3"})
    assert edit.status_code == 302 and reload(risk).inherent_score == 6
    no_approver = alice_client.post(url(org_a, f"{risk.pk}/accept/"), {"expires_on": "2099-01-01"})
    assert no_approver.status_code == 400 and reload(risk).accepted_by_id is None
    expiry = (timezone.localdate() + timedelta(days=10)).isoformat()
    done = alice_client.post(url(org_a, f"{risk.pk}/accept/"),
                             {"approver_email": alice.email, "expires_on": expiry})  # fmt: skip
    assert done.status_code == 302 and reload(risk).accepted_by == alice
    page = alice_client.get(url(org_a, f"{risk.pk}/")).content.decode()
    assert "Approved by" in page and alice.email in page


def test_reader_and_outsider(org_a, bob_client, charlie_client):
    risk = add_risk(org_a)
    assert bob_client.post(url(org_a, "new/"), FORM).status_code == 403
    assert bob_client.get(url(org_a, "new/")).status_code == 302
    assert bob_client.get(url(org_a, f"{risk.pk}/")).status_code == 200
    assert charlie_client.get(url(org_a, f"{risk.pk}/")).status_code == 404
    assert count_risks(org_a) == 1


def test_heat_map_scales_and_exports(org_a, alice_client):
    add_risk(org_a, "=cmd|' /C calc'!A0", likelihood=5, impact=5)
    page = alice_client.get(url(org_a, "heat-map/")).content.decode()
    assert 'class="critical"' in page and "Inherent risk" in page
    assert "Almost certain" in alice_client.get(url(org_a, "scales/")).content.decode()
    csv_text = alice_client.get(url(org_a, "export.csv")).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("id,title,category")
    assert "'=cmd" in csv_text
    xlsx = alice_client.get(url(org_a, "export.xlsx?category=security"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(2, 2).value.startswith("'=") and sheet.cell(2, 7).value == 25


def test_assessment_page(org_a, alice_client):
    add_risk(org_a)
    response = alice_client.post(url(org_a, "assessment/"), {})
    assert response.status_code == 302 and "/evidence/" in response["Location"]


def test_list_of_10000_risks_is_paginated_in_few_queries(
    org_a, alice_client, django_assert_max_num_queries
):
    with scopes_disabled():
        Risk.objects.bulk_create(
            Risk(organization=org_a, title=f"Risk {i:05d}", category="security",
                 likelihood=1 + i % 5, impact=1 + i % 3, inherent_score=(1 + i % 5) * (1 + i % 3))
            for i in range(10_000)
        )  # fmt: skip
    with django_assert_max_num_queries(15):
        response = alice_client.get(url(org_a) + "?sort=title&page=200")
    assert response.status_code == 200 and "Risk 09999" in response.content.decode()
