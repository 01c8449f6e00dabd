"""Password reset by emailed link, without revealing which addresses have accounts."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from zgovern.accounts.models import LoginFailure

from .conftest import password_step, signed_in_user_id

RESET = reverse("accounts:password_reset")
NEW = "a brand new passphrase"


def reset_link() -> str:
    assert len(mail.outbox) == 1
    found = re.search(r"https?://\S+/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    return found.group(0)


def test_reset_mail_has_a_working_link(alice):
    client = Client()
    assert client.get(RESET).status_code == 200
    response = client.post(RESET, {"email": "ALICE@a.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox[0].to == [alice.email]
    assert mail.outbox[0].subject == "Reset your zGovern password"
    link = reset_link()
    assert link.startswith(settings.BASE_URL + "/account/")

    path = link.removeprefix(settings.BASE_URL)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert signed_in_user_id(client) is None  # the reset does not sign in

    assert password_step(Client(), alice.email, NEW).status_code == 302
    # The link works once.
    assert client.get(path, follow=True).context["validlink"] is False


def test_unknown_address_gets_the_same_answer_and_no_mail(alice):
    response = Client().post(RESET, {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_weak_new_password_is_refused(alice):
    client = Client()
    client.post(RESET, {"email": alice.email})
    page = client.get(reset_link().removeprefix(settings.BASE_URL), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "1234", "new_password2": "1234"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    alice.refresh_from_db()
    assert not alice.check_password("1234")


def test_reset_lifts_the_account_lock(alice):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        password_step(Client(), alice.email, "wrong", REMOTE_ADDR=f"10.3.0.{n}")
    assert password_step(Client(), alice.email, REMOTE_ADDR="10.3.1.1").status_code == 429
    client = Client()
    client.post(RESET, {"email": alice.email})
    page = client.get(reset_link().removeprefix(settings.BASE_URL), follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert not LoginFailure.objects.filter(kind="account").exists()
    assert password_step(Client(), alice.email, NEW, REMOTE_ADDR="10.3.1.1").status_code == 302
