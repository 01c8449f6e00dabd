"""The tenancy REST API with alice (owner, read-write token), bob (auditor, read-only
token) and charlie (owner of another organisation)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.tenancy import services
from zgovern.tenancy.models import ActivityLog, ApiToken, Invitation, Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import (
    SYSTEM,
    api_client,
    chain_ok,
    issue_token,
    logs,
    membership,
)

API = "/api/v1"


def send(client, method: str, path: str, body=None):
    data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
    return getattr(client, method)(API + path, data=data, content_type="application/json")


def _invite(org, user, email="eve@a.example", role=Role.MEMBER) -> Invitation:
    with organization_scope(org):
        invitation, _ = services.invite(org, membership(org, user), SYSTEM, email, role)
    return invitation


def _first_log_id(org) -> int:
    with scopes_disabled():
        return ActivityLog.objects.filter(organization=org).order_by("seq").first().pk


# -- authentication -------------------------------------------------------------------


def test_no_token_is_401(org_a, client):
    response = client.get(API + "/members")
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown"])
def test_revoked_expired_and_unknown_tokens_are_401(org_a, alice, state):
    raw = issue_token(org_a, alice, read_only=False)
    with scopes_disabled():
        token = ApiToken.objects.get(organization=org_a, name="test")
        if state == "revoked":
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        elif state == "expired":
            past = timezone.now() - timedelta(seconds=1)
            ApiToken.objects.filter(pk=token.pk).update(expires_at=past)
    client = api_client(raw + "x" if state == "unknown" else raw)
    assert client.get(API + "/organization").status_code == 401


def test_a_removed_members_token_stops_working(org_a, alice, bob, bob_api):
    assert bob_api.get(API + "/organization").status_code == 200
    with organization_scope(org_a):
        services.remove_member(org_a, membership(org_a, alice), SYSTEM, membership(org_a, bob).pk)
    assert bob_api.get(API + "/organization").status_code == 401


def test_read_only_token_of_a_writer_cannot_write(org_a, alice):
    client = api_client(issue_token(org_a, alice, read_only=True))
    with logs(org_a):
        response = send(client, "patch", "/organization", {"name": "Nope"})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_token_use_is_noted(org_a, alice, alice_api):
    alice_api.get(API + "/organization")
    with scopes_disabled():
        assert ApiToken.objects.get(name="alice rw").last_used_at is not None


# -- organisation ---------------------------------------------------------------------


def test_organization_read(org_a, alice_api, bob_api, charlie_api):
    for client in (alice_api, bob_api):
        body = client.get(API + "/organization").json()
        assert body["slug"] == org_a.slug and body["require_mfa"] is False
    assert charlie_api.get(API + "/organization").json()["name"] == "Org B"


def test_organization_patch(org_a, alice_api, bob_api):
    with logs(org_a, "organization.settings_changed"):
        response = send(alice_api, "patch", "/organization", {"require_mfa": True})
    assert response.status_code == 200
    assert response.json()["require_mfa"] is True and response.json()["name"] == "Org A"
    with logs(org_a):
        assert send(bob_api, "patch", "/organization", {"name": "Bob's"}).status_code == 403
    with logs(org_a):
        assert send(alice_api, "patch", "/organization", {}).status_code == 200


def test_member_role_cannot_change_settings(org_a, charlie):
    from zgovern.tenancy.tests.conftest import add_member

    add_member(org_a, charlie, Role.MEMBER)
    client = api_client(issue_token(org_a, charlie, read_only=False))
    with logs(org_a):
        assert send(client, "patch", "/organization", {"name": "X"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("{not json", 400, "body"),
        ({"name": 5}, 422, "name"),
        ({"require_mfa": "yes"}, 422, "require_mfa"),
        ({"name": "x" * 121}, 422, "name"),
        ({"name": "ok", "colour": "red"}, 422, "colour"),
        ({"name": "a\x00b"}, 422, "name"),
        ({"name": "   "}, 400, "name"),
    ],
)
def test_bad_input_names_the_field(org_a, alice_api, body, status, field):
    with logs(org_a):
        response = send(alice_api, "patch", "/organization", body)
    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["detail"]
    assert field in [error["field"] for error in payload["errors"]]


def test_lone_surrogate_is_refused(org_a, alice_api):
    response = send(alice_api, "patch", "/organization", '{"name": "\\ud800"}')
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


# -- members --------------------------------------------------------------------------


def test_members_list_and_detail(org_a, alice_api, bob_api, charlie_api, bob):
    for client in (alice_api, bob_api):
        members = client.get(API + "/members").json()
        assert [m["email"] for m in members] == ["alice@a.example", "bob@a.example"]
        assert members[0]["role"] == "owner" and members[0]["mfa_enabled"] is False
    bob_id = membership(org_a, bob).pk
    assert bob_api.get(f"{API}/members/{bob_id}").json()["role"] == "auditor"
    assert charlie_api.get(f"{API}/members/{bob_id}").status_code == 404
    assert "bob@a.example" not in charlie_api.get(API + "/members").content.decode()


def test_member_role_change(org_a, alice_api, bob_api, charlie_api, alice, bob):
    bob_id, alice_id = membership(org_a, bob).pk, membership(org_a, alice).pk
    with logs(org_a, "member.role_changed"):
        response = send(alice_api, "patch", f"/members/{bob_id}", {"role": "member"})
    assert response.status_code == 200 and response.json()["role"] == "member"
    with logs(org_a):
        assert send(bob_api, "patch", f"/members/{alice_id}", {"role": "member"}).status_code == 403
        assert (
            send(charlie_api, "patch", f"/members/{bob_id}", {"role": "owner"}).status_code == 404
        )
        response = send(alice_api, "patch", f"/members/{alice_id}", {"role": "admin"})
        assert response.status_code == 409  # the last owner
        response = send(alice_api, "patch", f"/members/{bob_id}", {"role": "boss"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "role"


def test_admin_cannot_grant_owner_over_the_api(org_a, bob, dave, dave_admin):
    client = api_client(issue_token(org_a, dave, read_only=False))
    bob_id = membership(org_a, bob).pk
    with logs(org_a):
        response = send(client, "patch", f"/members/{bob_id}", {"role": "owner"})
    assert response.status_code == 403
    assert response.json()["errors"] == [{"field": "role", "message": response.json()["detail"]}]
    with logs(org_a):
        response = send(client, "post", "/invitations", {"email": "e@x.example", "role": "owner"})
    assert response.status_code == 403


def test_member_removal(org_a, alice_api, bob_api, charlie_api, alice, bob):
    bob_id, alice_id = membership(org_a, bob).pk, membership(org_a, alice).pk
    with logs(org_a):
        assert send(bob_api, "delete", f"/members/{alice_id}").status_code == 403
        assert send(charlie_api, "delete", f"/members/{bob_id}").status_code == 404
        assert send(alice_api, "delete", f"/members/{alice_id}").status_code == 409
    with logs(org_a, "member.removed"):
        assert send(alice_api, "delete", f"/members/{bob_id}").status_code == 204
    with scopes_disabled():
        assert not Membership.objects.filter(pk=bob_id).exists()


# -- invitations ----------------------------------------------------------------------


def test_invitations(org_a, alice_api, bob_api, charlie_api):
    with logs(org_a, "member.invited"):
        response = send(
            alice_api, "post", "/invitations", {"email": "Eve@A.example", "role": "auditor"}
        )
    assert response.status_code == 201
    created = response.json()
    assert created["invitation"]["email"] == "eve@a.example"
    assert "/account/invitations/inv_" in created["accept_url"]
    raw = created["accept_url"].rstrip("/").rsplit("/", 1)[-1]
    assert services.find_invitation(raw).pk == created["invitation"]["id"]
    listed = bob_api.get(API + "/invitations").json()
    assert [i["email"] for i in listed] == ["eve@a.example"]
    assert raw not in bob_api.get(API + "/invitations").content.decode()
    assert charlie_api.get(API + "/invitations").json() == []
    with logs(org_a):
        assert (
            send(
                bob_api, "post", "/invitations", {"email": "x@a.example", "role": "member"}
            ).status_code
            == 403
        )
        response = send(
            alice_api, "post", "/invitations", {"email": "bob@a.example", "role": "member"}
        )
        assert response.status_code == 409
        response = send(alice_api, "post", "/invitations", {"email": "nope", "role": "member"})
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "email"


def test_invitation_revoke(org_a, alice, alice_api, bob_api, charlie_api):
    invitation = _invite(org_a, alice)
    path = f"/invitations/{invitation.pk}"
    with logs(org_a):
        assert send(bob_api, "delete", path).status_code == 403
        assert send(charlie_api, "delete", path).status_code == 404
    with logs(org_a, "member.invitation_revoked"):
        assert send(alice_api, "delete", path).status_code == 204
    with logs(org_a):
        assert send(alice_api, "delete", path).status_code == 409
    assert alice_api.get(API + "/invitations").json() == []


# -- tokens ---------------------------------------------------------------------------


def test_token_create_shows_the_secret_once(org_a, alice_api):
    with logs(org_a, "api_token.created"):
        response = send(
            alice_api, "post", "/tokens", {"name": "CI", "read_only": False, "expires_at": None}
        )
    assert response.status_code == 201
    body = response.json()
    secret = body["secret"]
    assert secret.startswith(body["token"]["prefix"]) and body["token"]["status"] == "active"
    assert "token_hash" not in json.dumps(body)
    listing = alice_api.get(API + "/tokens")
    assert secret not in listing.content.decode()
    assert "token_hash" not in listing.content.decode()
    assert {"CI", "alice rw"} <= {t["name"] for t in listing.json()}
    # the new token works, with the access it was given
    assert send(api_client(secret), "patch", "/organization", {"name": "Org A"}).status_code == 200


def test_token_create_defaults_to_read_only(org_a, alice_api):
    body = send(alice_api, "post", "/tokens", {"name": "reader"}).json()
    assert body["token"]["read_only"] is True
    assert send(api_client(body["secret"]), "post", "/tokens", {"name": "x"}).status_code == 403


def test_token_create_refusals(org_a, alice_api, bob_api):
    with logs(org_a):
        assert send(bob_api, "post", "/tokens", {"name": "x"}).status_code == 403
        past = (timezone.now() - timedelta(days=1)).isoformat()
        response = send(alice_api, "post", "/tokens", {"name": "x", "expires_at": past})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "expires_at"
        response = send(alice_api, "post", "/tokens", {"name": "x", "token_hash": "0" * 64})
        assert response.status_code == 422
        response = send(alice_api, "post", "/tokens", {"name": "x" * 101})
        assert response.status_code == 422


def test_token_lists_are_per_person_except_for_managers(org_a, alice_api, bob_api, charlie_api):
    bob_names = {t["name"] for t in bob_api.get(API + "/tokens").json()}
    alice_names = {t["name"] for t in alice_api.get(API + "/tokens").json()}
    assert bob_names == {"bob ro"}
    assert alice_names == {"alice rw", "bob ro"}
    assert {t["name"] for t in charlie_api.get(API + "/tokens").json()} == {"charlie rw"}


def test_token_revoke(org_a, alice, alice_api, bob_api, charlie_api):
    with scopes_disabled():
        bob_token = ApiToken.objects.get(organization=org_a, name="bob ro")
    path = f"/tokens/{bob_token.pk}"
    with logs(org_a):
        assert send(bob_api, "delete", path).status_code == 403  # read-only token
        assert send(charlie_api, "delete", path).status_code == 404
    with logs(org_a, "api_token.revoked"):
        assert send(alice_api, "delete", path).status_code == 204
    assert bob_api.get(API + "/organization").status_code == 401
    with logs(org_a):
        assert send(alice_api, "delete", path).status_code == 409


# -- activity -------------------------------------------------------------------------


def test_activity_list_filter_and_detail(org_a, alice, alice_api, bob_api, charlie_api):
    _invite(org_a, alice)
    body = bob_api.get(API + "/activity").json()
    actions = [row["action"] for row in body["items"]]
    assert actions[0] == "member.invited"  # newest first
    assert body["count"] == len(actions) >= 4
    seqs = [row["seq"] for row in body["items"]]
    assert seqs == sorted(seqs, reverse=True)
    members = alice_api.get(API + "/activity?action=member.").json()
    assert members["items"] and all(r["action"].startswith("member.") for r in members["items"])
    page = alice_api.get(API + "/activity?limit=1&offset=1").json()
    assert page["count"] == body["count"] and page["items"][0]["seq"] == seqs[1]
    first_id = _first_log_id(org_a)
    detail = bob_api.get(f"{API}/activity/{first_id}").json()
    assert detail["action"] == "organization.created" and detail["seq"] == 1
    assert charlie_api.get(f"{API}/activity/{first_id}").status_code == 404
    assert "Org A" not in charlie_api.get(API + "/activity").content.decode()


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=201", "offset=-1", "offset=99999999999999999999"]
)
def test_activity_paging_is_bounded(org_a, alice_api, query):
    response = alice_api.get(f"{API}/activity?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in {"limit", "offset"}


def test_activity_is_read_only(org_a, alice_api):
    first_id = _first_log_id(org_a)
    assert send(alice_api, "delete", f"/activity/{first_id}").status_code == 405
    assert send(alice_api, "post", "/activity", {}).status_code == 405


def test_huge_ids_are_not_found(org_a, alice_api):
    for path in ("/members/", "/activity/"):
        assert alice_api.get(f"{API}{path}{2**70}").status_code == 404


def test_chain_verifies_after_api_changes(org_a, alice, bob, alice_api):
    bob_id = membership(org_a, bob).pk
    send(alice_api, "patch", "/organization", {"name": "Renamed"})
    send(alice_api, "patch", f"/members/{bob_id}", {"role": "member"})
    created = send(alice_api, "post", "/invitations", {"email": "z@a.example", "role": "member"})
    send(alice_api, "delete", f"/invitations/{created.json()['invitation']['id']}")
    token = send(alice_api, "post", "/tokens", {"name": "t"}).json()["token"]
    send(alice_api, "delete", f"/tokens/{token['id']}")
    send(alice_api, "delete", f"/members/{bob_id}")
    with scopes_disabled():
        rows = list(ActivityLog.objects.filter(organization=org_a).order_by("-seq")[:7])
    assert all(row.actor_kind == "token" for row in rows)
    assert rows[0].actor_label == "alice@a.example (token " + rows[0].actor_label.split("token ")[1]
    assert chain_ok(org_a)


def test_openapi_documents_every_operation(client):
    spec = client.get(API + "/openapi.json").json()
    tags = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), (method, path)
            assert operation.get("description"), (method, path)
            tags.update(operation.get("tags", []))
    assert {"organization", "members", "invitations", "tokens", "activity"} <= tags
    assert "token_hash" not in json.dumps(spec)
    assert client.get(API + "/docs").status_code == 200


def test_nul_in_a_filter_is_refused(org_a, alice_api):
    response = alice_api.get(API + "/activity?action=member%00")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "action"


def test_employee_token_cannot_read_the_organisation(org_a, charlie):
    from zgovern.tenancy.tests.conftest import add_member

    add_member(org_a, charlie, Role.EMPLOYEE)
    client = api_client(issue_token(org_a, charlie, read_only=True))
    for path in ("/organization", "/members", "/invitations", "/activity"):
        response = client.get(API + path)
        assert response.status_code == 403, path
    assert client.get(API + "/tokens").status_code == 403
