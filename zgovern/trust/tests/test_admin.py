"""The admins' pages and API: owners change settings and decide requests, bob (auditor)
reads but every write is 403, charlie (another organisation) gets 404; bad input is a 4xx
naming the problem with nothing saved."""

from __future__ import annotations

import pytest
from django.test import Client

from zgovern.tenancy.scoping import organization_scope
from zgovern.trust import services
from zgovern.trust.models import ReportRequest, RequestStatus, TrustCenter
from zgovern.trust.tests.conftest import SYSTEM, add_control, add_policy, pdf_upload, with_report

pytestmark = pytest.mark.django_db


def _base(org) -> str:
    return f"/o/{org.slug}/trust-center/"


def _pending(org) -> ReportRequest:
    with organization_scope(org):
        return services.create_request(
            org, SYSTEM, name="Pat", company="Initech", email="pat@initech.example"
        )


def _center(org) -> TrustCenter | None:
    with organization_scope(org):
        return TrustCenter.objects.filter(organization=org).first()


def test_owner_sees_the_overview_and_saves_settings(org_a, alice_client):
    control = add_control(org_a, "mfa-enforced", "MFA enforced")
    policy = add_policy(org_a, "infosec", "Information Security Policy")
    assert alice_client.get(_base(org_a)).status_code == 200
    assert alice_client.get(_base(org_a) + "settings/").status_code == 200
    form = {"enabled": "on", "headline": "Acme security", "link_days": "5", "download_limit": "2",
            f"control_{control.pk}": "on", f"control_text_{control.pk}": "Second factor always",
            f"policy_{policy.pk}": "on", "show_subprocessors": "on"}  # fmt: skip
    response = alice_client.post(_base(org_a) + "settings/", form)
    assert response.status_code == 302
    center = _center(org_a)
    assert center.enabled and center.headline == "Acme security" and center.link_days == 5
    assert center.controls == [{"id": control.pk, "description": "Second factor always"}]
    assert center.policies == [{"id": policy.pk, "show_body": False}]
    assert b"Second factor always" in Client().get(f"/trust/{org_a.slug}/").content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("link_days", "0", b"link_days must be a whole number from 1 to 90"),
     ("download_limit", "many", b"download limit must be a whole number"),
     ("contact_email", "nope", b"is not an email address"),
     ("report_period_start", "2025-13-01", b"must be a date")],
)  # fmt: skip
def test_bad_settings_name_the_problem_and_save_nothing(org_a, alice_client, field, value, message):
    form = {"enabled": "on", "link_days": "7", "download_limit": "3", field: value}
    response = alice_client.post(_base(org_a) + "settings/", form)
    assert response.status_code == 400 and message in response.content
    assert _center(org_a) is None


def test_a_period_ending_before_it_starts_is_refused(org_a):
    with organization_scope(org_a), pytest.raises(services.DomainError, match="ends before"):
        services.update_settings(
            org_a, SYSTEM, report_period_start="2025-06-01", report_period_end="2025-01-01"
        )


def test_another_organisations_control_cannot_be_chosen(org_a, org_b):
    foreign = add_control(org_b, "mfa-enforced", "MFA enforced")
    with organization_scope(org_a), pytest.raises(services.DomainError, match="No such control"):
        services.update_settings(org_a, SYSTEM, controls=[{"id": foreign.pk}])
    assert _center(org_a) is None


def test_upload_report(org_a, alice_client):
    response = alice_client.post(_base(org_a) + "report/", {"title": "SOC 2", "file": pdf_upload()})
    assert response.status_code == 302
    center = _center(org_a)
    assert center.report.kind == "audit_report" and center.report.title == "SOC 2"


def test_upload_refuses_what_is_not_a_pdf(org_a, alice_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("report.pdf", b"%PDF-1.4 not really", "application/pdf")
    response = alice_client.post(_base(org_a) + "report/", {"file": bad})
    assert response.status_code == 400 and b"not a readable PDF" in response.content
    txt = SimpleUploadedFile("report.txt", b"hello", "text/plain")
    assert alice_client.post(_base(org_a) + "report/", {"file": txt}).status_code == 400
    assert alice_client.post(_base(org_a) + "report/", {}).status_code == 400
    assert _center(org_a) is None


def test_owner_approves_and_declines_on_the_page(org_a, alice_client):
    with_report(org_a)
    first, second = _pending(org_a), _pending(org_a)
    assert alice_client.post(_base(org_a) + f"requests/{first.pk}/approve/").status_code == 302
    assert alice_client.post(_base(org_a) + f"requests/{second.pk}/decline/").status_code == 302
    with organization_scope(org_a):
        first.refresh_from_db()
        second.refresh_from_db()
    assert first.status == RequestStatus.APPROVED and first.token_hash
    assert second.status == RequestStatus.DECLINED
    page = alice_client.get(_base(org_a)).content.decode()
    assert "Pat" in page and "Initech" in page


def test_bob_reads_but_cannot_change(org_a, bob_client):
    with_report(org_a)
    row = _pending(org_a)
    assert bob_client.get(_base(org_a)).status_code == 200
    assert bob_client.get(_base(org_a) + "settings/").status_code == 302
    for path in ("settings/", "report/", f"requests/{row.pk}/approve/",
                 f"requests/{row.pk}/decline/"):  # fmt: skip
        assert bob_client.post(_base(org_a) + path, {"enabled": "on"}).status_code == 403
    with organization_scope(org_a):
        row.refresh_from_db()
    assert row.status == RequestStatus.PENDING


def test_charlie_gets_404(org_a, charlie_client):
    with_report(org_a)
    row = _pending(org_a)
    for path in ("", "settings/", "report/"):
        assert charlie_client.get(_base(org_a) + path).status_code == 404
    assert charlie_client.post(_base(org_a) + f"requests/{row.pk}/approve/").status_code == 404


def test_another_organisations_request_is_404(org_a, org_b, alice_client):
    with_report(org_b)
    foreign = _pending(org_b)
    response = alice_client.post(_base(org_a) + f"requests/{foreign.pk}/approve/")
    assert response.status_code == 404


# -- API ---------------------------------------------------------------------------------

API = "/api/v1/trust-center"


def test_api_settings_round_trip(org_a, alice_api):
    control = add_control(org_a, "mfa-enforced", "MFA enforced")
    assert alice_api.get(API).json()["enabled"] is False
    body = {"enabled": True, "controls": [{"id": control.pk, "description": "2FA"}]}
    response = alice_api.patch(API, body, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["enabled"] and data["controls"] == [{"id": control.pk, "description": "2FA"}]
    assert data["public_url"].endswith(f"/trust/{org_a.slug}/")


def test_api_bad_settings_are_400_naming_the_field(org_a, alice_api):
    response = alice_api.patch(API, {"framework_ids": [999999]}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "framework_ids"
    response = alice_api.patch(API, {"link_days": 0}, content_type="application/json")
    assert response.status_code == 422
    assert _center(org_a) is None


def test_api_requests_approve_decline_and_downloads(org_a, alice_api):
    with_report(org_a)
    row, other = _pending(org_a), _pending(org_a)
    listing = alice_api.get(API + "/requests?status=pending").json()
    assert listing["count"] == 2
    approved = alice_api.post(f"{API}/requests/{row.pk}/approve")
    assert approved.status_code == 200 and "/report/tr_" in approved.json()["link"]
    assert alice_api.post(f"{API}/requests/{row.pk}/approve").status_code == 409
    declined = alice_api.post(f"{API}/requests/{other.pk}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert alice_api.get(f"{API}/requests/{row.pk}").json()["status"] == "approved"
    with organization_scope(org_a):
        services.accept_nda(org_a, SYSTEM, row.pk, name="Pat", company="Initech", text="nda")
        services.download_report(org_a, SYSTEM, row.pk)
    downloads = alice_api.get(API + "/downloads").json()
    assert downloads["count"] == 1 and downloads["items"][0]["name"] == "Pat"


def test_api_bob_reads_but_writes_403(org_a, bob_api):
    with_report(org_a)
    row = _pending(org_a)
    assert bob_api.get(API).status_code == 200
    assert bob_api.get(API + "/requests").status_code == 200
    assert (
        bob_api.patch(API, {"enabled": False}, content_type="application/json").status_code == 403
    )
    assert bob_api.post(f"{API}/requests/{row.pk}/approve").status_code == 403


def test_api_charlie_gets_404_for_a_request(org_a, charlie_api):
    with_report(org_a)
    row = _pending(org_a)
    assert charlie_api.get(f"{API}/requests/{row.pk}").status_code == 404
    assert charlie_api.post(f"{API}/requests/{row.pk}/approve").status_code == 404
    assert charlie_api.get(API + "/requests").json()["count"] == 0


def test_a_refused_form_keeps_what_was_typed(org_a, alice_client):
    control = add_control(org_a, "mfa-enforced", "MFA enforced")
    form = {"headline": "Typed headline", "link_days": "0", "download_limit": "3",
            f"control_{control.pk}": "on", f"control_text_{control.pk}": "Typed text"}  # fmt: skip
    body = alice_client.post(_base(org_a) + "settings/", form).content.decode()
    assert 'value="Typed headline"' in body and 'value="Typed text"' in body
    assert f'name="control_{control.pk}" checked' in body


def test_the_contact_is_told_of_a_new_request(org_a):
    from django.core import mail

    with_report(org_a, contact_email="security@a.example")
    _pending(org_a)
    assert mail.outbox[-1].to == ["security@a.example"]
    assert "Initech" in mail.outbox[-1].subject
