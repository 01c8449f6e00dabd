"""A prospect's way to the report: request, approval, NDA, watermarked download; and every
way a link stops working (expiry, reuse past the limit, decline, a tampered token)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.trust import services
from zgovern.trust.models import ReportDownload, ReportRequest, RequestStatus
from zgovern.trust.tests.conftest import SYSTEM, enable, with_report

pytestmark = pytest.mark.django_db
PROSPECT = {"name": "Pat Prospect", "company": "Initech", "email": "pat@initech.example",
            "reason": "Vendor review"}  # fmt: skip


def _request(org, client=None) -> ReportRequest:
    client = client or Client()
    response = client.post(f"/trust/{org.slug}/request/", PROSPECT, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200, response.content
    with organization_scope(org):
        return ReportRequest.objects.get(organization=org, email=PROSPECT["email"])


def _approve(org, row) -> str:
    with organization_scope(org):
        _, url = services.approve_request(org, SYSTEM, row.pk)
    return url.removeprefix("http://127.0.0.1:8000").removeprefix("http://testserver")


def _accept(client, url, **overrides):
    data = {"name": "Pat Prospect", "company": "Initech", "accept": "yes", **overrides}
    return client.post(url, data, HTTP_USER_AGENT="TestBrowser/1.0", REMOTE_ADDR="198.51.100.7")


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_request_approve_nda_and_watermarked_download(org_a, settings):
    with_report(org_a)
    row = _request(org_a)
    assert row.status == RequestStatus.PENDING and row.client_ip == "198.51.100.7"
    url = _path(_approve(org_a, row))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [PROSPECT["email"]]
    assert _path(re.search(r"https?://\S+", mail.outbox[0].body)[0]) == url
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and b"Non-disclosure agreement" in page.content
    assert client.get(url + "download/").status_code == 409  # the NDA comes first
    assert _accept(client, url).status_code == 200
    with organization_scope(org_a):
        row.refresh_from_db()
    assert (row.nda_name, row.nda_company, row.nda_ip) == (
        "Pat Prospect",
        "Initech",
        "198.51.100.7",
    )
    assert row.nda_user_agent == "TestBrowser/1.0" and row.nda_accepted_at is not None
    assert len(row.nda_sha256) == 64
    response = client.get(url + "download/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    for page in reader.pages:
        text = page.extract_text()
        assert "Pat Prospect" in text and "Initech" in text and "pat@initech.example" in text
        assert "Independent auditor's report" in text
    with organization_scope(org_a):
        download = ReportDownload.objects.get(organization=org_a)
        actions = list(
            ActivityLog.objects.filter(organization=org_a).values_list("action", flat=True)
        )
    assert download.client_ip == "198.51.100.7" and "Pat Prospect" in download.watermark
    for action in ("trust.report_requested", "trust.request_approved", "trust.nda_accepted",
                   "trust.report_downloaded"):  # fmt: skip
        assert action in actions


def _ready_link(org, **settings) -> tuple[Client, str, ReportRequest]:
    with_report(org, **settings)
    row = _request(org)
    url = _path(_approve(org, row))
    client = Client()
    assert _accept(client, url).status_code == 200
    return client, url, row


def test_the_download_limit_then_410(org_a):
    client, url, _ = _ready_link(org_a, download_limit=2)
    assert client.get(url + "download/").status_code == 200
    assert client.get(url + "download/").status_code == 200
    third = client.get(url + "download/")
    assert third.status_code == 410 and b"all its downloads" in third.content
    assert third["Content-Type"].startswith("text/html")
    assert client.get(url).status_code == 410
    with organization_scope(org_a):
        assert ReportDownload.objects.filter(organization=org_a).count() == 2


def test_an_expired_link_answers_410_and_serves_nothing(org_a):
    client, url, row = _ready_link(org_a)
    with organization_scope(org_a):
        ReportRequest.objects.filter(pk=row.pk).update(
            link_expires_at=timezone.now() - timedelta(seconds=1)
        )
    for path in (url, url + "download/"):
        response = client.get(path)
        assert response.status_code == 410 and b"expired" in response.content
    with organization_scope(org_a):
        assert ReportDownload.objects.filter(organization=org_a).count() == 0


def test_the_default_expiry_is_seven_days_and_three_downloads(org_a):
    with_report(org_a)
    row = _request(org_a)
    _approve(org_a, row)
    with organization_scope(org_a):
        row.refresh_from_db()
    assert row.downloads_allowed == 3
    assert abs((row.link_expires_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)


def test_a_tampered_token_answers_404(org_a):
    client, url, _ = _ready_link(org_a)
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = url.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    for path in (tampered, tampered + "download/", f"/trust/{org_a.slug}/report/garbage/"):
        response = client.get(path)
        assert response.status_code == 404 and b"not valid" in response.content
        assert response["Content-Type"].startswith("text/html")


def test_a_link_is_bound_to_its_organisation(org_a, org_b):
    _, url, _ = _ready_link(org_a)
    enable(org_b)
    assert Client().get(url.replace(org_a.slug, org_b.slug)).status_code == 404


def test_a_declined_or_withdrawn_request_serves_nothing(org_a):
    client, url, row = _ready_link(org_a)
    with organization_scope(org_a):
        services.decline_request(org_a, SYSTEM, row.pk)
    response = client.get(url + "download/")
    assert response.status_code == 410 and b"declined" in response.content
    assert mail.outbox[-1].to == [PROSPECT["email"]]


def test_deciding_twice_is_a_conflict(org_a):
    with_report(org_a)
    row = _request(org_a)
    _approve(org_a, row)
    with organization_scope(org_a), pytest.raises(services.Conflict):
        services.approve_request(org_a, SYSTEM, row.pk)


def test_the_nda_needs_the_box_name_and_company(org_a):
    with_report(org_a)
    url = _path(_approve(org_a, _request(org_a)))
    client = Client()
    assert _accept(client, url, accept="").status_code == 400
    response = _accept(client, url, company="  ")
    assert response.status_code == 400 and b"your company" in response.content
    with organization_scope(org_a):
        assert ReportRequest.objects.get(organization=org_a).nda_accepted_at is None


def test_a_custom_nda_is_shown_and_fingerprinted(org_a):
    with_report(org_a, nda_text="Keep it **secret**.")
    url = _path(_approve(org_a, _request(org_a)))
    client = Client()
    assert b"<strong>secret</strong>" in client.get(url).content
    _accept(client, url)
    from zgovern.trust.nda import fingerprint

    with organization_scope(org_a):
        assert ReportRequest.objects.get(organization=org_a).nda_sha256 == fingerprint(
            "Keep it **secret**."
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("name", "", b"your name"), ("email", "not-an-email", b"not an email"),
     ("company", "x" * 201, b"longer than 200")],
)  # fmt: skip
def test_a_bad_request_names_the_problem_and_saves_nothing(org_a, field, value, message):
    with_report(org_a)
    response = Client().post(f"/trust/{org_a.slug}/request/", {**PROSPECT, field: value})
    assert response.status_code == 400 and message in response.content
    with organization_scope(org_a):
        assert not ReportRequest.objects.filter(organization=org_a).exists()


def test_requests_are_rate_limited_per_address(org_a, settings):
    settings.TRUST_REQUEST_RATE_LIMIT = 2
    with_report(org_a)
    for _ in range(2):
        assert Client().post(f"/trust/{org_a.slug}/request/", PROSPECT).status_code == 200
    assert Client().post(f"/trust/{org_a.slug}/request/", PROSPECT).status_code == 429
    other = Client().post(f"/trust/{org_a.slug}/request/", PROSPECT, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200
    with organization_scope(org_a):
        assert ReportRequest.objects.filter(organization=org_a).count() == 3


def test_the_request_form_needs_csrf(org_a):
    with_report(org_a)
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"/trust/{org_a.slug}/request/").status_code == 200
    assert client.post(f"/trust/{org_a.slug}/request/", PROSPECT).status_code == 403
    with organization_scope(org_a):
        assert not ReportRequest.objects.filter(organization=org_a).exists()


def test_no_request_form_without_a_report_or_when_off(org_a):
    enable(org_a)
    assert Client().get(f"/trust/{org_a.slug}/request/").status_code == 404
    assert Client().get("/trust/nobody/request/").status_code == 404


def test_the_page_offers_the_report_once_uploaded(org_a):
    with_report(org_a)
    body = Client().get(f"/trust/{org_a.slug}/").content.decode()
    assert "Request the report" in body
