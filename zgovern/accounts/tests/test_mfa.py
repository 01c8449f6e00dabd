"""TOTP enrolment, the second sign-in step, replay and recovery codes, and required MFA."""

from __future__ import annotations

import hashlib
import re
import time

import pyotp
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from zgovern.accounts.models import LoginFailure, RecoveryCode, TOTPDevice
from zgovern.accounts.views import PENDING_KEY
from zgovern.core.actor import Actor
from zgovern.core.crypto import decrypt
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.models import ActivityLog

from .conftest import LOGIN, VERIFY, code_step, enrol, password_step, signed_in_user_id

SETUP = reverse("accounts:mfa_setup")


def pending_secret(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed_at__isnull=True)
    return decrypt(device.secret_encrypted)


def test_enrolment_shows_qr_and_secret_then_recovery_codes_once(alice, alice_client, clock):
    page = alice_client.get(SETUP)
    assert page.status_code == 200
    secret = pending_secret(alice)
    html = page.content.decode()
    assert secret in html
    assert re.search(r'<img src="data:image/svg\+xml[^"]*" alt="QR code', html)
    assert TOTPDevice.objects.get(user=alice).secret_encrypted != secret
    # Reloading keeps the same secret, so an already-scanned QR stays valid.
    alice_client.get(SETUP)
    assert pending_secret(alice) == secret

    wrong = alice_client.post(SETUP, {"code": "000000"})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["code"]
    assert not alice.has_mfa

    done = alice_client.post(SETUP, {"code": clock.code(secret)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    body = done.content.decode()
    assert all(code in body for code in codes)
    assert "no-store" in done["Cache-Control"]
    stored = set(RecoveryCode.objects.filter(user=alice).values_list("code_hash", flat=True))
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert alice.has_mfa
    with scopes_disabled():
        assert ActivityLog.objects.filter(action="account.mfa_enabled", actor=alice).count() == 1

    # Never shown again: the setup page now sends to the security page.
    again = alice_client.get(SETUP)
    assert again.status_code == 302
    assert again["Location"] == reverse("accounts:security")
    security = alice_client.get(again["Location"]).content.decode()
    assert not any(code in security for code in codes)
    assert secret not in security


def test_enrolment_accepts_one_step_of_drift(alice, alice_client, clock):
    alice_client.get(SETUP)
    secret = pending_secret(alice)
    assert alice_client.post(SETUP, {"code": clock.code(secret, 2)}).status_code == 400
    assert alice_client.post(SETUP, {"code": clock.code(secret, 1)}).status_code == 200


def test_enrolment_needs_sign_in(db):
    response = Client().get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_second_step_signs_in_only_after_the_code(alice, org_a, clock):
    enrolled = enrol(alice, clock)
    client = Client()
    first = password_step(client, alice.email)
    assert first.status_code == 302
    assert first["Location"] == VERIFY
    assert signed_in_user_id(client) is None
    assert client.get(f"/o/{org_a.slug}/").status_code == 302  # still signed out
    assert client.get(VERIFY).status_code == 200
    wrong = code_step(client, "123456")
    assert wrong.status_code == 400
    assert signed_in_user_id(client) is None
    done = code_step(client, clock.code(enrolled.secret))
    assert done.status_code == 302
    assert signed_in_user_id(client) == str(alice.pk)
    assert PENDING_KEY not in client.session


def test_second_step_keeps_a_safe_next(alice, org_a, clock):
    enrolled = enrol(alice, clock)
    client = Client()
    client.post(
        f"{LOGIN}?next=/o/{org_a.slug}/",
        {"email": alice.email, "password": "correct horse battery staple"},
    )
    response = code_step(client, clock.code(enrolled.secret))
    assert response["Location"] == f"/o/{org_a.slug}/"


def test_a_totp_code_is_accepted_once(alice, clock):
    enrolled = enrol(alice, clock)
    code = clock.code(enrolled.secret)
    client = Client()
    password_step(client, alice.email)
    assert code_step(client, code).status_code == 302
    client.post(reverse("accounts:logout"))

    password_step(client, alice.email)
    replay = code_step(client, code)
    assert replay.status_code == 400
    assert "already used" in replay.context["form"].errors["code"][0]
    assert signed_in_user_id(client) is None
    # An older step is refused too, once a newer one was accepted.
    assert code_step(client, clock.code(enrolled.secret, -1)).status_code == 400
    assert code_step(client, clock.code(enrolled.secret, 1)).status_code == 302


def test_recovery_code_is_single_use(alice, clock):
    enrolled = enrol(alice, clock)
    code = enrolled.recovery_codes[3]
    client = Client()
    password_step(client, alice.email)
    response = code_step(client, f"  {code.upper().replace('-', ' ')} ", follow=True)
    assert signed_in_user_id(client) == str(alice.pk)
    assert "9 unused codes left" in response.content.decode()
    client.post(reverse("accounts:logout"))

    password_step(client, alice.email)
    assert code_step(client, code).status_code == 400
    assert signed_in_user_id(client) is None
    assert RecoveryCode.objects.filter(user=alice, used_at__isnull=False).count() == 1


def test_wrong_codes_count_towards_the_lock(alice, clock):
    enrolled = enrol(alice, clock)
    client = Client()
    password_step(client, alice.email)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert code_step(client, "999999").status_code == 400
    locked = code_step(client, clock.code(enrolled.secret))
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert signed_in_user_id(client) is None
    assert PENDING_KEY not in client.session
    assert password_step(Client(), alice.email, REMOTE_ADDR="10.4.4.4").status_code == 429


def test_pending_sign_in_expires(alice, clock):
    enrol(alice, clock)
    client = Client()
    password_step(client, alice.email)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "until": time.time() - 1}
    session.save()
    response = code_step(client, "123456")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None


def test_second_step_without_the_first_goes_back(db):
    response = Client().get(VERIFY)
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_required_mfa_sends_members_to_enrolment(alice, alice_client, bob_client, org_a, clock):
    tenancy.update_settings(org_a, Actor.system("tests"), name=org_a.name, require_mfa=True)
    dashboard = f"/o/{org_a.slug}/"
    for client in (alice_client, bob_client):
        response = client.get(dashboard)
        assert response.status_code == 302
        assert response["Location"] == f"{SETUP}?required={org_a.slug}"

    page = alice_client.get(f"{SETUP}?required={org_a.slug}")
    assert "Org A requires two-factor authentication" in page.content.decode()
    done = alice_client.post(
        f"{SETUP}?required={org_a.slug}", {"code": clock.code(pending_secret(alice))}
    )
    assert f'href="{dashboard}"' in done.content.decode()
    assert alice_client.get(dashboard).status_code == 200
    assert bob_client.get(dashboard).status_code == 302  # bob has not enrolled yet


def test_required_parameter_does_not_reveal_other_organizations(charlie_client, org_a):
    page = charlie_client.get(f"{SETUP}?required={org_a.slug}")
    assert page.status_code == 200
    assert "Org A" not in page.content.decode()


def test_secret_is_stored_encrypted(alice, clock):
    enrolled = enrol(alice, clock)
    device = TOTPDevice.objects.get(user=alice)
    assert enrolled.secret not in device.secret_encrypted
    assert pyotp.TOTP(decrypt(device.secret_encrypted)).at(clock.now) == clock.code(enrolled.secret)
    assert not LoginFailure.objects.exists()
