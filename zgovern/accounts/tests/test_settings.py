"""Settings that protect passwords, and page headers that keep scripts out."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse


def test_argon2_hashes_passwords_in_production():
    assert settings.PRODUCTION_PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["accounts:login", "accounts:signup", "accounts:password_reset"])
def test_auth_pages_have_no_inline_script_and_send_csp(name):
    response = Client().get(reverse(name))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the base template's scripts are missing"
    assert all(" src=" in tag for tag in scripts)
    assert 'class="auth-box"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.django_db
def test_forms_are_labelled_and_focus_the_first_field():
    html = Client().get(reverse("accounts:login")).content.decode()
    assert '<label for="id_email">' in html
    assert '<label for="id_password">' in html
    assert re.search(r'<input[^>]*name="email"[^>]*autofocus', html)


def test_csrf_is_enforced_on_sign_in(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"), {"email": alice.email, "password": "whatever"}
    )
    assert response.status_code == 403
