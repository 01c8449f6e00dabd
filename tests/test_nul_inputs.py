"""A NUL character in a query string or path is refused as bad input (PostgreSQL cannot
store or compare it, so reaching the database would be a 500 there)."""

from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.tenancy import services
from zgovern.tenancy.models import Membership


def _token(org, user) -> str:
    with scopes_disabled():
        membership = Membership.objects.get(organization=org, user=user)
    _, raw = services.create_api_token(
        org, membership, Actor.system("tests"), name="t", read_only=True, expires_at=None
    )
    return raw


def test_control_filters_refuse_nul(client, alice, org_a):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {_token(org_a, alice)}"}
    for param in ("q", "domain"):
        response = client.get("/api/v1/controls", {param: "a\x00b"}, **headers)
        assert response.status_code == 422, (param, response.status_code)
        assert param in response.json()["detail"]


def test_check_page_with_nul_in_its_id_is_not_found(alice_client, org_a):
    response = alice_client.get(f"/o/{org_a.slug}/monitoring/checks/a%00b/")
    assert response.status_code == 404
