"""The tenancy services' rules, called directly: owners, invitations, tokens, the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.errors import Conflict, DomainError, Forbidden, NotFound
from zgovern.tenancy import services
from zgovern.tenancy.models import ApiToken, Invitation, Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import SYSTEM, add_member, chain_ok, logs, membership


@pytest.fixture
def scope_a(org_a):
    with organization_scope(org_a):
        yield org_a


def test_admin_cannot_grant_owner(scope_a, bob, dave_admin):
    bob_m = membership(scope_a, bob)
    with logs(scope_a), pytest.raises(Forbidden):
        services.change_role(scope_a, dave_admin, SYSTEM, bob_m.pk, Role.OWNER)
    with logs(scope_a), pytest.raises(Forbidden) as exc:
        services.invite(scope_a, dave_admin, SYSTEM, "eve@a.example", Role.OWNER)
    assert exc.value.field == "role"


def test_admin_cannot_demote_or_remove_an_owner(scope_a, alice, dave_admin):
    alice_m = membership(scope_a, alice)
    with pytest.raises(Forbidden):
        services.change_role(scope_a, dave_admin, SYSTEM, alice_m.pk, Role.MEMBER)
    with pytest.raises(Forbidden):
        services.remove_member(scope_a, dave_admin, SYSTEM, alice_m.pk)
    assert membership(scope_a, alice).role == Role.OWNER


def test_last_owner_cannot_be_demoted_or_removed(scope_a, alice):
    alice_m = membership(scope_a, alice)
    with logs(scope_a), pytest.raises(Conflict):
        services.change_role(scope_a, alice_m, SYSTEM, alice_m.pk, Role.ADMIN)
    with logs(scope_a), pytest.raises(Conflict):
        services.remove_member(scope_a, alice_m, SYSTEM, alice_m.pk)
    assert membership(scope_a, alice).role == Role.OWNER


def test_an_owner_can_step_down_once_there_is_another(scope_a, alice, bob):
    alice_m, bob_m = membership(scope_a, alice), membership(scope_a, bob)
    with logs(scope_a, "member.role_changed"):
        services.change_role(scope_a, alice_m, SYSTEM, bob_m.pk, Role.OWNER)
    with logs(scope_a, "member.role_changed"):
        services.change_role(scope_a, alice_m, SYSTEM, alice_m.pk, Role.MEMBER)
    assert membership(scope_a, alice).role == Role.MEMBER


def test_read_only_role_cannot_manage_members(scope_a, alice, bob):
    bob_m, alice_m = membership(scope_a, bob), membership(scope_a, alice)
    with pytest.raises(Forbidden):
        services.change_role(scope_a, bob_m, SYSTEM, alice_m.pk, Role.MEMBER)
    with pytest.raises(Forbidden):
        services.invite(scope_a, bob_m, SYSTEM, "eve@a.example", Role.MEMBER)


def test_unchanged_role_records_nothing(scope_a, alice, bob):
    with logs(scope_a):
        services.change_role(
            scope_a, membership(scope_a, alice), SYSTEM, membership(scope_a, bob).pk, Role.AUDITOR
        )


def test_another_organisations_member_is_not_found(scope_a, alice, org_b, charlie):
    charlie_m = membership(org_b, charlie)
    with pytest.raises(NotFound):
        services.change_role(scope_a, membership(scope_a, alice), SYSTEM, charlie_m.pk, Role.MEMBER)
    assert membership(org_b, charlie).role == Role.OWNER


def test_removing_a_member_revokes_their_tokens(scope_a, alice, bob):
    bob_m = membership(scope_a, bob)
    token, _ = services.create_api_token(
        scope_a, bob_m, SYSTEM, name="bob", read_only=True, expires_at=None
    )
    with logs(scope_a, "member.removed"):
        services.remove_member(scope_a, membership(scope_a, alice), SYSTEM, bob_m.pk)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not Membership.objects.filter(organization=scope_a, user=bob).exists()


def test_invite_sends_mail_on_commit_and_replaces_an_open_one(
    scope_a, alice, django_capture_on_commit_callbacks
):
    alice_m = membership(scope_a, alice)
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = services.invite(scope_a, alice_m, SYSTEM, " Eve@A.example ", Role.MEMBER)
    assert first.email == "eve@a.example"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["eve@a.example"]
    with logs(scope_a, "member.invited"):
        second, raw = services.invite(scope_a, alice_m, SYSTEM, "eve@a.example", Role.AUDITOR)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.is_open
    assert services.find_invitation(raw).pk == second.pk


def test_invite_failing_mail_does_not_raise(
    scope_a, alice, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = services.invite(
            scope_a, membership(scope_a, alice), SYSTEM, "eve@a.example", Role.MEMBER
        )
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert "could not send invitation" in caplog.text


@pytest.mark.parametrize(
    ("email", "field"),
    [
        ("not-an-address", "email"),
        ("a" * 250 + "@a.example", "email"),
        ("x\x00@a.example", "email"),
    ],
)
def test_invite_refuses_bad_addresses(scope_a, alice, email, field):
    with logs(scope_a), pytest.raises(DomainError) as exc:
        services.invite(scope_a, membership(scope_a, alice), SYSTEM, email, Role.MEMBER)
    assert exc.value.field == field and exc.value.status == 400


def test_invite_refuses_a_current_member(scope_a, alice):
    with pytest.raises(Conflict):
        services.invite(scope_a, membership(scope_a, alice), SYSTEM, "BOB@a.example", Role.MEMBER)


def test_revoking_an_invitation_twice_is_a_conflict(scope_a, alice):
    invitation, _ = services.invite(
        scope_a, membership(scope_a, alice), SYSTEM, "eve@a.example", Role.MEMBER
    )
    with logs(scope_a, "member.invitation_revoked"):
        services.revoke_invitation(scope_a, SYSTEM, invitation.pk)
    with logs(scope_a), pytest.raises(Conflict):
        services.revoke_invitation(scope_a, SYSTEM, invitation.pk)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "nul\x00name"])
def test_token_name_is_checked(scope_a, alice, name):
    with pytest.raises(DomainError) as exc:
        services.create_api_token(
            scope_a, membership(scope_a, alice), SYSTEM, name=name, read_only=True, expires_at=None
        )
    assert exc.value.field == "name"


def test_token_expiry_naive_is_utc_and_past_is_refused(scope_a, alice):
    alice_m = membership(scope_a, alice)
    aware = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    token, _ = services.create_api_token(
        scope_a,
        alice_m,
        SYSTEM,
        name="naive",
        read_only=True,
        expires_at=aware.replace(tzinfo=None),
    )
    assert token.expires_at == aware
    with pytest.raises(DomainError) as exc:
        services.create_api_token(
            scope_a,
            alice_m,
            SYSTEM,
            name="past",
            read_only=True,
            expires_at=timezone.now() - timedelta(seconds=1),
        )
    assert exc.value.field == "expires_at"


def test_read_only_role_cannot_have_a_read_write_token(scope_a, bob):
    with pytest.raises(Forbidden):
        services.create_api_token(
            scope_a, membership(scope_a, bob), SYSTEM, name="rw", read_only=False, expires_at=None
        )


def test_token_revocation_rules(scope_a, alice, bob):
    alice_m, bob_m = membership(scope_a, alice), membership(scope_a, bob)
    alice_token, _ = services.create_api_token(
        scope_a, alice_m, SYSTEM, name="a", read_only=True, expires_at=None
    )
    # bob cannot see alice's token, let alone revoke it
    with pytest.raises(NotFound):
        services.revoke_api_token(scope_a, bob_m, SYSTEM, alice_token.pk)
    with logs(scope_a, "api_token.revoked"):
        services.revoke_api_token(scope_a, alice_m, SYSTEM, alice_token.pk)
    with logs(scope_a), pytest.raises(Conflict):
        services.revoke_api_token(scope_a, alice_m, SYSTEM, alice_token.pk)
    assert ApiToken.objects.get(pk=alice_token.pk).revoked_at is not None


def test_settings_refuse_blank_and_nul_names(scope_a):
    for name in ("  ", "x" * 121, "a\x00b"):
        with logs(scope_a), pytest.raises(DomainError) as exc:
            services.update_settings(scope_a, SYSTEM, name=name, require_mfa=False)
        assert exc.value.field == "name"


def test_every_change_extends_a_chain_that_verifies(scope_a, alice, bob, org_b):
    alice_m = membership(scope_a, alice)
    with logs(
        scope_a,
        "organization.settings_changed",
        "member.invited",
        "member.invitation_revoked",
        "member.role_changed",
        "api_token.created",
        "api_token.revoked",
        "member.removed",
    ):
        services.update_settings(scope_a, SYSTEM, name="Org A2", require_mfa=True)
        invitation, _ = services.invite(scope_a, alice_m, SYSTEM, "eve@a.example", Role.MEMBER)
        services.revoke_invitation(scope_a, SYSTEM, invitation.pk)
        bob_m = membership(scope_a, bob)
        services.change_role(scope_a, alice_m, SYSTEM, bob_m.pk, Role.MEMBER)
        token, _ = services.create_api_token(
            scope_a, alice_m, SYSTEM, name="t", read_only=True, expires_at=None
        )
        services.revoke_api_token(scope_a, alice_m, SYSTEM, token.pk)
        services.remove_member(scope_a, alice_m, SYSTEM, bob_m.pk)
    assert chain_ok(scope_a)
    assert chain_ok(org_b)


def test_duplicate_names_get_distinct_slugs(alice):
    first = services.create_organization("Same Name", alice, SYSTEM)
    second = services.create_organization("Same Name", alice, SYSTEM)
    assert first.slug == "same-name" and second.slug == "same-name-2"
    with scopes_disabled():
        assert Membership.objects.filter(user=alice, role=Role.OWNER).count() == 2


def test_add_member_helper_uses_the_org(org_a, charlie):
    # guard for the helper the other tests rely on
    m = add_member(org_a, charlie, Role.MEMBER)
    assert m.organization_id == org_a.pk
