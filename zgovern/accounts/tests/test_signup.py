"""Sign-up: a user and their organisation, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.accounts import services
from zgovern.accounts.models import SignUp, User
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy.models import ActivityLog, Membership, Organization
from zgovern.tenancy.roles import Role

from .conftest import signed_in_user_id

SIGNUP = reverse("accounts:signup")
GOOD = {
    "email": "Dana@New.example",
    "full_name": "Dana Founder",
    "password": "a long and unusual passphrase",
    "organization_name": "Dana Corp",
}


@pytest.mark.django_db
def test_signup_creates_user_and_owned_organization_and_signs_in():
    client = Client()
    assert client.get(SIGNUP).status_code == 200
    response = client.post(SIGNUP, GOOD)
    org = Organization.objects.get(name="Dana Corp")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/"
    user = User.objects.get(email="dana@new.example")
    assert user.full_name == "Dana Founder"
    assert user.check_password(GOOD["password"])
    assert signed_in_user_id(client) == str(user.pk)
    with scopes_disabled():
        assert Membership.objects.get(organization=org, user=user).role == Role.OWNER
        actions = set(ActivityLog.objects.filter(organization=org).values_list("action", flat=True))
    assert {"organization.created", "member.added"} <= actions
    assert client.get(response["Location"]).status_code == 200


def test_duplicate_email_is_a_field_error_and_writes_nothing(alice):
    client = Client()
    before = (User.objects.count(), Organization.objects.count())
    response = client.post(SIGNUP, {**GOOD, "email": "ALICE@a.example"})
    assert response.status_code == 409
    form = response.context["form"]
    assert "already exists" in form.errors["email"][0]
    assert (User.objects.count(), Organization.objects.count()) == before
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short1", "password123", "1234567890123", "danafounder"])
def test_weak_password_is_refused(password):
    response = Client().post(SIGNUP, {**GOOD, "password": password})
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(email="dana@new.example").exists()
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_password_similar_to_email_is_refused():
    response = Client().post(SIGNUP, {**GOOD, "password": "dana@new.example"})
    assert response.status_code == 400
    assert "too similar" in response.context["form"].errors["password"][0]


@pytest.mark.django_db
def test_missing_fields_are_named():
    response = Client().post(SIGNUP, {"email": "not-an-email"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"email", "full_name", "password", "organization_name"}


@pytest.mark.django_db
def test_organization_refused_by_the_service_rolls_back_the_user():
    with pytest.raises(DomainError) as caught:
        services.sign_up(
            email="erin@new.example",
            full_name="Erin",
            password=GOOD["password"],
            organization_name=" " * 3,
            actor=Actor.system("tests"),
        )
    assert caught.value.field == "organization_name"
    assert not User.objects.filter(email="erin@new.example").exists()


def test_signed_in_user_is_sent_to_new_organization(alice_client):
    response = alice_client.get(SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:new_organization")


def _sign_up_from(client: Client, number: int, address: str):
    data = {**GOOD, "email": f"dana{number}@new.example", "organization_name": f"Corp {number}"}
    return client.post(SIGNUP, data, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_one_address_creating_many_accounts_is_slowed_down(settings):
    settings.SIGNUP_LIMIT, settings.SIGNUP_WINDOW = 3, 3600
    client = Client()
    for number in range(3):
        assert _sign_up_from(Client(), number, "203.0.113.7").status_code == 302
    users = User.objects.count()
    refused = _sign_up_from(client, 9, "203.0.113.7")
    assert refused.status_code == 429
    assert "Too many accounts were created from your network address" in refused.content.decode()
    assert "about 60 minutes" in refused.content.decode()
    assert User.objects.count() == users and signed_in_user_id(client) is None
    assert _sign_up_from(Client(), 10, "198.51.100.2").status_code == 302  # another address


@pytest.mark.django_db
def test_the_sign_up_limit_lifts_when_the_window_has_passed(settings):
    settings.SIGNUP_LIMIT, settings.SIGNUP_WINDOW = 1, 3600
    actor = Actor(kind="anonymous", label="", ip="203.0.113.8")
    services.sign_up(**{**GOOD, "email": "e1@new.example"}, actor=actor)
    with pytest.raises(services.SignUpLimited):
        services.sign_up(**{**GOOD, "email": "e2@new.example"}, actor=actor)
    SignUp.objects.update(at=timezone.now() - timedelta(seconds=3601))
    services.sign_up(**{**GOOD, "email": "e3@new.example", "organization_name": "Other"},
                     actor=actor)  # fmt: skip
    assert SignUp.objects.count() == 1  # the aged-out one is forgotten


@pytest.mark.django_db
def test_a_refused_or_failed_sign_up_is_not_counted(settings):
    settings.SIGNUP_LIMIT = 1
    actor = Actor(kind="anonymous", label="", ip="203.0.113.9")
    with pytest.raises(DomainError):
        services.sign_up(**{**GOOD, "password": "short1"}, actor=actor)
    assert SignUp.objects.count() == 0
    services.sign_up(**GOOD, actor=actor)
    assert SignUp.objects.count() == 1
