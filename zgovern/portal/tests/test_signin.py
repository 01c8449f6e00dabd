"""One-time sign-in links: sent only to accounts, used once, expire, throttled, and a user
with two-factor authentication still passes the second step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from zgovern.accounts.models import User
from zgovern.core.tokens import digest
from zgovern.portal import signin
from zgovern.portal.models import SignInLink

ASK = "/account/sign-in-link/"


def _link(message) -> str:
    return re.search(r"http://testserver(/account/sign-in-link/zgl_[\w-]+/)", message.body)[1]


@pytest.fixture
def ask(client, cast):
    def go(email="ERIC@a.example"):
        return client.post(ASK, {"email": email})

    return go


def test_a_link_signs_in_once(org_a, cast, client, ask):
    assert client.get(ASK).status_code == 200
    assert ask().status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["eric@a.example"]
    link = _link(mail.outbox[0])
    stored = SignInLink.objects.get()
    assert stored.token_hash == digest(link.split("/")[-2]) and link.split("/")[-2] not in str(
        stored.__dict__
    )
    # Opening the link (a mail scanner, say) does not spend it.
    assert client.get(link).status_code == 200 and client.get(link).status_code == 200
    signed_in = client.post(link)
    assert signed_in.status_code == 302
    assert client.get(f"/o/{org_a.slug}/tasks/").status_code == 200
    client.logout()
    again = client.post(link)
    assert again.status_code == 410 and b"already used" in again.content
    assert client.get(link).status_code == 410
    assert client.get(f"/o/{org_a.slug}/tasks/").status_code == 302  # not signed in


def test_an_expired_or_unknown_link_is_refused(cast, client, ask):
    ask()
    link = _link(mail.outbox[0])
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post(link)
    assert expired.status_code == 410 and b"expired" in expired.content
    unknown = client.post(ASK + "zgl_nonsense/")
    assert unknown.status_code == 410 and b"not valid" in unknown.content


def test_unknown_addresses_get_the_same_answer_and_no_email(cast, ask):
    known, unknown = ask(), ask("nobody@a.example")
    assert known.status_code == unknown.status_code == 200

    def page(response):  # the CSRF token differs per response
        return re.sub(rb'"X-CSRFToken": "[^"]*"', b"", response.content)

    assert page(known) == page(unknown)
    assert len(mail.outbox) == 1
    assert ask("not-an-email").status_code == 400


def test_at_most_three_links_an_hour(cast, ask):
    for _ in range(5):
        assert ask().status_code == 200
    assert len(mail.outbox) == signin.LINKS_PER_HOUR


def test_unknown_links_lock_the_address(cast, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert client.post(ASK + "zgl_guess/").status_code == 410
    locked = client.post(ASK + "zgl_guess/")
    assert locked.status_code == 429


def test_two_factor_users_still_pass_the_second_step(cast, client, ask):
    User.objects.filter(pk=cast.user.pk).update()  # the user exists
    from zgovern.accounts import services

    services.begin_totp_enrolment(cast.user)
    cast.user.totp_devices.update(confirmed_at=timezone.now())
    ask()
    response = client.post(_link(mail.outbox[0]))
    assert response.status_code == 302 and response["Location"] == "/account/login/verify/"
    assert "_auth_user_id" not in client.session


def test_someone_on_the_roster_without_an_account_gets_one_as_employee(org_a, cast, client, ask):
    from zgovern.policies.tests.conftest import add_person
    from zgovern.tenancy.models import Membership

    add_person(org_a, "noah@a.example", full_name="Noah New")
    add_person(org_a, "lea@a.example", end_date=timezone.localdate() - timedelta(days=1))
    assert ask("lea@a.example").status_code == 200  # a leaver: nothing sent
    assert ask("Noah@a.example").status_code == 200
    assert [m.to for m in mail.outbox] == [["noah@a.example"]]
    assert not User.objects.filter(email="noah@a.example").exists()  # not before the link
    assert client.post(_link(mail.outbox[0])).status_code == 302
    user = User.objects.get(email="noah@a.example")
    assert not user.has_usable_password()
    from django_scopes import scopes_disabled

    with scopes_disabled():
        assert Membership.objects.get(user=user).role == "employee"
    page = client.get(f"/o/{org_a.slug}/tasks/", follow=True)
    assert b"Hello Noah New" in page.content
    assert client.get(f"/o/{org_a.slug}/people/").status_code == 403
