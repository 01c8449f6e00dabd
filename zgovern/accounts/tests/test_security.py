"""The security page: recovery codes, removing MFA, changing the password."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PASSWORD
from zgovern.accounts.models import RecoveryCode, TOTPDevice
from zgovern.core.actor import Actor
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.models import ActivityLog

from .conftest import enrol, password_step, signed_in_user_id

SECURITY = reverse("accounts:security")
REGENERATE = reverse("accounts:regenerate_recovery_codes")
REMOVE = reverse("accounts:remove_mfa")
PASSWORD_URL = reverse("accounts:change_password")


def test_anonymous_is_sent_to_sign_in(db):
    for url in (SECURITY, REGENERATE, REMOVE, PASSWORD_URL):
        response = Client().post(url) if url != SECURITY else Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_page_shows_mfa_status(alice, alice_client, clock):
    page = alice_client.get(SECURITY)
    assert page.status_code == 200
    assert "Set up an authenticator app" in page.content.decode()
    enrol(alice, clock)
    html = alice_client.get(SECURITY).content.decode()
    assert "10 unused recovery codes left" in html
    assert "Make new recovery codes" in html


def test_writes_need_post(alice_client):
    for url in (REGENERATE, REMOVE, PASSWORD_URL):
        assert alice_client.get(url).status_code == 405, url


def test_regenerating_recovery_codes_needs_a_current_totp_code(alice, alice_client, clock):
    enrolled = enrol(alice, clock)
    before = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    wrong = alice_client.post(REGENERATE, {"regen-code": "000000"})
    assert wrong.status_code == 400
    assert wrong.context["regenerate_form"].errors["code"]
    # A recovery code is not enough to make new ones.
    assert (
        alice_client.post(REGENERATE, {"regen-code": enrolled.recovery_codes[0]}).status_code == 400
    )
    assert set(RecoveryCode.objects.values_list("code_hash", flat=True)) == before

    done = alice_client.post(REGENERATE, {"regen-code": clock.code(enrolled.secret)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert set(RecoveryCode.objects.values_list("code_hash", flat=True)).isdisjoint(before)
    with scopes_disabled():
        assert ActivityLog.objects.filter(action="account.recovery_codes_regenerated").exists()

    # The old codes no longer sign in; the new ones do.
    client = Client()
    password_step(client, alice.email)
    assert (
        client.post(
            reverse("accounts:login_verify"), {"code": enrolled.recovery_codes[1]}
        ).status_code
        == 400
    )
    assert client.post(reverse("accounts:login_verify"), {"code": codes[0]}).status_code == 302


def test_removing_mfa_needs_password_and_code(alice, alice_client, clock):
    enrolled = enrol(alice, clock)
    code = clock.code(enrolled.secret)
    wrong_password = alice_client.post(REMOVE, {"remove-password": "nope", "remove-code": code})
    assert wrong_password.status_code == 400
    assert wrong_password.context["remove_form"].errors["password"]
    wrong_code = alice_client.post(REMOVE, {"remove-password": PASSWORD, "remove-code": "000000"})
    assert wrong_code.status_code == 400
    assert wrong_code.context["remove_form"].errors["code"]
    assert alice.has_mfa

    done = alice_client.post(REMOVE, {"remove-password": PASSWORD, "remove-code": code})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(user=alice).exists()
    with scopes_disabled():
        assert ActivityLog.objects.filter(action="account.mfa_removed", actor=alice).exists()
    # Signing in is one step again.
    assert password_step(Client(), alice.email)["Location"] == reverse("site:home")


def test_removing_mfa_accepts_a_recovery_code(alice, alice_client, clock):
    enrolled = enrol(alice, clock)
    response = alice_client.post(
        REMOVE, {"remove-password": PASSWORD, "remove-code": enrolled.recovery_codes[0]}
    )
    assert response.status_code == 302
    assert not alice.has_mfa


def test_removing_mfa_is_refused_while_an_organization_requires_it(
    alice, alice_client, org_a, clock
):
    enrolled = enrol(alice, clock)
    tenancy.update_settings(org_a, Actor.system("tests"), name=org_a.name, require_mfa=True)
    page = alice_client.get(SECURITY).content.decode()
    assert "It must stay on" in page and "Org A" in page
    response = alice_client.post(
        REMOVE, {"remove-password": PASSWORD, "remove-code": clock.code(enrolled.secret)}
    )
    assert response.status_code == 403
    assert "Org A" in response.context["remove_form"].non_field_errors()[0]
    assert alice.has_mfa


def test_mfa_of_one_user_does_not_touch_another(alice, bob, bob_client, clock):
    enrol(alice, clock)
    assert "Set up an authenticator app" in bob_client.get(SECURITY).content.decode()
    assert bob_client.post(REGENERATE, {"regen-code": "123456"}).status_code == 409
    assert RecoveryCode.objects.filter(user=alice).count() == 10


def test_changing_the_password(alice, alice_client):
    other_session = Client()
    other_session.force_login(alice)
    new = "another long passphrase here"
    wrong = alice_client.post(
        PASSWORD_URL,
        {"pw-old_password": "nope", "pw-new_password1": new, "pw-new_password2": new},
    )
    assert wrong.status_code == 400
    assert wrong.context["password_form"].errors["old_password"]
    weak = alice_client.post(
        PASSWORD_URL,
        {"pw-old_password": PASSWORD, "pw-new_password1": "12345", "pw-new_password2": "12345"},
    )
    assert weak.status_code == 400
    done = alice_client.post(
        PASSWORD_URL,
        {"pw-old_password": PASSWORD, "pw-new_password1": new, "pw-new_password2": new},
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert alice_client.get(SECURITY).status_code == 200  # this session stays signed in
    assert other_session.get(SECURITY).status_code == 302  # others are signed out
    assert signed_in_user_id(other_session) is None
