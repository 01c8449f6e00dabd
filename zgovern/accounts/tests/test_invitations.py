"""Accepting an invitation: as a new account, as the signed-in invitee, and the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.accounts.models import User
from zgovern.core.actor import Actor
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.models import Invitation, Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import membership_for, organization_scope

from .conftest import signed_in_user_id

NEW_PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def invite(alice, org_a):
    def make(email: str, role: str = Role.MEMBER) -> str:
        by = membership_for(org_a, alice)
        with organization_scope(org_a):  # as the settings page's view would run
            _invitation, raw = tenancy.invite(org_a, by, Actor.system("tests"), email, role)
        return raw

    return make


def url(raw: str) -> str:
    return reverse("accounts:accept_invitation", args=[raw])


def test_new_account_joins_with_the_invited_email(invite, org_a):
    raw = invite("dana@new.example", Role.MEMBER)
    client = Client()
    page = client.get(url(raw))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Org A" in html and "member" in html
    assert 'value="dana@new.example"' in html and "disabled" in html
    response = client.post(
        url(raw),
        {"email": "mallory@evil.example", "full_name": "Dana", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org_a.slug}/"
    user = User.objects.get(email="dana@new.example")
    assert not User.objects.filter(email="mallory@evil.example").exists()
    assert signed_in_user_id(client) == str(user.pk)
    assert membership_for(org_a, user).role == Role.MEMBER
    assert client.get(response["Location"]).status_code == 200
    # The link is spent.
    assert Client().get(url(raw)).status_code == 410


def test_weak_password_keeps_the_invitation_open(invite):
    raw = invite("dana@new.example")
    response = Client().post(url(raw), {"full_name": "Dana", "password": "12345"})
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(email="dana@new.example").exists()
    assert Client().get(url(raw)).status_code == 200


def test_existing_account_is_asked_to_sign_in_first(invite, charlie, org_a):
    raw = invite(charlie.email, Role.ADMIN)
    page = Client().get(url(raw))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign in to accept" in html
    assert f"{reverse('accounts:login')}?next=/account/invitations/" in html
    assert 'name="password"' not in html
    assert Client().post(url(raw), {"full_name": "X", "password": NEW_PASSWORD}).status_code == 200
    assert membership_for(org_a, charlie) is None


def test_signed_in_invitee_accepts_with_a_button(invite, charlie, charlie_client, org_a):
    raw = invite(charlie.email, Role.ADMIN)
    page = charlie_client.get(url(raw))
    assert page.status_code == 200
    assert "Accept and join Org A" in page.content.decode()
    assert membership_for(org_a, charlie) is None  # a GET changes nothing
    response = charlie_client.post(url(raw))
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org_a.slug}/"
    assert membership_for(org_a, charlie).role == Role.ADMIN
    assert charlie_client.get(response["Location"]).status_code == 200


def test_wrong_signed_in_user_gets_403(invite, bob_client, org_a):
    raw = invite("dana@new.example")
    for response in (bob_client.get(url(raw)), bob_client.post(url(raw))):
        assert response.status_code == 403
        assert "dana@new.example" in response.content.decode()
    with scopes_disabled():
        assert Invitation.objects.get(email="dana@new.example").accepted_at is None


def test_expired_revoked_and_used_links_answer_410(invite, alice, org_a, charlie_client, charlie):
    expired, revoked, used = (invite(f"{n}@new.example") for n in ("e", "r", "u"))
    with scopes_disabled():
        Invitation.objects.filter(email="e@new.example").update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        Invitation.objects.filter(email="r@new.example").update(revoked_at=timezone.now())
        Invitation.objects.filter(email="u@new.example").update(accepted_at=timezone.now())
    for raw, reason in ((expired, "expired"), (revoked, "withdrawn"), (used, "already been used")):
        for response in (Client().get(url(raw)), Client().post(url(raw), {"password": "x"})):
            assert response.status_code == 410
            assert reason in response.content.decode()
    assert not User.objects.filter(email__endswith="@new.example").exists()


def test_unknown_token_is_404(db):
    response = Client().get(url("inv_not-a-real-token"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_already_a_member_is_sent_to_the_dashboard(invite, bob, bob_client, org_a):
    with scopes_disabled():
        Membership.objects.filter(user=bob).delete()
    raw = invite(bob.email, Role.AUDITOR)
    with scopes_disabled():
        Membership.objects.create(organization=org_a, user=bob, role=Role.AUDITOR)
    response = bob_client.post(url(raw))
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org_a.slug}/"
