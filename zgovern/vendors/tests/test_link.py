"""The vendor's assessment link: no account, CSRF-protected, rate-limited; valid, expired,
reused, tampered and another organisation's tokens."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.vendors.models import Assessment, VendorAssessmentStatus
from zgovern.vendors.tests.conftest import (
    PDF,
    add_vendor,
    counts,
    form_data,
    refreshed,
    send,
    start,
)


def link(raw: str) -> str:
    return f"/vendor-assessment/{raw}/"


def _sent(org, name="Acme Hosting", days=14):
    assessment = start(org, add_vendor(org, name))
    return assessment, send(org, assessment, days)


def test_valid_link_shows_the_questions_and_takes_answers_once(org_a):
    assessment, raw = _sent(org_a)
    client = Client(enforce_csrf_checks=True)
    page = client.get(link(raw))
    assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer"
    assert "Acme Hosting" in page.content.decode() and "Org A" in page.content.decode()
    token = page.cookies["csrftoken"].value
    attachment = next(q["id"] for q in assessment.questions if q["attachment"])
    data = form_data(assessment) | {
        "csrfmiddlewaretoken": token,
        f"f_{attachment}": SimpleUploadedFile("pen.pdf", PDF),
    }
    response = client.post(link(raw), data)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    done = refreshed(assessment)
    assert done.status == VendorAssessmentStatus.SUBMITTED
    assert done.submitted_by == "sec@vendor.example"
    assert counts(org_a)["attachments"] == 1
    # reused: the same link again, to read or to submit
    before = counts(org_a)
    reopened = client.get(link(raw))
    assert reopened.status_code == 410 and "already submitted" in reopened.content.decode()
    again = client.post(link(raw), data)
    assert again.status_code == 410
    assert counts(org_a) == before


def test_reused_link_says_it_was_submitted_with_410(org_a):
    assessment, raw = _sent(org_a)
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(status=VendorAssessmentStatus.SUBMITTED)
    response = Client().get(link(raw))
    assert response.status_code == 410 and "already submitted" in response.content.decode()


def test_expired_link_is_410_and_saves_nothing(org_a):
    assessment, raw = _sent(org_a, days=1)
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(
            link_expires_at=timezone.now() - timedelta(seconds=1)
        )
    before = counts(org_a)
    response = Client().get(link(raw))
    assert response.status_code == 410 and "expired" in response.content.decode()
    response = Client().post(link(raw), form_data(assessment))
    assert response.status_code == 410
    assert counts(org_a) == before
    assert refreshed(assessment).status == VendorAssessmentStatus.SENT


def test_tampered_token_is_404(org_a):
    _, raw = _sent(org_a)
    for bad in (raw[:-1] + ("A" if raw[-1] != "A" else "B"), "va_short", "nonsense", raw + "x"):
        response = Client().get(link(bad))
        assert response.status_code == 404 and "not valid" in response.content.decode()


def test_another_organisations_token_opens_only_its_own_assessment(org_a, org_b, charlie_client):
    mine, raw_a = _sent(org_a, "Vendor of A")
    theirs, raw_b = _sent(org_b, "Vendor of B")
    page = Client().get(link(raw_b)).content.decode()
    assert "Vendor of B" in page and "Vendor of A" not in page
    before_a = counts(org_a)
    response = Client().post(link(raw_b), form_data(theirs))
    assert response.status_code == 200
    assert counts(org_a) == before_a
    assert refreshed(mine).status == VendorAssessmentStatus.SENT
    assert refreshed(theirs).status == VendorAssessmentStatus.SUBMITTED
    # B's people cannot reach A's assessment through the organisation pages either
    assert charlie_client.get(f"/o/org-a/vendors/assessments/{mine.pk}/").status_code == 404
    assert raw_a != raw_b


def test_bad_answers_are_400_naming_the_question_and_keep_the_link(org_a, settings):
    assessment, raw = _sent(org_a)
    before = counts(org_a)
    data = form_data(assessment) | {"q_mfa": ""}
    response = Client().post(link(raw), data)
    assert response.status_code == 400 and "multi-factor" in response.content.decode()
    attachment = next(q["id"] for q in assessment.questions if q["attachment"])
    bad_type = form_data(assessment) | {f"f_{attachment}": SimpleUploadedFile("x.exe", b"MZ")}
    response = Client().post(link(raw), bad_type)
    assert response.status_code == 400 and "not accepted" in response.content.decode()
    settings.EVIDENCE_MAX_BYTES = 10
    too_big = form_data(assessment) | {f"f_{attachment}": SimpleUploadedFile("a.pdf", PDF)}
    response = Client().post(link(raw), too_big)
    assert response.status_code == 400 and "larger than the limit" in response.content.decode()
    assert counts(org_a) == before
    assert refreshed(assessment).status == VendorAssessmentStatus.SENT


def test_post_without_csrf_token_is_refused(org_a):
    assessment, raw = _sent(org_a)
    response = Client(enforce_csrf_checks=True).post(link(raw), form_data(assessment))
    assert response.status_code == 403
    assert refreshed(assessment).status == VendorAssessmentStatus.SENT


def test_link_is_rate_limited(org_a, settings):
    settings.VENDOR_LINK_RATE_LIMIT = 3
    _, raw = _sent(org_a)
    client = Client()
    assert [client.get(link(raw)).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get(link(raw)).status_code == 429
    assert client.get(link("va_" + "x" * 40)).status_code == 429
