"""Access reviews, policies, vendors, changes, incidents and training: exceptions and
near-misses, asserting exactly what is found and what is not."""

from __future__ import annotations

from datetime import date, timedelta

from zgovern.changes.models import ChangeRecord
from zgovern.core.actor import Actor
from zgovern.evidence import services as evidence
from zgovern.evidence.models import EvidenceItem
from zgovern.findings.scan import access_reviews, changes, incidents, policies, training, vendors
from zgovern.findings.tests.conftest import PERIOD, WINDOWS, account, at, keys, person
from zgovern.incidents.models import Incident, Severity
from zgovern.people.models import TrainingCompletion
from zgovern.policies.models import Acknowledgement, Policy, PolicyVersion
from zgovern.reviews.models import Campaign, ReviewItem
from zgovern.vendors.models import Vendor

SYSTEM = Actor.system("tests")


# -- access reviews --------------------------------------------------------------------


def _campaign(org, user, systems, due: str, completed=None) -> Campaign:
    return Campaign.objects.create(
        organization=org,
        title=f"Review due {due}",
        systems=systems,
        reviewer_mode="system",
        default_reviewer=user,
        due_date=date.fromisoformat(due),
        status="completed" if completed else "open",
        completed_at=completed,
    )


def _item(org, user, campaign, username, revocation, revoke_by) -> ReviewItem:
    return ReviewItem.objects.create(
        organization=org,
        campaign=campaign,
        system="github",
        username=username,
        account_status="active",
        reviewer=user,
        remediation_owner=user,
        decision="revoke",
        revocation=revocation,
        revoke_by=revoke_by,
    )


def test_access_reviews_missing_late_and_unrevoked(org, alice):
    account(org, None, "github", "gh-user")
    account(org, None, "okta", "okta-user")
    on_time = _campaign(org, alice, ["github", "okta"], "2026-03-15", at("2026-03-15", 14))
    late = _campaign(org, alice, ["github"], "2026-05-15", at("2026-05-20", 9))
    kept = _item(org, alice, late, "leaver", "exception", at("2026-05-22"))
    _item(org, alice, late, "gone", "verified", at("2026-05-22"))

    found = access_reviews.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {
        "access_reviews:missing:okta:2026-04-01",
        f"access_reviews:late:{late.pk}",
        f"access_reviews:revoke:{kept.pk}",
    }
    assert f"access_reviews:late:{on_time.pk}" not in keys(found)
    by_key = {i.key: i for i in found}
    assert (
        "was completed 2026-05-20, 5 days late" in by_key[f"access_reviews:late:{late.pk}"].wording
    )
    assert found.population == 4  # 2 systems x 2 quarters


def test_review_windows_are_the_cadence_from_the_period_start():
    assert access_reviews.review_windows(PERIOD, 3) == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
    ]


# -- policies --------------------------------------------------------------------------


def _policy(org, key: str, status: str, **extra) -> tuple[Policy, PolicyVersion]:
    policy = Policy.objects.create(organization=org, key=key, title=key.title(), **extra)
    version = PolicyVersion.objects.create(
        organization=org,
        policy=policy,
        number=1,
        body="text",
        status=status,
        published_at=at("2026-01-10") if status == "published" else None,
        approved_at=at("2026-01-09") if status in ("approved", "published") else None,
    )
    return policy, version


def _ack(org, policy, version, who, when) -> None:
    Acknowledgement.objects.create(
        organization=org, person=who, version=version, policy=policy, acknowledged_at=when
    )


def test_policies_unapproved_past_review_and_acknowledgements(org):
    policy, version = _policy(org, "security", "published", next_review_date=date(2026, 12, 1))
    prompt, edge = person(org, "Prompt Reader"), person(org, "Edge Reader")
    late, never = person(org, "Late Reader"), person(org, "Never Reader")
    person(org, "Long Gone", end="2025-06-01")
    _ack(org, policy, version, prompt, at("2026-01-20"))
    _ack(org, policy, version, edge, at("2026-02-09", 18))  # due 2026-02-09: in time
    _ack(org, policy, version, late, at("2026-02-15"))
    draft, _ = _policy(org, "backup", "draft", next_review_date=date(2026, 5, 1))

    found = policies.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {
        f"policies:ack:{policy.pk}:{late.pk}",
        f"policies:ack:{policy.pk}:{never.pk}",
        f"policies:unapproved:{draft.pk}",
        f"policies:review:{draft.pk}",
    }
    by_key = {i.key: i for i in found}
    assert by_key[f"policies:ack:{policy.pk}:{late.pk}"].wording == (
        "Late Reader was required to acknowledge Security v1 by 2026-02-09 and acknowledged "
        "it late on 2026-02-15"
    )


# -- vendors ---------------------------------------------------------------------------


def _vendor(org, name, criticality="critical", days_ago=None, soc2=None) -> Vendor:
    assessed = at("2026-06-30", 12) - timedelta(days=days_ago) if days_ago is not None else None
    return Vendor.objects.create(
        organization=org,
        name=name,
        criticality=criticality,
        last_assessed_at=assessed,
        soc2_expires_on=date.fromisoformat(soc2) if soc2 else None,
    )


def test_vendors_assessed_364_days_ago_pass_366_fail(org):
    recent = _vendor(org, "Recent", days_ago=364)
    stale = _vendor(org, "Stale", days_ago=366)
    never = _vendor(org, "Never")
    _vendor(org, "High Never", criticality="high")
    expired = _vendor(org, "Expired SOC", days_ago=10, soc2="2026-06-01")
    _vendor(org, "SOC Today", days_ago=10, soc2="2026-06-30")

    found = vendors.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {
        f"vendors:stale:{stale.pk}",
        f"vendors:unassessed:{never.pk}",
        f"vendors:soc2:{expired.pk}",
    }
    assert f"vendors:stale:{recent.pk}" not in keys(found)
    assert found.population == 5
    assert "last assessed 2025-06-29, 366 days before 2026-06-30" in next(
        i.wording for i in found if i.key == f"vendors:stale:{stale.pk}"
    )


# -- changes ---------------------------------------------------------------------------


def _change(org, number, author, approvers, checks="passed", merged="2026-03-01") -> ChangeRecord:
    return ChangeRecord.objects.create(
        organization=org,
        source="github",
        repository="acme/api",
        number=number,
        title=f"PR {number}",
        author=author,
        approvers=approvers,
        merged_at=at(merged),
        checks=checks,
    )


def test_changes_need_an_approver_other_than_the_author_and_passing_checks(org):
    _change(org, 1, "alice", ["bob"])
    self_ok = _change(org, 2, "alice", ["alice"])
    none = _change(org, 3, "alice", [])
    case = _change(org, 4, "alice", ["ALICE"])
    failed = _change(org, 5, "alice", ["bob"], checks="failed")
    _change(org, 6, "alice", [], merged="2025-12-31")
    _change(org, 7, "alice", ["alice", "bob"])

    found = changes.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {
        f"changes:unapproved:{self_ok.pk}",
        f"changes:unapproved:{none.pk}",
        f"changes:unapproved:{case.pk}",
        f"changes:checks:{failed.pk}",
    }
    wording = next(i.wording for i in found if i.key == f"changes:unapproved:{self_ok.pk}")
    assert (
        wording == "Change acme/api#2 by alice, merged 2026-03-01, was approved only by its author"
    )
    assert found.population == 6


# -- incidents -------------------------------------------------------------------------


def _incident(org, sev, title, detected, due, status="resolved", resolved=None) -> Incident:
    return Incident.objects.create(
        organization=org,
        title=title,
        severity=sev,
        status=status,
        detected_at=detected,
        due_at=due,
        resolved_at=resolved,
    )


def _plan_and_test(org) -> None:
    _policy(org, "incident-response", "published")
    item = evidence.add_record(org, SYSTEM, kind="exercise_report", title="Tabletop", record={})
    EvidenceItem.objects.filter(pk=item.pk).update(collected_at=at("2026-04-01"))


def test_incidents_plan_test_times_and_targets(org):
    _plan_and_test(org)
    sev = Severity.objects.create(
        organization=org, name="High", rank=1, description="d", response_target_hours=24
    )
    _incident(org, sev, "Fine", at("2026-02-01"), at("2026-02-02"), resolved=at("2026-02-01", 2))
    no_time = _incident(org, sev, "No time", at("2026-02-03"), at("2026-02-04"), "closed")
    open_ = _incident(org, sev, "Still open", at("2026-05-31"), at("2026-06-01"), "open")
    slow = _incident(
        org, sev, "Slow", at("2026-03-04"), at("2026-03-05"), resolved=at("2026-03-10")
    )
    _incident(org, sev, "Edge", at("2026-03-04"), at("2026-03-05"), resolved=at("2026-03-05"))

    found = incidents.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {
        f"incidents:times:{no_time.pk}",
        f"incidents:overdue:{open_.pk}",
        f"incidents:overdue:{slow.pk}",
    }
    by_key = {i.key: i for i in found}
    assert (
        "stayed open 5 days past its response target"
        in by_key[f"incidents:overdue:{slow.pk}"].wording
    )
    assert by_key[f"incidents:overdue:{open_.pk}"].duration_seconds == 30 * 86400


def test_incidents_without_plan_or_test(org):
    _policy(org, "incident-response", "draft")
    found = incidents.evaluate(org, PERIOD, WINDOWS)
    assert keys(found) == {f"incidents:plan:{org.pk}", f"incidents:exercise:{org.pk}"}


# -- training --------------------------------------------------------------------------


def _done(org, who, day: str) -> None:
    TrainingCompletion.objects.create(
        organization=org,
        person=who,
        course_key="security-awareness",
        course_title="SA",
        completed_on=date.fromisoformat(day),
    )


def test_training_within_30_days_of_start_and_yearly(org):
    edge = person(org, "Edge Starter", start="2026-02-01")
    _done(org, edge, "2026-03-03")  # start + 30 days: in time
    late = person(org, "Late Starter", start="2026-02-01")
    _done(org, late, "2026-03-04")
    current = person(org, "Current Veteran")
    _done(org, current, "2025-07-01")
    lapsed = person(org, "Lapsed Veteran")
    _done(org, lapsed, "2025-06-29")
    never = person(org, "Never Trained", start="2025-11-01")
    person(org, "Brand New", start="2026-06-15")
    person(org, "Gone Before", end="2025-12-01")

    found = training.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {
        f"training:onboarding:{late.pk}",
        f"training:annual:{lapsed.pk}",
        f"training:annual:{never.pk}",
    }
    assert found.population == 6
    assert next(i.wording for i in found if i.key == f"training:onboarding:{late.pk}") == (
        "Late Starter started 2026-02-01 and had no security training by 2026-03-03 "
        "(completed 2026-03-04)"
    )
