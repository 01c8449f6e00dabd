"""A person's first minutes, in a real browser (Debian's Chromium driven by Playwright)
against the live server: sign up, enrol an authenticator, sign out, sign in with a TOTP
code, and invite a colleague."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pyotp
import pytest
from django.core import mail
from django_scopes import scopes_disabled

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, settings):
    assert CHROMIUM.exists(), "install Debian's chromium (make test does) to run browser tests"
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse
    # ORM calls here; the test's own queries are plain blocking ones, which is safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.BASE_URL = live_server.url
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 780})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _sign_up(page, base: str) -> str:
    page.goto(f"{base}/account/signup/")
    page.get_by_label(re.compile(r"^Email address")).fill("founder@startup.example")
    page.get_by_label(re.compile(r"^Full name")).fill("Fran Founder")
    page.get_by_label(re.compile(r"^Password")).fill("a long and unusual passphrase 42")
    page.get_by_label(re.compile(r"^Organisation name")).fill("Startup Ltd")
    page.get_by_role("button", name=re.compile("Create", re.I)).click()
    page.wait_for_url(re.compile(r"/o/[\w-]+/$"))
    return page.url


def _enrol_totp(page, base: str) -> str:
    page.goto(f"{base}/account/mfa/setup/")
    secret = page.locator("#totp-secret").inner_text().strip().replace(" ", "")
    page.get_by_label(re.compile("code", re.I)).first.fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.get_by_text(re.compile("recovery codes", re.I)).first.wait_for()
    return secret


def _sign_in_with_totp(page, base: str, secret: str) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label(re.compile(r"^Email address")).fill("founder@startup.example")
    page.get_by_label(re.compile(r"^Password")).fill("a long and unusual passphrase 42")
    page.get_by_role("button", name=re.compile("Sign in|Continue", re.I)).click()
    # The enrolment code's time step is spent (codes are single-use); the next step's
    # code is within the accepted drift.
    page.get_by_label(re.compile("code", re.I)).first.fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name=re.compile("Verify|Sign in|Continue", re.I)).click()
    page.wait_for_url(re.compile(r"/o/[\w-]+/$"))


def test_sign_up_enrol_sign_in_with_totp_and_invite(page, live_server):
    base = live_server.url
    dashboard = _sign_up(page, base)
    secret = _enrol_totp(page, base)

    page.goto(dashboard)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/account/login/"))
    page.goto(dashboard)
    assert "/account/login/" in page.url, "signed-out visitors are sent to sign in"

    _sign_in_with_totp(page, base, secret)
    page.goto(f"{dashboard}settings/members/")
    page.get_by_label(re.compile(r"^Email address")).fill("colleague@startup.example")
    page.get_by_label("Role", exact=True).select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("colleague@startup.example").first.wait_for()

    from zgovern.accounts.models import User
    from zgovern.tenancy.models import Invitation

    user = User.objects.get(email="founder@startup.example")
    assert user.has_mfa
    with scopes_disabled():
        invitation = Invitation.objects.get(email="colleague@startup.example")
    assert invitation.role == "member" and invitation.organization.name == "Startup Ltd"
    assert [m.to for m in mail.outbox if "invited" in m.subject] == [["colleague@startup.example"]]
