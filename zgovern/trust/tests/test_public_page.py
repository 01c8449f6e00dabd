"""The public page: off by default (404), and when on, only what was chosen."""

from __future__ import annotations

import pytest
from django.test import Client

from zgovern.tenancy.scoping import organization_scope
from zgovern.trust import services
from zgovern.trust.tests.conftest import SYSTEM, add_control, add_policy, add_vendor, enable

pytestmark = pytest.mark.django_db


def test_a_page_never_turned_on_answers_404(org_a):
    response = Client().get(f"/trust/{org_a.slug}/")
    assert response.status_code == 404
    assert b"no public Trust Center" in response.content


def test_an_unknown_organisation_answers_404(db):
    assert Client().get("/trust/nobody-here/").status_code == 404


def test_a_page_turned_off_again_answers_404(org_a):
    enable(org_a, headline="Acme security")
    assert Client().get(f"/trust/{org_a.slug}/").status_code == 200
    with organization_scope(org_a):
        services.update_settings(org_a, SYSTEM, enabled=False)
    assert Client().get(f"/trust/{org_a.slug}/").status_code == 404


def test_only_chosen_items_appear(org_a):
    shown = add_control(org_a, "mfa-enforced", "MFA enforced", "internal: Okta rule 7")
    add_control(org_a, "secret-control", "Hidden break-glass control", "do not show")
    published = add_policy(org_a, "infosec", "Information Security Policy", "BODY-ONE", True)
    add_policy(org_a, "hidden", "Hidden Incident Playbook", "BODY-TWO", True)
    add_vendor(org_a, "CloudHost", subprocessor=True, public="Hosting", service="prod DB notes")
    add_vendor(org_a, "Snacks Ltd", subprocessor=False, public="Office snacks")
    enable(
        org_a, headline="Acme security", contact_email="security@acme.example",
        controls=[{"id": shown.pk, "description": "Every login uses a second factor."}],
        policies=[{"id": published.pk, "show_body": False}], show_subprocessors=True,
    )  # fmt: skip
    response = Client().get(f"/trust/{org_a.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    for expected in ("Acme security", "MFA enforced", "Every login uses a second factor.",
                     "Information Security Policy", "Published", "CloudHost", "Hosting",
                     "security@acme.example"):  # fmt: skip
        assert expected in body, expected
    for hidden in ("Hidden break-glass control", "do not show", "internal: Okta rule 7",
                   "Hidden Incident Playbook", "BODY-ONE", "BODY-TWO", "Snacks Ltd",
                   "prod DB notes", "Request the report"):  # fmt: skip
        assert hidden not in body, hidden


def test_nothing_but_the_headline_by_default(org_a):
    add_control(org_a, "mfa-enforced", "MFA enforced")
    add_vendor(org_a, "CloudHost", subprocessor=True, public="Hosting")
    enable(org_a)
    body = Client().get(f"/trust/{org_a.slug}/").content.decode()
    assert "Org A Trust Center" in body
    assert "MFA enforced" not in body and "CloudHost" not in body


def test_a_policy_body_only_when_chosen(org_a):
    policy = add_policy(
        org_a, "infosec", "Information Security Policy", "We encrypt **all** data", True
    )
    enable(org_a, policies=[{"id": policy.pk, "show_body": True}])
    body = Client().get(f"/trust/{org_a.slug}/").content.decode()
    assert "<strong>all</strong>" in body


def test_an_unpublished_policy_says_so(org_a):
    policy = add_policy(org_a, "draft", "Draft Policy")
    enable(org_a, policies=[{"id": policy.pk, "show_body": True}])
    body = Client().get(f"/trust/{org_a.slug}/").content.decode()
    assert "Not yet published" in body and "Secret internal body" not in body


def test_the_entered_report_period_is_shown(org_a):
    enable(org_a, report_period_start="2025-01-01", report_period_end="2025-06-30")
    body = Client().get(f"/trust/{org_a.slug}/").content.decode()
    assert "2025-01-01 to 2025-06-30" in body


def test_frameworks_show_their_status(org_a):
    from zgovern.frameworks import services as frameworks

    with organization_scope(org_a):
        framework = frameworks.adopt_framework(org_a, SYSTEM, frameworks.builtin("soc2"))
    enable(org_a, framework_ids=[framework.pk])
    body = Client().get(f"/trust/{org_a.slug}/").content.decode()
    assert framework.name in body and "readiness" in body and "In progress" in body


def test_security_headers_and_no_scripts(org_a):
    enable(org_a)
    response = Client().get(f"/trust/{org_a.slug}/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert "<script" not in body and "http://" not in body.replace("http://testserver", "")
