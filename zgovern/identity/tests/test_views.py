"""The accounts pages and the person page's accounts, with alice (owner), bob (read-only
auditor) and charlie (outsider)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from zgovern.identity.models import PersonAlias
from zgovern.identity.services import record_accounts
from zgovern.identity.tests.conftest import (
    accounts,
    actions,
    add_person,
    count_accounts,
    holder,
    rec,
)
from zgovern.integrations.models import Integration

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def url(org, path: str = "") -> str:
    return f"/o/{org.slug}/accounts/{path}"


@pytest.fixture
def graph(org_a):
    ada = add_person(org_a, "ada@a.example", full_name="Ada Lovelace")
    okta = holder(org_a)
    record_accounts(okta, "okta", [
        rec("u1", username="ada", email="ada@a.example", mfa="enabled"),
        rec("u2", username="stray-user", mfa="disabled"),
        rec("u3", username="ghost", mfa="unknown"),
    ], T0)  # fmt: skip
    stored = accounts(org_a)
    return {"ada": ada, **stored}


def test_index_shows_coverage_unlinked_and_filters(org_a, graph, alice_client, bob_client):
    for client in (alice_client, bob_client):
        page = client.get(url(org_a))
        assert page.status_code == 200
        text = page.content.decode()
        assert "33.3%" in text and "Unlinked accounts (2)" in text and "stray-user" in text
    text = alice_client.get(url(org_a) + "?linked=yes").content.decode()
    assert "Lovelace" in text
    assert alice_client.get(url(org_a) + "?status=bogus").status_code == 400
    assert "Set up the workforce checks" in alice_client.get(url(org_a)).content.decode()


def test_link_unlink_service_as_owner(org_a, graph, alice_client):
    u2 = graph["u2"]
    response = alice_client.post(url(org_a, f"{u2.pk}/link/"), {"person_id": graph["ada"].pk})
    assert response.status_code == 302
    assert accounts(org_a)["u2"].person_id == graph["ada"].pk
    alice_client.post(url(org_a, f"{u2.pk}/unlink/"))
    assert accounts(org_a)["u2"].person_id is None
    response = alice_client.post(
        url(org_a, f"{u2.pk}/service/"), {"owner_id": graph["ada"].pk, "note": "nightly export"}
    )
    assert accounts(org_a)["u2"].is_service
    assert "nightly export" in alice_client.get(url(org_a, f"{u2.pk}/")).content.decode()
    alice_client.post(url(org_a, f"{u2.pk}/not-service/"))
    assert not accounts(org_a)["u2"].is_service
    # Bad input: a message, nothing changed.
    before = actions(org_a)
    page = alice_client.post(url(org_a, f"{u2.pk}/link/"), {"person_id": "999999"}, follow=True)
    assert "No such person" in page.content.decode()
    alice_client.post(url(org_a, f"{u2.pk}/service/"), {"owner_id": "x"})
    assert actions(org_a) == before


def test_bob_reads_but_cannot_write_and_charlie_sees_nothing(
    org_a, graph, bob_client, charlie_client
):
    u2 = graph["u2"]
    assert bob_client.get(url(org_a, f"{u2.pk}/")).status_code == 200
    for path in (f"{u2.pk}/link/", f"{u2.pk}/unlink/", f"{u2.pk}/service/", "settings/", "import/"):
        assert bob_client.post(url(org_a, path), {"person_id": graph["ada"].pk}).status_code == 403
    assert accounts(org_a)["u2"].person_id is None
    assert charlie_client.get(url(org_a)).status_code == 404
    assert charlie_client.get(url(org_a, f"{u2.pk}/")).status_code == 404


def test_person_page_shows_accounts_aliases_and_exceptions(org_a, graph, alice_client):
    page = alice_client.get(f"/o/{org_a.slug}/people/{graph['ada'].pk}/").content.decode()
    assert "okta" in page and "No background check recorded" in page
    assert "no background check recorded, due by" in page  # the exception
    response = alice_client.post(
        url(org_a, f"people/{graph['ada'].pk}/aliases/"), {"alias": "Ghost"}
    )
    assert response.status_code == 302
    assert accounts(org_a)["u3"].person_id == graph["ada"].pk
    page = alice_client.get(f"/o/{org_a.slug}/people/{graph['ada'].pk}/").content.decode()
    assert "ghost" in page and "MFA unknown" in page
    with scopes_disabled():
        alias = PersonAlias.objects.get()
    alice_client.post(url(org_a, f"aliases/{alias.pk}/delete/"))
    assert accounts(org_a)["u3"].person_id is None
    people = alice_client.get(f"/o/{org_a.slug}/people/").content.decode()
    assert "Active accounts" in people


def test_upload_page(org_a, alice_client):
    page = alice_client.get(url(org_a, "import/")).content.decode()
    assert "last_login_at" in page and "privileged" in page
    bad = alice_client.post(url(org_a, "import/"), {"file": SimpleUploadedFile(
        "u.csv", b"system,external_id,mfa\njira,1,perhaps\njira,1,\n")})  # fmt: skip
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "perhaps" in text and "duplicate of line 2" in text
    assert count_accounts(org_a) == 0
    good = alice_client.post(url(org_a, "import/"), {"file": SimpleUploadedFile(
        "u.csv", b"system,external_id,mfa\njira,1,yes\n")})  # fmt: skip
    assert good.status_code == 200 and count_accounts(org_a) == 1


def test_settings_and_workforce_setup(org_a, alice_client, bob_client):
    assert bob_client.get(url(org_a, "settings/")).status_code == 200
    bad = alice_client.post(url(org_a, "settings/"), {"revocation_business_days": "99",
                                                      "onboarding_days": "30"})  # fmt: skip
    assert bad.status_code == 400
    ok = alice_client.post(url(org_a, "settings/"), {"revocation_business_days": "2",
                                                     "onboarding_days": "14"})  # fmt: skip
    assert ok.status_code == 302
    assert bob_client.post(url(org_a, "workforce-checks/")).status_code == 403
    assert alice_client.post(url(org_a, "workforce-checks/")).status_code == 302
    alice_client.post(url(org_a, "workforce-checks/"))
    with scopes_disabled():
        assert Integration.objects.filter(organization=org_a, provider="workforce").count() == 1
