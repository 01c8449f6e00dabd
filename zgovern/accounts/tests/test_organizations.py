"""A signed-in user creates another organisation and owns it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.roles import Role

NEW_ORG = reverse("accounts:new_organization")


def test_anonymous_is_sent_to_sign_in(db):
    response = Client().get(NEW_ORG)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_any_member_creates_an_organization_they_own(bob, bob_client):
    assert bob_client.get(NEW_ORG).status_code == 200
    response = bob_client.post(NEW_ORG, {"name": "Bob's Side Project"})
    org = Organization.objects.get(name="Bob's Side Project")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/"
    with scopes_disabled():
        assert Membership.objects.get(organization=org, user=bob).role == Role.OWNER
    assert bob_client.get(response["Location"]).status_code == 200


def test_blank_name_is_a_field_error(alice_client):
    count = Organization.objects.count()
    response = alice_client.post(NEW_ORG, {"name": "   "})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert Organization.objects.count() == count


def test_same_name_gets_its_own_slug(alice_client, charlie_client, org_a):
    response = charlie_client.post(NEW_ORG, {"name": "Org A"})
    assert response.status_code == 302
    assert response["Location"] != f"/o/{org_a.slug}/"
    assert alice_client.get(response["Location"]).status_code == 404
