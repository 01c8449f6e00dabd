"""Helpers of the sign-in tests: a frozen TOTP clock, enrolment, and the two sign-in steps."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from zgovern.accounts import mfa, services
from zgovern.core.actor import Actor
from zgovern.core.crypto import decrypt

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:login_verify")


@dataclass
class Clock:
    """The time TOTP codes are checked against; fixed so a test never straddles a step."""

    now: float

    def code(self, secret: str, steps: int = 0) -> str:
        return pyotp.TOTP(secret).at(self.now + steps * 30)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    # The middle of a 30-second step, so +-1 step is unambiguous.
    clock = Clock(now=(int(time.time()) // 30) * 30 + 15)
    monkeypatch.setattr(mfa, "_now", lambda: clock.now)
    return clock


@dataclass
class Enrolled:
    secret: str
    recovery_codes: list[str]


def enrol(user, clock: Clock) -> Enrolled:
    """Turn MFA on for ``user``, confirming with the previous step's code so the current
    and the next step's codes are still unused."""
    device, secret = services.begin_totp_enrolment(user)
    assert decrypt(device.secret_encrypted) == secret
    codes = services.confirm_totp_enrolment(user, Actor.system("tests"), clock.code(secret, -1))
    return Enrolled(secret=secret, recovery_codes=codes)


def password_step(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password}, **extra)


def code_step(client: Client, code: str, **extra):
    return client.post(VERIFY, {"code": code}, **extra)


def signed_in_user_id(client: Client):
    return client.session.get("_auth_user_id")
