"""The incident pages with alice (owner), bob (auditor) and charlie (outsider)."""

from __future__ import annotations

import io

from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from zgovern.incidents.models import Incident, Severity
from zgovern.incidents.tests.conftest import add_incident, ago, counts, reload


def url(org, path: str = "") -> str:
    return f"/o/{org.slug}/incidents/{path}"


def when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def form(**overrides) -> dict:
    data = {"title": "Stolen phone", "severity": "SEV3", "status": "open",
            "detected_at": when(ago(hours=3))}  # fmt: skip
    return {**data, **overrides}


def test_list_flags_filters_and_sorts(org_a, alice_client, bob_client):
    add_incident(org_a, "Overdue one", severity="SEV1", detected_at=ago(days=3))
    add_incident(org_a, "Fresh one", severity="SEV4", detected_at=ago(hours=1))
    for client in (alice_client, bob_client):
        page = client.get(url(org_a)).content.decode()
        assert page.index("Fresh one") < page.index("Overdue one")
        assert "1 incident open past its severity" in page and "past target" in page
    page = alice_client.get(url(org_a) + "?past_target=on").content.decode()
    assert "Overdue one" in page and "Fresh one" not in page
    page = alice_client.get(url(org_a) + "?sort=-severity").content.decode()
    assert page.index("Fresh one") < page.index("Overdue one")
    assert alice_client.get(url(org_a) + "?severity=SEV9").status_code == 400


def test_log_edit_timeline_and_bad_input(org_a, alice_client):
    response = alice_client.post(url(org_a, "new/"), form())
    assert response.status_code == 302
    with scopes_disabled():
        incident = Incident.objects.get(organization=org_a)
    bad = alice_client.post(url(org_a, "new/"), form(
        status="resolved", resolved_at=when(ago(hours=5))))  # fmt: skip
    assert bad.status_code == 400 and "before the detection" in bad.content.decode()
    assert counts(org_a) == (1, 0)
    timeline = alice_client.post(url(org_a, f"{incident.pk}/timeline/"), {"action": "Wiped"})
    assert timeline.status_code == 302 and counts(org_a) == (1, 1)
    assert alice_client.post(url(org_a, f"{incident.pk}/timeline/"), {}).status_code == 400
    edit = alice_client.post(url(org_a, f"{incident.pk}/edit/"), form(status="closed"))
    assert edit.status_code == 302 and reload(incident).evidence_id is not None
    page = alice_client.get(url(org_a, f"{incident.pk}/")).content.decode()
    assert "Wiped" in page and "recorded as evidence" in page


def test_reader_and_outsider(org_a, bob_client, charlie_client):
    incident = add_incident(org_a)
    assert bob_client.post(url(org_a, "new/"), form()).status_code == 403
    assert (
        bob_client.post(url(org_a, f"{incident.pk}/timeline/"), {"action": "x"}).status_code == 403
    )
    assert bob_client.get(url(org_a, f"{incident.pk}/")).status_code == 200
    assert charlie_client.get(url(org_a, f"{incident.pk}/")).status_code == 404
    assert counts(org_a) == (1, 0)


def test_figures_severities_and_exports(org_a, alice_client):
    add_incident(org_a, "@SUM(1+1)", status="resolved", detected_at=ago(hours=5),
                 resolved_at=ago(hours=1))  # fmt: skip
    assert "4.0" in alice_client.get(url(org_a, "figures/")).content.decode()
    assert "720 hours" in alice_client.get(url(org_a, "severities/")).content.decode()
    csv_text = alice_client.get(url(org_a, "export.csv")).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("id,title,severity") and "'@SUM" in csv_text
    xlsx = alice_client.get(url(org_a, "export.xlsx?status=resolved"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(2, 3).value == "SEV2" and sheet.max_row == 2


def test_list_of_10000_incidents_is_paginated_in_few_queries(
    org_a, alice_client, django_assert_max_num_queries
):
    add_incident(org_a)
    with scopes_disabled():
        severity = Severity.objects.get(organization=org_a, name="SEV3")
        now = timezone.now()
        Incident.objects.bulk_create(
            Incident(organization=org_a, title=f"Incident {i:05d}", severity=severity,
                     detected_at=now, due_at=now)
            for i in range(10_000)
        )  # fmt: skip
    with django_assert_max_num_queries(15):
        response = alice_client.get(url(org_a) + "?sort=title&page=2&past_target=on")
    assert response.status_code == 200 and "Incident 00050" in response.content.decode()
