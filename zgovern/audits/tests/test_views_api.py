"""Audit pages and endpoints with an owner (alice), a read-only auditor (bob) and an
outsider (charlie)."""

from __future__ import annotations

import json

import pytest
from django_scopes import scopes_disabled

from zgovern.audits import services
from zgovern.audits.models import Audit, Bundle, BundleStatus
from zgovern.audits.tests.conftest import SYSTEM
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token


def url(org, path=""):
    return f"/o/{org.slug}/audits/{path}"


@pytest.fixture
def ready(audit_org, audit):
    bundle = services.request_bundle(audit_org, SYSTEM, audit.pk, enqueue=False)
    return services.build_bundle(bundle.pk, "tests")


def test_owner_creates_an_audit_through_the_form(audit_org, alice_client):
    response = alice_client.post(
        url(audit_org, "new/"),
        {
            "name": "Type 1",
            "framework": "soc2",
            "audit_type": "type1",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 302
    with organization_scope(audit_org):
        assert Audit.objects.get(organization=audit_org, name="Type 1").period_start is None


def test_a_period_ending_before_it_starts_is_refused_and_nothing_saved(audit_org, alice_client):
    response = alice_client.post(
        url(audit_org, "new/"),
        {
            "name": "Bad",
            "framework": "soc2",
            "audit_type": "type2",
            "period_start": "2026-06-01",
            "period_end": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()
    with organization_scope(audit_org):
        assert not Audit.objects.filter(organization=audit_org).exists()


def test_pages_read_for_the_auditor_and_404_for_the_outsider(
    audit_org, audit, ready, bob_client, charlie_client
):
    for path in ("", f"{audit.pk}/", f"bundles/{ready.pk}/", "signing-key/"):
        assert bob_client.get(url(audit_org, path)).status_code == 200, path
        assert charlie_client.get(url(audit_org, path)).status_code == 404, path
    assert bob_client.post(url(audit_org, f"{audit.pk}/export/")).status_code == 403
    assert bob_client.post(url(audit_org, "signing-key/")).status_code == 403


def test_export_queues_and_the_download_is_logged(
    audit_org, audit, alice_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url(audit_org, f"{audit.pk}/export/"))
    assert response.status_code == 302
    with organization_scope(audit_org):
        bundle = Bundle.objects.get(organization=audit_org)
    assert bundle.status == BundleStatus.READY
    download = alice_client.get(url(audit_org, f"bundles/{bundle.pk}/download/"))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    b"".join(download.streaming_content)
    with scopes_disabled():
        from zgovern.tenancy.models import ActivityLog

        assert (
            ActivityLog.objects.filter(
                organization=audit_org, action="audit.bundle_downloaded"
            ).count()
            == 1
        )


def test_a_bundle_not_ready_is_a_409(audit_org, audit, alice_client):
    bundle = services.request_bundle(audit_org, SYSTEM, audit.pk, enqueue=False)
    assert alice_client.get(url(audit_org, f"bundles/{bundle.pk}/download/")).status_code == 409


def test_api_creates_lists_and_exports(audit_org, alice):
    client = api_client(issue_token(audit_org, alice, read_only=False))
    body = {
        "name": "API audit",
        "framework": "soc2",
        "audit_type": "type2",
        "period_start": "2026-01-01",
        "period_end": "2026-03-01",
    }
    created = client.post("/api/v1/audits", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["warnings"] == ["This Type 2 period is shorter than 6 months."]
    audit_id = created.json()["id"]
    queued = client.post(f"/api/v1/audits/{audit_id}/bundles")
    assert queued.status_code == 202
    bundle = client.get(f"/api/v1/bundles/{queued.json()['id']}").json()
    assert bundle["status"] in ("queued", "building", "ready")
    assert client.get("/api/v1/signing-key").json()["fingerprint"].startswith("SHA256:")


def test_api_refuses_an_unknown_framework_and_a_bundle_without_period(audit_org, alice):
    client = api_client(issue_token(audit_org, alice, read_only=False))
    bad = {"name": "X", "framework": "nope", "audit_type": "type1"}
    response = client.post("/api/v1/audits", json.dumps(bad), content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "framework"
    ok = {"name": "X", "framework": "soc2", "audit_type": "type1"}
    audit_id = client.post(
        "/api/v1/audits", json.dumps(ok), content_type="application/json"
    ).json()["id"]
    refused = client.post(f"/api/v1/audits/{audit_id}/bundles")
    assert refused.status_code == 400 and "period" in refused.json()["detail"]


def test_api_outsider_gets_404_and_auditor_cannot_write(audit_org, audit, bob, org_b, charlie):
    outsider = api_client(issue_token(org_b, charlie, read_only=False))
    assert outsider.get(f"/api/v1/audits/{audit.pk}").status_code == 404
    auditor = api_client(issue_token(audit_org, bob, read_only=True))
    assert auditor.get(f"/api/v1/audits/{audit.pk}").status_code == 200
    assert auditor.post(f"/api/v1/audits/{audit.pk}/bundles").status_code == 403
    assert auditor.post("/api/v1/signing-key/rotate").status_code == 403
