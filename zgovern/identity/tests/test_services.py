"""Manual work on the graph: links, service accounts, aliases, settings, user-list upload."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django_scopes import scopes_disabled

from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.identity import services
from zgovern.identity.models import PersonAlias
from zgovern.identity.tests.conftest import (
    SYSTEM,
    accounts,
    actions,
    add_person,
    count_accounts,
    holder,
    rec,
)
from zgovern.tenancy.scoping import organization_scope

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HEADER = "system,external_id,username,email,display_name,status,mfa,privileged,last_login_at"


def user_list(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


GOOD = user_list(
    "jira,j1,ada,ADA@a.example,Ada,active,yes,no,2026-01-02",
    "jira,j2,svc,,Build bot,disabled,,yes,2026-01-02T10:00:00+01:00",
    "salesforce,,zed,zed@elsewhere.example,,,no,,",
)


def call(org, fn, *args, **kwargs):
    with organization_scope(org):
        return fn(org, SYSTEM, *args, **kwargs)


@pytest.fixture
def graph(org_a):
    ada = add_person(org_a, "ada@a.example")
    bea = add_person(org_a, "bea@a.example")
    okta = holder(org_a)
    services.record_accounts(okta, "okta", [
        rec("u1", email="ada@a.example"), rec("u2", username="robot"),
    ], T0)  # fmt: skip
    stored = accounts(org_a)
    return {"ada": ada, "bea": bea, "okta": okta, "u1": stored["u1"], "u2": stored["u2"]}


def test_manual_link_and_unlink_stick_through_syncs(org_a, graph):
    call(org_a, services.link_account, graph["u1"].pk, graph["bea"].pk)
    call(org_a, services.unlink_account, graph["u2"].pk)
    services.record_accounts(graph["okta"], "okta", [
        rec("u1", email="ada@a.example"), rec("u2", username="robot", email="ada@a.example"),
    ], T0)  # fmt: skip
    stored = accounts(org_a)
    assert stored["u1"].person_id == graph["bea"].pk
    assert stored["u2"].person_id is None and stored["u2"].link_method == "manual"
    assert "identity.account_linked" in actions(org_a)
    assert "identity.account_unlinked" in actions(org_a)


def test_service_account_mark_and_unmark(org_a, graph):
    account = call(org_a, services.mark_service, graph["u2"].pk, owner_id=graph["ada"].pk,
                   note="CI deploys")  # fmt: skip
    assert account.is_service and account.service_owner_id == graph["ada"].pk
    services.record_accounts(graph["okta"], "okta", [rec("u1"), rec("u2", username="robot")], T0)
    assert accounts(org_a)["u2"].is_service
    with pytest.raises(Conflict):
        call(org_a, services.unmark_service, graph["u1"].pk)
    call(org_a, services.unmark_service, graph["u2"].pk)
    assert not accounts(org_a)["u2"].is_service


def test_bad_link_input_changes_nothing(org_a, org_b, graph):
    before = len(actions(org_a))
    with pytest.raises(DomainError) as caught:
        call(org_a, services.link_account, graph["u1"].pk, 99999)
    assert caught.value.field == "person_id"
    with pytest.raises(DomainError):
        call(org_a, services.link_account, graph["u1"].pk, "x")
    with pytest.raises(NotFound):
        call(org_b, services.link_account, graph["u1"].pk, graph["ada"].pk)  # another org's
    with pytest.raises(DomainError) as caught:
        call(org_a, services.mark_service, graph["u2"].pk, owner_id=graph["ada"].pk, note="x" * 501)
    assert caught.value.field == "note"
    assert len(actions(org_a)) == before
    assert accounts(org_a)["u1"].person_id == graph["ada"].pk


def test_alias_links_then_unlinks(org_a, graph):
    alias = call(org_a, services.add_alias, graph["bea"].pk, " Robot ")
    assert alias.alias == "robot"
    assert accounts(org_a)["u2"].person_id == graph["bea"].pk
    with pytest.raises(Conflict):
        call(org_a, services.add_alias, graph["ada"].pk, "ROBOT")
    with pytest.raises(Conflict):
        call(org_a, services.add_alias, graph["ada"].pk, "bea@a.example")
    with pytest.raises(DomainError):
        call(org_a, services.add_alias, graph["ada"].pk, "two words")
    call(org_a, services.remove_alias, alias.pk)
    assert accounts(org_a)["u2"].person_id is None
    with scopes_disabled():
        assert not PersonAlias.objects.exists()


def test_settings_defaults_and_bounds(org_a):
    with organization_scope(org_a):
        assert services.settings_for(org_a).revocation_business_days == 1
        assert services.settings_for(org_a).onboarding_days == 30
    call(org_a, services.update_settings, revocation_business_days=3, onboarding_days=14)
    for bad in ({"revocation_business_days": 31, "onboarding_days": 30},
                {"revocation_business_days": 1, "onboarding_days": 0},
                {"revocation_business_days": "x", "onboarding_days": 30}):  # fmt: skip
        with pytest.raises(DomainError):
            call(org_a, services.update_settings, **bad)
    with organization_scope(org_a):
        assert services.settings_for(org_a).revocation_business_days == 3


def test_user_list_import_is_idempotent_and_links(org_a):
    ada = add_person(org_a, "ada@a.example")
    report = call(org_a, services.import_accounts, "users.csv", GOOD)
    assert report.total("created") == 3
    stored = accounts(org_a)
    assert stored["j1"].person_id == ada.pk and stored["j1"].mfa == "enabled"
    assert stored["j2"].status == "suspended" and stored["j2"].privileged
    assert stored["j2"].last_login_at == datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    assert stored["zed"].system == "salesforce" and stored["zed"].mfa == "disabled"
    again = call(org_a, services.import_accounts, "users.csv", GOOD)
    assert (again.total("created"), again.total("updated"), again.total("unchanged")) == (0, 0, 3)
    fewer = call(
        org_a, services.import_accounts, "users.csv", user_list(GOOD.decode().splitlines()[1])
    )
    assert fewer.systems["jira"]["removed"] == 1
    assert accounts(org_a)["zed"].status == "active"  # salesforce was not in that file


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (user_list("jira,j1,,,,active,", "jira,j1,,,,,"), "line 3, column external_id: duplicate"),
        (user_list("Jira Cloud,j1,,,,,"), "line 2, column system"),
        (user_list("jira,,,,,,"), "line 2, column external_id"),
        (user_list("jira,j1,,,,gone,"), "line 2, column status: unknown status"),
        (user_list("jira,j1,,,,,maybe"), "line 2, column mfa"),
        (user_list("jira,j1,,,,,,perhaps"), "line 2, column privileged"),
        (user_list("jira,j1,,,,,,,yesterday"), "line 2, column last_login_at"),
        (user_list("jira,j1", header="system,external_id,colour"), "line 1, column colour"),
        (user_list("j1", header="external_id"), "line 1, column system: missing"),
        (b"system,external_id\njira,\xff\n", "not UTF-8"),
        (user_list(header=HEADER), "no users"),
    ],
)
def test_bad_user_lists_import_nothing(org_a, data, expected):
    with pytest.raises(services.UserListError) as caught:
        call(org_a, services.import_accounts, "users.csv", data)
    assert any(expected in str(p) for p in caught.value.problems), caught.value.problems
    assert count_accounts(org_a) == 0
    assert actions(org_a) == []


def test_upload_refuses_a_synced_system(org_a, graph):
    before = count_accounts(org_a)
    with pytest.raises(services.UserListError) as caught:
        call(org_a, services.import_accounts, "u.csv", user_list("jira,j1,,,,,", "okta,x,,,,,"))
    assert "line 3, column system: okta is synced" in str(caught.value.problems[0])
    assert count_accounts(org_a) == before


def test_upload_too_large(org_a, settings):
    settings.ROSTER_MAX_BYTES = 10
    with pytest.raises(services.UserListError):
        call(org_a, services.import_accounts, "u.csv", GOOD)
    assert count_accounts(org_a) == 0
