"""The organisation settings pages with alice (owner), bob (auditor, read-only) and
charlie (owner of another organisation)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.tenancy import services
from zgovern.tenancy.models import ActivityLog, ApiToken, Invitation, Organization
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import (
    SYSTEM,
    add_member,
    chain_ok,
    issue_token,
    logs,
    membership,
)


def url(org, name: str, **kwargs) -> str:
    return reverse(f"tenancy:{name}", kwargs={"org_slug": org.slug, **kwargs})


def _invite(org, user, email="eve@a.example") -> tuple[Invitation, str]:
    with organization_scope(org):
        return services.invite(org, membership(org, user), SYSTEM, email, Role.MEMBER)


def _token(org, name: str) -> ApiToken:
    with scopes_disabled():
        return ApiToken.objects.get(organization=org, name=name)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# -- every page: who may read ---------------------------------------------------------

PAGES = ["settings", "members", "tokens", "activity"]


@pytest.mark.parametrize("page", PAGES)
def test_pages_are_readable_by_members_only(page, org_a, alice_client, bob_client, charlie_client):
    assert alice_client.get(url(org_a, page)).status_code == 200
    assert bob_client.get(url(org_a, page)).status_code == 200
    assert charlie_client.get(url(org_a, page)).status_code == 404


def test_employee_cannot_read_settings(org_a, charlie, charlie_client):
    add_member(org_a, charlie, Role.EMPLOYEE)
    for page in PAGES:
        assert charlie_client.get(url(org_a, page)).status_code == 403


# -- settings index -------------------------------------------------------------------


def test_owner_changes_settings(org_a, alice_client):
    with logs(org_a, "organization.settings_changed"):
        response = alice_client.post(
            url(org_a, "settings"), {"name": "Org A Ltd", "require_mfa": "on"}
        )
    assert response.status_code == 302
    org = Organization.objects.get(pk=org_a.pk)
    assert org.name == "Org A Ltd" and org.require_mfa


def test_settings_form_errors_are_400(org_a, alice_client):
    with logs(org_a):
        response = alice_client.post(url(org_a, "settings"), {"name": ""})
        assert response.status_code == 400
        assert response.context["form"].errors["name"]
        response = alice_client.post(url(org_a, "settings"), {"name": "   x\x00"})
        assert response.status_code == 400


def test_service_refusal_on_settings_is_a_form_error(org_a, alice_client, monkeypatch):
    from zgovern.core.errors import Conflict

    def refuse(*args, **kwargs):
        raise Conflict("Someone else changed it.", field="name")

    monkeypatch.setattr(services, "update_settings", refuse)
    response = alice_client.post(url(org_a, "settings"), {"name": "Org A2"})
    assert response.status_code == 409
    assert response.context["form"].errors["name"] == ["Someone else changed it."]


def test_auditor_sees_settings_but_cannot_change_them(org_a, bob_client):
    page = bob_client.get(url(org_a, "settings"))
    assert b"Only owners and admins" in page.content and b'name="name"' not in page.content
    with logs(org_a):
        assert bob_client.post(url(org_a, "settings"), {"name": "Bob's"}).status_code == 403


def test_member_role_cannot_change_settings(org_a, charlie, charlie_client):
    add_member(org_a, charlie, Role.MEMBER)
    with logs(org_a):
        assert charlie_client.post(url(org_a, "settings"), {"name": "X"}).status_code == 403


def test_outsider_cannot_change_settings(org_a, charlie_client):
    with logs(org_a):
        assert charlie_client.post(url(org_a, "settings"), {"name": "X"}).status_code == 404


# -- members --------------------------------------------------------------------------


def test_members_page_lists_members(org_a, alice_client, bob_client):
    page = alice_client.get(url(org_a, "members"))
    body = page.content.decode()
    assert "alice@a.example" in body and "bob@a.example" in body and "Bob Auditor" in body
    assert "Send invitation" in body and "data-confirm" in body
    assert [m.mfa_enabled for m in page.context["members"]] == [False, False]
    read_only = bob_client.get(url(org_a, "members")).content.decode()
    assert "Send invitation" not in read_only and "data-confirm" not in read_only


def test_change_role(org_a, alice_client, bob_client, charlie_client, alice, bob):
    bob_id, alice_id = membership(org_a, bob).pk, membership(org_a, alice).pk
    with logs(org_a):
        assert (
            bob_client.post(
                url(org_a, "member_role", member_id=alice_id), {"role": "auditor"}
            ).status_code
            == 403
        )
        assert (
            charlie_client.post(
                url(org_a, "member_role", member_id=bob_id), {"role": "owner"}
            ).status_code
            == 404
        )
        response = alice_client.post(url(org_a, "member_role", member_id=bob_id), {"role": "boss"})
        assert response.status_code == 400
    with logs(org_a, "member.role_changed"):
        response = alice_client.post(
            url(org_a, "member_role", member_id=bob_id), {"role": "member"}
        )
    assert response.status_code == 302
    assert membership(org_a, bob).role == Role.MEMBER


def test_last_owner_cannot_be_demoted_or_removed(org_a, alice, alice_client):
    alice_id = membership(org_a, alice).pk
    with logs(org_a):
        response = alice_client.post(
            url(org_a, "member_role", member_id=alice_id), {"role": "admin"}
        )
        assert response.status_code == 409
        assert "at least one owner" in " ".join(_messages(response))
        response = alice_client.post(url(org_a, "member_remove", member_id=alice_id))
        assert response.status_code == 409
    assert membership(org_a, alice).role == Role.OWNER


def test_admin_cannot_grant_owner(org_a, bob, dave, dave_admin):
    from django.test import Client

    client = Client()
    client.force_login(dave)
    page = client.get(url(org_a, "members")).content.decode()
    assert '<option value="owner"' not in page
    bob_id = membership(org_a, bob).pk
    with logs(org_a):
        response = client.post(url(org_a, "member_role", member_id=bob_id), {"role": "owner"})
        assert response.status_code == 403
        response = client.post(url(org_a, "invite"), {"email": "e@a.example", "role": "owner"})
        assert response.status_code == 403
        assert response.context["invite_form"].errors["role"]


def test_another_organisations_member_id_is_404(org_a, org_b, charlie, alice_client):
    charlie_id = membership(org_b, charlie).pk
    with logs(org_b):
        response = alice_client.post(
            url(org_a, "member_role", member_id=charlie_id), {"role": "member"}
        )
        assert response.status_code == 404
        assert (
            alice_client.post(url(org_a, "member_remove", member_id=charlie_id)).status_code == 404
        )


def test_remove_member(org_a, alice_client, bob_client, charlie_client, alice, bob):
    bob_id, alice_id = membership(org_a, bob).pk, membership(org_a, alice).pk
    with logs(org_a):
        assert bob_client.post(url(org_a, "member_remove", member_id=alice_id)).status_code == 403
        assert charlie_client.post(url(org_a, "member_remove", member_id=bob_id)).status_code == 404
    with logs(org_a, "member.removed"):
        response = alice_client.post(url(org_a, "member_remove", member_id=bob_id))
    assert response.status_code == 302
    assert bob_client.get(url(org_a, "members")).status_code == 404


def test_removing_oneself_goes_home(org_a, dave, dave_admin):
    from django.test import Client

    client = Client()
    client.force_login(dave)
    response = client.post(url(org_a, "member_remove", member_id=dave_admin.pk))
    assert response.status_code == 302 and response["Location"] == reverse("site:home")


# -- invitations ----------------------------------------------------------------------


def test_invite_shows_the_link_once_and_mails_it(
    org_a, alice_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), logs(org_a, "member.invited"):
        response = alice_client.post(
            url(org_a, "invite"), {"email": "eve@a.example", "role": "member"}
        )
    assert response.status_code == 200
    link = response.context["new_link"]
    assert "/account/invitations/inv_" in link and link in response.content.decode()
    assert b'data-copy="invitation-link"' in response.content
    assert "no-store" in response["Cache-Control"]
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    again = alice_client.get(url(org_a, "members")).content.decode()
    assert "eve@a.example" in again and link not in again


def test_invite_refusals(org_a, alice_client, bob_client, charlie_client):
    data = {"email": "eve@a.example", "role": "member"}
    with logs(org_a):
        assert bob_client.post(url(org_a, "invite"), data).status_code == 403
        assert charlie_client.post(url(org_a, "invite"), data).status_code == 404
        response = alice_client.post(url(org_a, "invite"), {"email": "nope", "role": "member"})
        assert response.status_code == 400 and response.context["invite_form"].errors["email"]
        response = alice_client.post(
            url(org_a, "invite"), {"email": "bob@a.example", "role": "member"}
        )
        assert response.status_code == 409 and response.context["invite_form"].errors["email"]
        assert alice_client.get(url(org_a, "invite")).status_code == 405


def test_revoke_invitation(org_a, alice, alice_client, bob_client, charlie_client):
    invitation, _ = _invite(org_a, alice)
    target = url(org_a, "invitation_revoke", invitation_id=invitation.pk)
    listing = alice_client.get(url(org_a, "members")).content.decode()
    assert "eve@a.example" in listing and target in listing
    with logs(org_a):
        assert bob_client.post(target).status_code == 403
        assert charlie_client.post(target).status_code == 404
    with logs(org_a, "member.invitation_revoked"):
        assert alice_client.post(target).status_code == 302
    with logs(org_a):
        response = alice_client.post(target)
    assert response.status_code == 409 and "already" in " ".join(_messages(response))


def test_expired_invitation_is_marked(org_a, alice, alice_client):
    invitation, _ = _invite(org_a, alice)
    with scopes_disabled():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(hours=1)
        )
    assert b"expired" in alice_client.get(url(org_a, "members")).content


# -- API tokens -----------------------------------------------------------------------


def test_create_token_shows_the_secret_once(org_a, alice_client):
    with logs(org_a, "api_token.created"):
        response = alice_client.post(url(org_a, "tokens"), {"name": "CI", "read_only": "on"})
    assert response.status_code == 200
    secret = response.context["secret"]
    body = response.content.decode()
    assert f'<div class="secret" id="new-token-secret">{secret}</div>' in body
    assert 'data-copy="new-token-secret"' in body
    assert "no-store" in response["Cache-Control"]
    token = _token(org_a, "CI")
    assert token.read_only and token.user.email == "alice@a.example"
    listing = alice_client.get(url(org_a, "tokens")).content.decode()
    assert "CI" in listing and token.prefix in listing
    assert secret not in listing and token.token_hash not in listing


def test_create_token_read_write_with_expiry(org_a, alice_client):
    tomorrow = timezone.now().date() + timedelta(days=1)
    response = alice_client.post(
        url(org_a, "tokens"), {"name": "deploy", "expires_on": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    token = _token(org_a, "deploy")
    assert not token.read_only
    assert token.expires_at.date() == tomorrow + timedelta(days=1)


def test_create_token_refusals(org_a, alice_client, bob_client, charlie_client):
    with logs(org_a):
        assert (
            bob_client.post(url(org_a, "tokens"), {"name": "x", "read_only": "on"}).status_code
            == 403
        )
        assert charlie_client.post(url(org_a, "tokens"), {"name": "x"}).status_code == 404
        response = alice_client.post(url(org_a, "tokens"), {"name": ""})
        assert response.status_code == 400 and response.context["form"].errors["name"]
        yesterday = (timezone.now().date() - timedelta(days=2)).isoformat()
        response = alice_client.post(url(org_a, "tokens"), {"name": "x", "expires_on": yesterday})
        assert response.status_code == 400 and response.context["form"].errors["expires_on"]
        response = alice_client.post(
            url(org_a, "tokens"), {"name": "x", "expires_on": date.max.isoformat()}
        )
        assert response.status_code == 400


def test_token_lists(org_a, alice, bob, alice_client, bob_client):
    issue_token(org_a, alice, read_only=False, name="alice's")
    issue_token(org_a, bob, read_only=True, name="bob's")
    assert {t.name for t in alice_client.get(url(org_a, "tokens")).context["tokens"]} == {
        "alice's",
        "bob's",
    }
    bob_page = bob_client.get(url(org_a, "tokens"))
    assert {t.name for t in bob_page.context["tokens"]} == {"bob's"}
    assert b"Create token" not in bob_page.content


def test_token_status_is_shown(org_a, alice, alice_client):
    issue_token(org_a, alice, read_only=True, name="old")
    issue_token(org_a, alice, read_only=True, name="gone")
    with scopes_disabled():
        ApiToken.objects.filter(name="old").update(expires_at=timezone.now() - timedelta(days=1))
        ApiToken.objects.filter(name="gone").update(revoked_at=timezone.now())
    statuses = {t.name: t.status for t in alice_client.get(url(org_a, "tokens")).context["tokens"]}
    assert statuses == {"old": "expired", "gone": "revoked"}


def test_revoke_token(org_a, alice, bob, alice_client, bob_client, charlie_client):
    issue_token(org_a, bob, read_only=True, name="bob's")
    token = _token(org_a, "bob's")
    target = url(org_a, "token_revoke", token_id=token.pk)
    with logs(org_a):
        assert bob_client.post(target).status_code == 403
        assert charlie_client.post(target).status_code == 404
    with logs(org_a, "api_token.revoked"):
        assert alice_client.post(target).status_code == 302
    with logs(org_a):
        response = alice_client.post(target)
    assert response.status_code == 409


def test_member_cannot_revoke_someone_elses_token(org_a, alice, charlie, charlie_client):
    add_member(org_a, charlie, Role.MEMBER)
    issue_token(org_a, alice, read_only=True, name="alice's")
    target = url(org_a, "token_revoke", token_id=_token(org_a, "alice's").pk)
    with logs(org_a):
        assert charlie_client.post(target).status_code == 404
    assert _token(org_a, "alice's").revoked_at is None


# -- activity log ---------------------------------------------------------------------


def test_activity_page(org_a, alice, alice_client):
    _invite(org_a, alice)
    response = alice_client.get(url(org_a, "activity"))
    rows = list(response.context["page"])
    assert rows[0].action == "member.invited" and rows[-1].action == "organization.created"
    body = response.content.decode()
    assert "alice@a.example" in body or "tests" in body
    filtered = alice_client.get(url(org_a, "activity"), {"action": "organization."})
    assert [r.action for r in filtered.context["page"]] == ["organization.created"]


def test_activity_shows_who_and_from_where(org_a, alice_client):
    alice_client.post(url(org_a, "settings"), {"name": "Renamed"}, REMOTE_ADDR="203.0.113.9")
    body = alice_client.get(url(org_a, "activity")).content.decode()
    assert "203.0.113.9" in body and "organization.settings_changed" in body
    assert "alice@a.example" in body


def test_activity_is_paginated(org_a, alice_client):
    with organization_scope(org_a):
        for n in range(60):
            services.update_settings(org_a, SYSTEM, name=f"Org A {n}", require_mfa=False)
    first = alice_client.get(url(org_a, "activity"))
    assert len(first.context["page"]) == 50 and first.context["page"].has_next()
    second = alice_client.get(url(org_a, "activity"), {"page": 2})
    assert second.context["page"][0].seq == first.context["page"][-1].seq - 1
    assert b'rel="prev"' in second.content
    assert alice_client.get(url(org_a, "activity"), {"page": "x"}).status_code == 200


def test_activity_filter_too_long_is_400(org_a, alice_client):
    assert alice_client.get(url(org_a, "activity"), {"action": "x" * 81}).status_code == 400


def test_activity_page_is_read_only(org_a, alice_client, bob_client):
    assert alice_client.post(url(org_a, "activity")).status_code == 405
    assert bob_client.post(url(org_a, "activity")).status_code == 403


def test_chain_verifies_after_web_changes(org_a, alice, bob, alice_client):
    bob_id = membership(org_a, bob).pk
    alice_client.post(url(org_a, "settings"), {"name": "Renamed", "require_mfa": ""})
    alice_client.post(url(org_a, "invite"), {"email": "eve@a.example", "role": "member"})
    alice_client.post(url(org_a, "member_role", member_id=bob_id), {"role": "member"})
    alice_client.post(url(org_a, "tokens"), {"name": "t"})
    alice_client.post(url(org_a, "token_revoke", token_id=_token(org_a, "t").pk))
    alice_client.post(url(org_a, "member_remove", member_id=bob_id))
    with scopes_disabled():
        web_rows = ActivityLog.objects.filter(organization=org_a, actor_kind="user").count()
    assert web_rows == 6
    assert chain_ok(org_a)


def test_activity_filter_with_nul_is_400(org_a, alice_client):
    assert alice_client.get(url(org_a, "activity"), {"action": "member\x00"}).status_code == 400
