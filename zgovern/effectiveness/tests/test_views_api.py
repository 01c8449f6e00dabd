"""Pages, fragments and the REST API with alice (owner), bob (auditor, read-only) and
charlie (another organisation)."""

from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scopes_disabled

from zgovern.effectiveness.tests.conftest import NOW, at, control, history, runs

API = "/api/v1/effectiveness"


@pytest.fixture
def seeded(org_a):
    """A control of org A that failed on 2026-03-10 (before "now", whatever the clock)."""
    with scopes_disabled():
        made = control(org_a)
        runs(org_a, at(date(2026, 2, 27)), NOW)
        history(
            org_a,
            [
                ("pass", at(date(2026, 2, 27)), at(date(2026, 3, 10))),
                ("fail", at(date(2026, 3, 10)), at(date(2026, 3, 11))),
                ("pass", at(date(2026, 3, 11)), at(date(2026, 3, 31))),
            ],
        )
    return made


def page(org, path: str = "") -> str:
    return f"/o/{org.slug}/effectiveness/{path}"


def test_timeline_fragment_for_alice_and_bob_not_charlie(
    seeded, org_a, alice_client, bob_client, charlie_client
):
    url = page(org_a, f"controls/{seeded.pk}/timeline/?start=2026-03-01&end=2026-03-31")
    for client in (alice_client, bob_client):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Exceptions" in body and "2026-03-10" in body and "<svg" in body
    assert charlie_client.get(url).status_code == 404


def test_timeline_fragment_bad_period_is_400(seeded, org_a, alice_client):
    url = page(org_a, f"controls/{seeded.pk}/timeline/?start=2026-03-31&end=2026-03-01")
    response = alice_client.get(url)
    assert response.status_code == 400
    assert "starts after it ends" in response.content.decode()
    bad = alice_client.get(page(org_a, f"controls/{seeded.pk}/timeline/?start=March"))
    assert bad.status_code == 400
    assert alice_client.get(page(org_a, "controls/999999/timeline/")).status_code == 404


def test_type2_page_and_widget(seeded, org_a, alice_client, bob_client, charlie_client):
    for client in (alice_client, bob_client):
        body = client.get(page(org_a)).content.decode()
        assert "Type 2 readiness" in body and seeded.name in body
        widget = client.get(page(org_a, "widget/"))
        assert widget.status_code == 200 and "clean six-month period" in widget.content.decode()
    assert charlie_client.get(page(org_a)).status_code == 404
    assert alice_client.get(page(org_a, "?audit_id=abc")).status_code == 400
    assert bob_client.post(page(org_a)).status_code in (403, 405)


def test_control_and_dashboard_pages_load_the_fragments(seeded, org_a, alice_client):
    detail = alice_client.get(f"/o/{org_a.slug}/controls/{seeded.pk}/").content.decode()
    assert f"effectiveness/controls/{seeded.pk}/timeline/" in detail
    dashboard = alice_client.get(f"/o/{org_a.slug}/").content.decode()
    assert "effectiveness/widget/" in dashboard


def test_api_timeline(seeded, alice_api, bob_api, charlie_api):
    url = f"{API}/controls/{seeded.pk}/timeline?start=2026-03-01&end=2026-03-31"
    for client in (alice_api, bob_api):
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["summary"] == "exceptions"
        assert data["exceptions"] == [
            {"kind": "fail", "first": "2026-03-10", "last": "2026-03-10",
             "detail": "failing: aws.iam.console_mfa"}
        ]  # fmt: skip
        assert data["counts"]["fail"] == 1
    assert charlie_api.get(url).status_code == 404
    bad = alice_api.get(f"{API}/controls/{seeded.pk}/timeline?start=2026-03-31&end=2026-03-01")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "start"
    assert alice_api.get(f"{API}/controls/{seeded.pk}/timeline?audit_id=99999").status_code == 404
    far = alice_api.get(f"{API}/controls/{seeded.pk}/timeline?start=9999-12-30&end=9999-12-31")
    assert far.status_code == 400 and far.json()["errors"][0]["field"] == "start"


def test_api_summaries_and_type2(seeded, alice_api, bob_api, charlie_api):
    for client in (alice_api, bob_api):
        data = client.get(f"{API}/summaries?start=2026-03-01&end=2026-03-31").json()
        assert [(i["control_key"], i["summary"]) for i in data["items"]] == [
            ("mfa-enforced", "exceptions")
        ]
        readiness = client.get(f"{API}/type2")
        assert readiness.status_code == 200
        assert readiness.json()["controls"][0]["control_key"] == "mfa-enforced"
    assert charlie_api.get(f"{API}/summaries").json()["items"] == []
    assert bob_api.post(f"{API}/summaries").status_code in (403, 405)
