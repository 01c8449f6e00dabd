"""Pages and endpoints: alice (owner) works, bob (auditor) reads but cannot run a scan,
charlie (another organisation) gets 404, and bad input is a 4xx naming the problem."""

from __future__ import annotations

from django_scopes import scopes_disabled

from zgovern.findings.models import Finding, FindingsScan

API = "/api/v1/findings"


def _url(org, tail: str = "") -> str:
    return f"/o/{org.slug}/findings/{tail}"


def _exception(org) -> Finding:
    with scopes_disabled():
        return Finding.objects.filter(
            organization=org, kind="exception", category="offboarding"
        ).first()


def test_index_lists_and_filters(scanned, org_a, alice_client):
    page = alice_client.get(_url(org_a))
    assert page.status_code == 200
    assert b"retained github access (ann) for 6 days" in page.content
    assert b"Pre-audit findings" in page.content
    none = alice_client.get(_url(org_a), {"category": "vendors", "severity": "low"})
    assert none.status_code == 200 and b"retained github" not in none.content
    bad = alice_client.get(_url(org_a), {"category": "nonsense"})
    assert bad.status_code == 400


def test_detail_and_exports(scanned, org_a, alice_client, bob_client, charlie_client):
    row = _exception(org_a)
    page = alice_client.get(_url(org_a, f"{row.pk}/"))
    assert page.status_code == 200 and b"offboarding-within-sla" in page.content
    assert bob_client.get(_url(org_a, f"{row.pk}/")).status_code == 200
    assert charlie_client.get(_url(org_a, f"{row.pk}/")).status_code == 404
    csv = alice_client.get(_url(org_a, "export.csv"), {"category": "offboarding"})
    assert csv.status_code == 200 and b"retained github access" in csv.content
    xlsx = alice_client.get(_url(org_a, "export.xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = alice_client.get(_url(org_a, "export.pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_running_a_scan_from_the_page(
    org_a, alice_client, bob_client, charlie_client, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        before = FindingsScan.objects.filter(organization=org_a).count()
    denied = bob_client.post(_url(org_a, "scan/"), {})
    assert denied.status_code == 403
    assert charlie_client.post(_url(org_a, "scan/"), {}).status_code == 404
    bad = alice_client.post(
        _url(org_a, "scan/"), {"period_start": "2026-06-30", "period_end": "2026-01-01"}
    )
    assert bad.status_code == 302
    with scopes_disabled():
        assert FindingsScan.objects.filter(organization=org_a).count() == before
    with django_capture_on_commit_callbacks(execute=True):
        ok = alice_client.post(
            _url(org_a, "scan/"), {"period_start": "2026-01-01", "period_end": "2026-06-30"}
        )
    assert ok.status_code == 302
    with scopes_disabled():
        scan = FindingsScan.objects.filter(organization=org_a).latest("id")
    assert scan.status == "done"  # tasks run inline in tests


def test_api_run_list_get(
    scanned, org_a, alice_api, bob_api, charlie_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = alice_api.post(
            f"{API}/scans",
            {"period_start": "2026-01-01", "period_end": "2026-06-30"},
            content_type="application/json",
        )
    assert made.status_code == 202, made.content
    scan_id = made.json()["id"]
    assert alice_api.get(f"{API}/scans/{scan_id}").json()["status"] == "done"
    assert bob_api.post(f"{API}/scans", {}, content_type="application/json").status_code == 403
    assert charlie_api.get(f"{API}/scans/{scan_id}").status_code == 404
    listed = bob_api.get(API, {"category": "offboarding", "kind": "exception"})
    assert listed.status_code == 200 and listed.json()["count"] == 1
    item = listed.json()["items"][0]
    assert item["controls"] == ["offboarding-within-sla"] and item["task_id"]
    assert alice_api.get(f"{API}/{item['id']}").json()["wording"] == item["wording"]
    assert charlie_api.get(f"{API}/{item['id']}").status_code == 404
    assert alice_api.get(API, {"control": "offboarding-within-sla"}).json()["count"] == 2
    summary = bob_api.get(f"{API}/summary").json()
    assert summary["by_category"]["offboarding"] == 1


def test_api_bad_input(org_a, alice_api):
    with scopes_disabled():
        before = FindingsScan.objects.filter(organization=org_a).count()
    reversed_ = alice_api.post(
        f"{API}/scans",
        {"period_start": "2026-06-30", "period_end": "2026-01-01"},
        content_type="application/json",
    )
    assert reversed_.status_code == 400 and "period" in reversed_.json()["detail"]
    missing = alice_api.post(f"{API}/scans", {"audit_id": 999999}, content_type="application/json")
    assert missing.status_code == 404
    assert alice_api.get(API, {"severity": "dreadful"}).status_code == 422
    with scopes_disabled():
        assert FindingsScan.objects.filter(organization=org_a).count() == before


def test_api_settings(org_a, alice_api, bob_api):
    assert bob_api.get(f"{API}/settings").json()["review_cadence_months"] == 3
    assert (
        bob_api.patch(
            f"{API}/settings", {"training_months": 6}, content_type="application/json"
        ).status_code
        == 403
    )
    changed = alice_api.patch(
        f"{API}/settings", {"training_months": 6}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["training_months"] == 6
    assert (
        alice_api.patch(
            f"{API}/settings", {"training_months": 0}, content_type="application/json"
        ).status_code
        == 422
    )


def test_settings_page(org_a, alice_client, bob_client, charlie_client):
    assert bob_client.get(_url(org_a, "settings/")).status_code == 200
    assert bob_client.post(_url(org_a, "settings/"), {}).status_code == 403
    assert charlie_client.get(_url(org_a, "settings/")).status_code == 404
    form = {
        "review_cadence_months": 6,
        "vendor_reassessment_months": 12,
        "training_months": 12,
        "plan_test_months": 12,
    }
    assert alice_client.post(_url(org_a, "settings/"), form).status_code == 302
    bad = alice_client.post(_url(org_a, "settings/"), {**form, "training_months": 99})
    assert bad.status_code == 400
    from zgovern.findings.scan.base import windows_for

    with scopes_disabled():
        assert windows_for(org_a).review_cadence_months == 6
        assert windows_for(org_a).training_months == 12


def test_the_dashboard_panel_reads_stored_results(alice_client, bob_client, charlie_client, org_a):
    url = f"/o/{org_a.slug}/findings/summary/"
    assert "Pre-audit findings" in alice_client.get(url).content.decode()
    assert bob_client.get(url).status_code == 200
    assert charlie_client.get(url).status_code == 404
    assert "findings/summary/" in alice_client.get(f"/o/{org_a.slug}/").content.decode()
