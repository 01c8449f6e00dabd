"""record_accounts: upsert, removal, stale marking, linking and the one summary row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django_scopes import scopes_disabled

from zgovern.identity.models import Account, PersonAlias
from zgovern.identity.services import record_accounts
from zgovern.identity.tests.conftest import accounts, actions, add_person, holder, rec

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=6)


def test_first_sync_creates_and_links_by_email_case_insensitively(org_a):
    ada = add_person(org_a, "ada@a.example")
    okta = holder(org_a)
    stats = record_accounts(okta, "okta", [
        rec("u1", email="ADA@a.example", mfa="enabled"),
        rec("u2", email="nobody@a.example", mfa="disabled", status="suspended"),
        rec("u1", email="dup@a.example"),  # a repeated id: the first is kept
    ], T0)  # fmt: skip
    assert (stats.created, stats.duplicates, stats.linked) == (2, 1, 1)
    stored = accounts(org_a)
    assert stored["u1"].person_id == ada.pk and stored["u1"].link_method == "email"
    assert stored["u1"].email == "ada@a.example"
    assert stored["u2"].person_id is None
    assert stored["u2"].deactivated_at is None  # never seen active: unknown when it left
    assert actions(org_a) == ["identity.accounts_synced"]


def test_resync_is_unchanged_then_removed_then_stale(org_a):
    okta = holder(org_a)
    record_accounts(okta, "okta", [rec("u1"), rec("u2")], T0)
    again = record_accounts(okta, "okta", [rec("u1"), rec("u2")], T1)
    assert (again.created, again.updated, again.unchanged, again.removed) == (0, 0, 2, 0)
    assert accounts(org_a)["u1"].last_seen_at == T1

    later = T1 + timedelta(hours=6)
    gone = record_accounts(okta, "okta", [rec("u1")], later)
    assert gone.removed == 1
    u2 = accounts(org_a)["u2"]
    assert u2.status == "removed" and u2.deactivated_at == later

    failed = record_accounts(okta, "okta", None, later + timedelta(hours=6))
    assert failed.stale == 1  # u2 (removed) keeps its status; u1 stays active
    stored = accounts(org_a)
    assert stored["u1"].status == "active" and stored["u1"].stale
    assert stored["u2"].status == "removed"
    assert stored["u1"].last_seen_at == later

    record_accounts(okta, "okta", [rec("u1")], later + timedelta(hours=12))
    assert not accounts(org_a)["u1"].stale
    assert actions(org_a).count("identity.accounts_stale") == 1


def test_stale_touches_only_this_integrations_accounts(org_a):
    okta, other = holder(org_a, "Okta"), holder(org_a, "Other okta")
    record_accounts(okta, "okta", [rec("u1")], T0)
    record_accounts(other, "okta", [rec("x1")], T0)
    record_accounts(okta, "okta", None, T1)
    stored = accounts(org_a)
    assert stored["u1"].stale and not stored["x1"].stale
    # Nor does a sync of one integration remove another's accounts.
    record_accounts(okta, "okta", [], T1)
    assert accounts(org_a)["x1"].status == "active"


def test_suspension_sets_and_reactivation_clears_deactivated_at(org_a):
    okta = holder(org_a)
    record_accounts(okta, "okta", [rec("u1")], T0)
    record_accounts(okta, "okta", [rec("u1", status="suspended")], T1)
    assert accounts(org_a)["u1"].deactivated_at == T1
    record_accounts(okta, "okta", [rec("u1", status="weird")], T1 + timedelta(hours=1))
    assert accounts(org_a)["u1"].deactivated_at == T1  # unknown -> suspended, still since T1
    record_accounts(okta, "okta", [rec("u1")], T1 + timedelta(hours=2))
    assert accounts(org_a)["u1"].deactivated_at is None


def test_alias_links_username_and_manual_links_survive(org_a):
    ada = add_person(org_a, "ada@a.example")
    bea = add_person(org_a, "bea@a.example")
    with scopes_disabled():
        PersonAlias.objects.create(organization=org_a, person=ada, alias="adal")
    gh = holder(org_a, "GitHub")
    record_accounts(gh, "github", [rec("1", username="AdaL"), rec("2", username="svc-bot")], T0)
    stored = accounts(org_a)
    assert stored["1"].person_id == ada.pk and stored["1"].link_method == "alias"
    with scopes_disabled():
        Account.objects.filter(external_id="1").update(person=bea, link_method="manual")
        Account.objects.filter(external_id="2").update(is_service=True, service_owner=ada)
    record_accounts(gh, "github", [rec("1", username="AdaL"), rec("2", username="svc-bot")], T1)
    stored = accounts(org_a)
    assert stored["1"].person_id == bea.pk and stored["1"].link_method == "manual"
    assert stored["2"].is_service and stored["2"].service_owner_id == ada.pk


def test_email_change_moves_an_automatic_link(org_a):
    ada = add_person(org_a, "ada@a.example")
    bea = add_person(org_a, "bea@a.example")
    okta = holder(org_a)
    record_accounts(okta, "okta", [rec("u1", email="ada@a.example")], T0)
    assert accounts(org_a)["u1"].person_id == ada.pk
    stats = record_accounts(okta, "okta", [rec("u1", email="bea@a.example")], T1)
    assert stats.updated == 1 and stats.linked == 1
    assert accounts(org_a)["u1"].person_id == bea.pk


def test_many_accounts_sync_in_batches_not_per_row(org_a, django_assert_max_num_queries):
    okta = holder(org_a)
    records = [rec(f"u{i}", email=f"user{i}@a.example") for i in range(2500)]
    with django_assert_max_num_queries(120):
        stats = record_accounts(okta, "okta", records, T0)
    assert stats.created == 2500
    changed = [rec(f"u{i}", email=f"user{i}@a.example", mfa="enabled") for i in range(1200)]
    with django_assert_max_num_queries(120):
        stats = record_accounts(okta, "okta", changed, T1)
    assert (stats.updated, stats.removed) == (1200, 1300)


def test_partial_sync_marks_missing_stale_not_removed(org_a):
    aws = holder(org_a, "AWS")
    record_accounts(aws, "aws", [rec("a1"), rec("b1")], T0)
    stats = record_accounts(aws, "aws", [rec("a1", mfa="enabled")], T1, partial=True)
    assert (stats.updated, stats.removed, stats.stale) == (1, 0, 1)
    stored = accounts(org_a)
    assert stored["b1"].status == "active" and stored["b1"].stale
    assert not stored["a1"].stale and stored["a1"].mfa == "enabled"
