"""The change records pages with alice (owner), bob (auditor, read-only) and charlie
(another organisation): list, filters, sort, paging, exports and the detail page."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from zgovern.changes import views
from zgovern.changes.tests.conftest import change, record, sample


def _url(org, path: str = "") -> str:
    return f"/o/{org.slug}/changes/{path}"


def _numbers(response) -> list[int]:
    return [c.number for c in response.context["page"].object_list]


def test_list_filters_and_sorts(org_a, alice_client, bob_client):
    sample(org_a)
    page = bob_client.get(_url(org_a))
    assert page.status_code == 200
    assert _numbers(page) == [4, 2, 1, 3]  # newest merge first
    assert b"Unapproved" in page.content and b"Changes" in page.content
    assert _numbers(bob_client.get(_url(org_a), {"approval": "unapproved"})) == [2, 3]
    assert _numbers(alice_client.get(_url(org_a), {"repository": "ACME/web"})) == [3]
    assert _numbers(alice_client.get(_url(org_a), {"author": "eric"})) == [2]
    period = {"merged_from": "2026-11-20", "merged_to": "2026-11-21"}
    assert _numbers(alice_client.get(_url(org_a), period)) == [2, 1]
    assert _numbers(alice_client.get(_url(org_a), {"sort": "number"})) == [1, 2, 3, 4]
    assert _numbers(alice_client.get(_url(org_a), {"sort": "-repository"})) == [3, 4, 2, 1]


def test_a_bad_filter_answers_400_naming_it(org_a, alice_client):
    response = alice_client.get(
        _url(org_a), {"merged_from": "2026-11-21", "merged_to": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "before its start" in response.content.decode()
    assert alice_client.get(_url(org_a), {"sort": "colour"}).status_code == 400
    assert alice_client.get(_url(org_a), {"author": "a\x00"}).status_code == 400


def test_the_list_pages(org_a, alice_client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    record(org_a, *(change(n) for n in range(1, 6)))
    first = alice_client.get(_url(org_a), {"sort": "number"})
    assert _numbers(first) == [1, 2] and first.context["page"].paginator.num_pages == 3
    assert _numbers(alice_client.get(_url(org_a), {"sort": "number", "page": 3})) == [5]


def test_csv_export_follows_the_filters_and_neutralises_formulas(org_a, bob_client):
    sample(org_a)
    response = bob_client.get(_url(org_a, "export.csv"), {"approval": "unapproved"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{org_a.slug}-changes.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Repository", "Pull request", "Title"]
    assert [r[1] for r in rows[1:]] == ["2", "3"]
    assert rows[2][2] == "'=HYPERLINK(1)"
    assert rows[2][7] == "approved only by its author (adam)"


def test_xlsx_export(org_a, alice_client):
    sample(org_a)
    response = alice_client.get(_url(org_a, "export.xlsx"), {"sort": "number"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Repository" and [row[1] for row in values[1:]] == [1, 2, 3, 4]


def test_detail_page_and_other_organisations(org_a, org_b, alice_client, charlie_client):
    approved, unapproved, *_ = sample(org_a)
    page = alice_client.get(_url(org_a, f"{unapproved.pk}/"))
    assert page.status_code == 200
    assert b"Flagged: merged without an approving review" in page.content
    assert alice_client.get(_url(org_a, f"{approved.pk}/")).status_code == 200
    assert charlie_client.get(_url(org_a)).status_code == 404
    assert charlie_client.get(_url(org_b, f"{approved.pk}/")).status_code == 404
    assert alice_client.get(_url(org_a, "999999/")).status_code == 404


def test_the_pages_only_read(org_a, alice_client, bob_client):
    sample(org_a)
    assert bob_client.post(_url(org_a)).status_code == 403
    assert alice_client.post(_url(org_a)).status_code == 405
