"""Signing in with a password, sign-out, and throttling by account and by address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zgovern.accounts.models import LoginFailure

from .conftest import LOGIN, password_step, signed_in_user_id

LIMIT = settings.LOGIN_FAILURE_LIMIT


def fail(client: Client, email: str, ip: str = "127.0.0.1"):
    return password_step(client, email, "not the password", REMOTE_ADDR=ip)


def test_sign_in_redirects_home(alice, org_a):
    client = Client()
    assert client.get(LOGIN).status_code == 200
    response = password_step(client, "Alice@A.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("site:home")
    assert signed_in_user_id(client) == str(alice.pk)


def test_safe_next_is_honoured(alice, org_a):
    client = Client()
    response = client.get(f"/o/{org_a.slug}/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/o/{org_a.slug}/"
    page = client.get(response["Location"])
    assert f'name="next" value="/o/{org_a.slug}/"' in page.content.decode()
    response = client.post(
        LOGIN,
        {
            "email": alice.email,
            "password": "correct horse battery staple",
            "next": f"/o/{org_a.slug}/",
        },
    )
    assert response["Location"] == f"/o/{org_a.slug}/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_unsafe_next_is_ignored(alice, target):
    response = Client().post(
        f"{LOGIN}?next={target}", {"email": alice.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("site:home")


def test_wrong_password_is_refused_and_counted(alice):
    client = Client()
    response = fail(client, alice.email)
    assert response.status_code == 400
    assert "not correct" in response.context["form"].non_field_errors()[0]
    assert signed_in_user_id(client) is None
    assert set(LoginFailure.objects.values_list("kind", "key")) == {
        ("account", "alice@a.example"),
        ("address", "127.0.0.1"),
    }


def test_unknown_email_gets_the_same_answer(db):
    response = fail(Client(), "nobody@nowhere.example")
    assert response.status_code == 400
    assert "not correct" in response.context["form"].non_field_errors()[0]


def test_inactive_user_cannot_sign_in(alice):
    alice.is_active = False
    alice.save()
    response = password_step(Client(), alice.email)
    assert response.status_code == 400


def test_lockout_by_account_refuses_even_the_right_password(alice, bob):
    client = Client()
    for n in range(LIMIT):  # from a different address each time
        assert fail(client, alice.email, f"10.0.0.{n}").status_code == 400
    response = password_step(client, alice.email, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429
    assert "this account" in response.context["form"].non_field_errors()[0]
    assert signed_in_user_id(client) is None
    # The lock is the account's: bob signs in from one of the same addresses.
    assert password_step(Client(), bob.email, REMOTE_ADDR="10.0.0.1").status_code == 302


def test_lockout_by_address_refuses_every_account_from_it(alice, bob):
    for n in range(LIMIT):  # a different account each time
        fail(Client(), f"guess{n}@a.example", "10.9.9.9")
    response = password_step(Client(), alice.email, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert "network address" in response.context["form"].non_field_errors()[0]
    assert password_step(Client(), alice.email, REMOTE_ADDR="10.9.9.8").status_code == 302


def test_locked_attempts_do_not_extend_the_lock(alice):
    for _ in range(LIMIT):
        fail(Client(), alice.email)
    for _ in range(3):
        assert fail(Client(), alice.email).status_code == 429
    assert LoginFailure.objects.filter(kind="account").count() == LIMIT


def test_success_clears_the_account_but_not_the_address(alice):
    for _ in range(LIMIT - 1):
        fail(Client(), alice.email)
    assert password_step(Client(), alice.email).status_code == 302
    assert not LoginFailure.objects.filter(kind="account").exists()
    assert LoginFailure.objects.filter(kind="address").count() == LIMIT - 1
    # The account starts again from zero: one more failure does not lock it.
    fail(Client(), alice.email, "10.1.1.1")
    assert password_step(Client(), alice.email, REMOTE_ADDR="10.1.1.2").status_code == 302


def test_the_lock_ends_with_the_window_and_old_rows_are_pruned(alice):
    for _ in range(LIMIT):
        fail(Client(), alice.email)
    assert password_step(Client(), alice.email).status_code == 429
    past = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1)
    LoginFailure.objects.update(at=past)
    assert password_step(Client(), alice.email).status_code == 302
    fail(Client(), "someone@else.example", "10.2.2.2")
    assert LoginFailure.objects.count() == 2  # only the fresh pair is left
    assert not LoginFailure.objects.filter(at__lte=past).exists()


def test_sign_out_needs_post(alice_client):
    assert alice_client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user_id(alice_client) is not None
    response = alice_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(alice_client) is None


def test_signed_in_user_visiting_login_is_sent_on(alice_client):
    response = alice_client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("site:home")
