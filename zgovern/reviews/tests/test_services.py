"""Access-review services: snapshots, reviewers, decisions, locking, the evidence package,
revocation verification and the cadence."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls import services as controls
from zgovern.controls.models import ControlEvidence, RemediationTask, TaskStatus
from zgovern.core.errors import Conflict, DomainError, Forbidden
from zgovern.evidence import storage
from zgovern.evidence.models import EvidenceItem
from zgovern.reviews import revocations, schedule, services
from zgovern.reviews.models import Campaign, CampaignStatus, ReviewItem, Revocation
from zgovern.reviews.tests.conftest import (
    ACCOUNTS,
    SYSTEM,
    actions,
    as_user,
    decide,
    decide_all,
    item,
    start,
    sync,
)
from zgovern.tenancy.scoping import organization_scope

GITHUB_TO_DAVE = "github"


def _assign(dave):
    return [{"system": "github", "reviewer": dave.pk}]


def _control(org, key: str = "access-reviews-quarterly"):
    with organization_scope(org):
        return controls.create_control(org, SYSTEM, key=key, name=key)


def _count(model, **filters) -> int:
    with scopes_disabled():
        return model.objects.filter(**filters).count()


# -- starting -------------------------------------------------------------------------


def test_start_snapshots_every_account_not_removed_with_its_flags(world, alice):
    campaign = start(world, alice)
    assert _count(ReviewItem, campaign=campaign) == len(ACCOUNTS)
    frank, gina = item(campaign, "github", "frank"), item(campaign, "github", "gina")
    assert frank.flags == ["Terminated person"] and frank.person_status == "terminated"
    assert gina.flags == ["Contractor"] and gina.employment_type == "contractor"
    assert item(campaign, "github", "old-timer").flag_dormant
    bot = item(campaign, "jira", "svc-bot")
    assert bot.flags == ["No linked person", "Privileged"]
    erin = item(campaign, "github", "erin")
    assert (erin.person_name, erin.manager_name, erin.flags) == (
        "Erin Engineer",
        "Dave Manager",
        [],
    )
    assert erin.last_login_at is not None and erin.account_status == "active"
    assert item(campaign, "github", "gone").account_status == "suspended"
    assert actions(world) == ["review_campaign.started"]


def test_a_later_sync_does_not_change_what_was_reviewed(world, alice):
    campaign = start(world, alice)
    changed = [(*row[:3], "suspended", True, row[5]) for row in ACCOUNTS if row[1] != "frank"]
    sync(world, changed)
    assert item(campaign, "github", "frank").account_status == "active"
    erin = item(campaign, "github", "erin")
    assert (erin.account_status, erin.privileged) == ("active", False)


def test_reviewer_per_system_keeps_people_off_their_own_accounts(world, alice, dave):
    campaign = start(world, alice, assignments=_assign(dave))
    assert item(campaign, "github", "erin").reviewer == dave
    assert item(campaign, "jira", "erin").reviewer == alice
    assert item(campaign, "jira", "dave").reviewer == alice
    # alice is github's default too, so her own account goes to the system's reviewer.
    assert item(campaign, "github", "alice").reviewer == dave
    assert item(campaign, "github", "erin").remediation_owner == dave


def test_reviewer_per_manager(world, alice, dave):
    campaign = start(world, alice, reviewer_mode="manager")
    for username in ("erin", "frank", "gina"):
        assert item(campaign, "github", username).reviewer == dave
    assert item(campaign, "jira", "svc-bot").reviewer == alice
    assert item(campaign, "jira", "dave").reviewer == alice


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": " "}, "title"),
        ({"systems": []}, "systems"),
        ({"systems": ["Bad System!"]}, "systems"),
        ({"due_date": "2030-01-01"}, "due_date"),
        ({"cadence": "weekly"}, "cadence"),
        ({"reviewer_mode": "random"}, "reviewer_mode"),
        ({"revocation_days": 31}, "revocation_days"),
        ({"assignments": [{"system": "aws", "reviewer": 1}]}, "assignments"),
    ],
)
def test_start_refuses_bad_input_and_writes_nothing(world, alice, overrides, field):
    with pytest.raises(DomainError) as caught:
        start(world, alice, **overrides)
    assert caught.value.field == field
    assert _count(Campaign) == 0 and _count(ReviewItem) == 0


def test_start_refuses_a_past_due_date_and_an_auditor_reviewer(world, alice, bob):
    with pytest.raises(DomainError, match="in the past"):
        start(world, alice, due_date=timezone.localdate() - timedelta(days=1))
    with pytest.raises(DomainError, match="auditor role cannot review"):
        start(world, bob)
    assert _count(Campaign) == 0


# -- deciding -------------------------------------------------------------------------


def test_approve_records_the_reviewer_the_time_and_the_note(world, alice, dave):
    campaign = start(world, alice, assignments=_assign(dave))
    row = decide(world, dave, item(campaign, "github", "erin"), "APPROVE", "Needs it for work")
    assert (row.decision, row.decided_by, row.note) == ("approve", dave, "Needs it for work")
    assert timezone.now() - row.decided_at < timedelta(minutes=1)
    assert row.task is None and row.revocation == ""
    assert actions(world)[-1] == "review_item.decided"


def test_revoke_opens_a_task_for_the_system_owner_linked_to_the_control(world, alice, dave):
    control = _control(world)
    campaign = start(world, alice, assignments=[{"system": "github", "reviewer": dave.pk,
                                                   "owner": alice.pk}])  # fmt: skip
    row = decide(world, dave, item(campaign, "github", "frank"), "revoke", "Left in January")
    task = row.task
    assert (task.owner, task.control_id, task.status) == (alice, control.pk, TaskStatus.OPEN)
    assert "frank" in task.title and row.revocation == Revocation.PENDING
    assert row.revoke_by > row.decided_at
    # Changing one's mind while open closes the task as won't do.
    row = decide(world, dave, row, "approve")
    with scopes_disabled():
        task.refresh_from_db()
    assert task.status == TaskStatus.WONT_DO and row.task is None and row.revocation == ""


def test_nobody_reviews_their_own_account(world, alice, dave):
    campaign = start(world, alice)
    own = item(campaign, "github", "alice")
    with pytest.raises(Forbidden, match="your own account"):
        decide(world, alice, own, "approve")
    assert item(campaign, "github", "alice").decision == ""
    assert "review_item.decided" not in actions(world)


def test_only_the_reviewer_or_an_admin_decides(world, alice, dave):
    campaign = start(world, alice)
    with pytest.raises(Forbidden, match="Only the item's reviewer"):
        decide(world, dave, item(campaign, "github", "erin"), "approve")
    assert item(campaign, "github", "erin").decision == ""
    # alice, an owner, may decide an item assigned to dave.
    campaign = start(world, alice, assignments=_assign(dave), title="second")
    assert decide(world, alice, item(campaign, "github", "erin"), "revoke").decided_by == alice


def test_an_unknown_decision_is_refused(world, alice):
    campaign = start(world, alice)
    with pytest.raises(DomainError) as caught:
        decide(world, alice, item(campaign, "github", "erin"), "maybe")
    assert caught.value.field == "decision" and caught.value.status == 400
    assert _count(RemediationTask) == 0


def test_business_days_skip_the_weekend():
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.get_current_timezone())
    assert services.add_business_days(friday, 1).weekday() == 0
    assert services.add_business_days(friday, 0) == friday


# -- completing -----------------------------------------------------------------------


def test_completing_needs_every_item_decided(world, alice, dave):
    campaign = start(world, alice, assignments=_assign(dave))
    decide(world, dave, item(campaign, "github", "erin"), "approve")
    with organization_scope(world), pytest.raises(Conflict, match="8 of 9 accounts"):
        services.complete_campaign(world, as_user(alice), campaign.pk)
    with scopes_disabled():
        campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN and campaign.evidence_csv_id is None
    assert _count(EvidenceItem) == 0


def test_a_completed_campaign_is_locked_and_stored_as_evidence(world, alice, dave):
    control, other = _control(world), _control(world, "least-privilege")
    campaign = start(world, alice, assignments=_assign(dave))
    decide_all(world, campaign)
    decide(world, dave, item(campaign, "github", "frank"), "revoke", "left")
    with organization_scope(world):
        done = services.complete_campaign(world, as_user(alice), campaign.pk)
    assert done.status == CampaignStatus.COMPLETED and done.completed_by == alice
    with scopes_disabled():
        linked = set(ControlEvidence.objects.values_list("control_id", "evidence_id"))
        assert linked == {(c.pk, e) for c in (control, other)
                          for e in (done.evidence_csv_id, done.evidence_summary_id)}  # fmt: skip
        summary = done.evidence_summary.record
        with storage.open_blob(world, done.evidence_csv.sha256) as blob:
            content = blob.read().decode("utf-8-sig")
    assert (summary["accounts"], summary["revoked"], summary["approved"]) == (9, 1, 8)
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 9
    frank = next(r for r in rows if r["username"] == "frank")
    assert (frank["decision"], frank["decided_by"], frank["note"]) == (
        "REVOKE",
        "dave@a.example",
        "left",
    )
    assert frank["decided_at"] and "Terminated person" in frank["flags"]
    with pytest.raises(Conflict, match="decisions are locked"):
        decide(world, dave, item(campaign, "github", "erin"), "revoke")
    assert item(campaign, "github", "erin").decision == "approve"
    with organization_scope(world), pytest.raises(Conflict, match="already completed"):
        services.complete_campaign(world, as_user(alice), campaign.pk)


# -- revocations ----------------------------------------------------------------------


def test_a_revocation_is_verified_by_the_next_sync_and_closes_its_task(world, alice, dave):
    campaign = start(world, alice, assignments=_assign(dave))
    row = decide(world, dave, item(campaign, "github", "frank"), "revoke")
    report = revocations.verify_revocations(world)
    assert (report.verified, report.waiting) == (0, 1)
    sync(world, [r for r in ACCOUNTS if r[1] != "frank"])
    report = revocations.verify_revocations(world)
    assert report.verified == 1
    row = item(campaign, "github", "frank")
    assert row.revocation == Revocation.VERIFIED and row.verified_at is not None
    assert row.proof["account_status"] == "removed" and row.proof["deactivated_at"]
    with scopes_disabled():
        assert RemediationTask.objects.get(pk=row.task_id).status == TaskStatus.DONE
    assert revocations.verify_revocations(world).verified == 0  # nothing twice
    assert actions(world).count("review_item.revocation_verified") == 1


def test_still_active_after_the_window_is_an_exception(world, alice, dave):
    campaign = start(world, alice, assignments=_assign(dave), revocation_days=1)
    decide(world, dave, item(campaign, "github", "erin"), "revoke")
    later = timezone.now() + timedelta(days=5)
    assert revocations.verify_revocations(world, now=later).exceptions == 1
    with organization_scope(world):
        listed = list(revocations.exceptions(world, campaign))
    assert [r.username for r in listed] == ["erin"]
    assert revocations.verify_revocations(world, now=later).exceptions == 0
    # Removed later all the same: verified, and no longer an exception.
    sync(world, [r for r in ACCOUNTS if r[:2] != ("github", "erin")])
    assert revocations.verify_revocations(world, now=later).verified == 1
    assert item(campaign, "github", "erin").revocation == Revocation.VERIFIED


def test_a_suspended_account_counts_as_revoked(world, alice, dave):
    campaign = start(world, alice, assignments=_assign(dave))
    decide(world, dave, item(campaign, "github", "gone"), "revoke")
    assert revocations.verify_revocations(world).verified == 1


# -- cadence --------------------------------------------------------------------------


def test_the_cadence_starts_the_next_campaign_once(world, alice, dave):
    started = timezone.now() - timedelta(days=100)
    with organization_scope(world):
        first = services.start_campaign(
            world, SYSTEM, title="Access review — 2026 Q3", systems=["github"],
            default_reviewer=alice.pk, due_date=(started + timedelta(days=10)).date(),
            assignments=_assign(dave), at=started,
        )  # fmt: skip
    assert first.is_late()
    [successor] = schedule.schedule_due_campaigns()
    assert successor.previous == first and successor.systems == ["github"]
    assert successor.title.startswith("Access review — ") and not successor.is_late()
    assert successor.due_date == timezone.localdate() + timedelta(days=10)
    with scopes_disabled():
        assert successor.assignments.get().reviewer == dave
    assert _count(ReviewItem, campaign=successor) == 6
    assert schedule.schedule_due_campaigns() == []
    assert _count(Campaign) == 2


def test_a_campaign_without_cadence_schedules_nothing(world, alice):
    with organization_scope(world):
        services.start_campaign(
            world, SYSTEM, title="once", systems=["jira"], default_reviewer=alice.pk,
            due_date=timezone.localdate() - timedelta(days=300), cadence="none",
            at=timezone.now() - timedelta(days=400),
        )  # fmt: skip
    assert schedule.schedule_due_campaigns() == []


def test_period_labels():
    day = timezone.localdate().replace(year=2026, month=8, day=1)
    assert schedule.period_label(day, "quarterly") == "2026 Q3"
    assert schedule.period_label(day, "semiannual") == "2026 H2"
    assert schedule.period_label(day, "annual") == "2026"
    assert schedule.period_label(day, "monthly") == "2026-08"
    assert schedule.add_months(day.replace(month=11, day=30), 3).isoformat() == "2027-02-28"
