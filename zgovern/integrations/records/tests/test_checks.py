"""The records evaluators over hand-made rows: one verdict per resource, with the
exceptions an auditor asks about and the near misses either side of each boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from zgovern.integrations.base import Inventory
from zgovern.integrations.records import checks
from zgovern.reviews.schedule import add_months

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _statuses(findings) -> dict[str, str]:
    return {f.resource.external_id: f.status for f in findings}


# -- vendors --------------------------------------------------------------------------


def _vendor(**fields) -> dict:
    row = {
        "id": 1, "name": "Hosting", "criticality": "critical",
        "last_assessed_on": TODAY - timedelta(days=30),
        "next_review_due": TODAY + timedelta(days=335),
        "soc2_expires_on": TODAY + timedelta(days=100), "flags": [], "flag_labels": [],
    }  # fmt: skip
    return row | fields


def test_a_vendor_passes_with_a_current_assessment_and_report():
    status, reason = checks.vendor_verdict(_vendor())
    assert status == "pass"
    assert f"next review due {TODAY + timedelta(days=335)}" in reason
    assert "SOC 2 report valid until" in reason


def test_a_vendor_without_a_soc2_report_passes_and_says_so():
    status, reason = checks.vendor_verdict(_vendor(soc2_expires_on=None))
    assert (status, "no SOC 2 report on file" in reason) == ("pass", True)


def test_the_vendor_modules_flags_fail_with_their_labels():
    row = _vendor(flags=["soc2_expired"], flag_labels=["SOC 2 report expired"])
    status, reason = checks.vendor_verdict(row)
    assert status == "fail" and reason.startswith("SOC 2 report expired (")


def test_a_high_vendor_never_assessed_fails_though_the_module_flags_only_critical_ones():
    row = _vendor(criticality="high", last_assessed_on=None, next_review_due=None)
    assert checks.vendor_verdict(row) == (
        "fail",
        "High vendor never assessed (never assessed, SOC 2 report valid until "
        f"{TODAY + timedelta(days=100)}).",
    )
    flagged = _vendor(last_assessed_on=None, flags=["no_assessment"],
                      flag_labels=["Critical vendor never assessed"])  # fmt: skip
    status, reason = checks.vendor_verdict(flagged)
    assert status == "fail" and reason.count("never assessed (") == 1


# -- yearly snapshots -----------------------------------------------------------------


def _snapshot_inventory(service: str, days: int | None) -> Inventory:
    latest = None
    if days is not None:
        latest = {"id": 7, "title": "Snapshot", "collected_on": TODAY - timedelta(days=days)}
    return Inventory(data={service: {"today": TODAY, "latest": latest}})


def test_a_snapshot_is_current_up_to_365_days_and_stale_after():
    for days, expected in ((0, "pass"), (364, "pass"), (365, "pass"), (366, "fail")):
        inventory = _snapshot_inventory("vendor_inventory", days)
        [finding] = checks.vendor_inventory_reviewed(inventory)
        assert finding.status == expected, days
    [stale] = checks.vendor_inventory_reviewed(_snapshot_inventory("vendor_inventory", 366))
    assert "366 days ago (over 365)" in stale.reason


def test_no_snapshot_at_all_fails_with_what_to_do():
    [finding] = checks.risk_assessment_current(_snapshot_inventory("risk_assessments", None))
    assert finding.status == "fail" and finding.resource.external_id == "risk-assessment"
    assert finding.reason.startswith("No risk assessment has been recorded; review")
    [fresh] = checks.risk_assessment_current(_snapshot_inventory("risk_assessments", 364))
    assert fresh.status == "pass"


# -- risk register --------------------------------------------------------------------


def _risk(**fields) -> dict:
    row = {
        "id": 3, "title": "Phishing", "review_date": TODAY, "review_overdue": False,
        "treatment": "mitigate", "acceptance_expires_on": None, "acceptance_expired": False,
    }  # fmt: skip
    return row | fields


def test_a_risk_reviewed_by_today_passes_and_overdue_or_expired_fails():
    assert checks.risk_verdict(_risk()) == ("pass", f"Next review {TODAY}.")
    overdue = checks.risk_verdict(_risk(review_date=TODAY - timedelta(days=1), review_overdue=True))
    assert overdue == ("fail", f"Its review was due {TODAY - timedelta(days=1)}.")
    expired = _risk(treatment="accept", acceptance_expires_on=date(2026, 1, 1),
                    acceptance_expired=True)  # fmt: skip
    assert checks.risk_verdict(expired) == ("fail", "Its acceptance expired 2026-01-01.")
    accepted = _risk(treatment="accept", acceptance_expires_on=date(2027, 1, 1))
    assert checks.risk_verdict(accepted)[1].endswith("accepted until 2027-01-01.")


def test_a_risk_without_a_review_date_fails():
    assert checks.risk_verdict(_risk(review_date=None)) == ("fail", "No review date is set.")


def test_an_empty_register_is_one_failing_finding():
    inventory = Inventory(data={"risks": {"today": TODAY, "risks": []}})
    [finding] = checks.risk_register_reviewed(inventory)
    assert (finding.resource.external_id, finding.status) == ("risk-register", "fail")


# -- access reviews -------------------------------------------------------------------


def _campaign(cid: int, due: date, completed: date | None, **fields) -> dict:
    row = {
        "id": cid, "title": f"Review {cid}", "status": "completed" if completed else "open",
        "due_date": due, "completed_on": completed, "late": False, "cadence_months": 3,
        "next_due": add_months(due, 3),
    }  # fmt: skip
    return row | fields


def _system(*campaigns, revocations=()) -> dict:
    return {"campaigns": list(campaigns), "late_revocations": list(revocations)}


def test_a_review_completed_on_its_due_date_is_in_time_and_a_day_later_is_not():
    on_time = _campaign(1, date(2026, 10, 15), date(2026, 10, 15))
    status, reason = checks.review_verdict(_system(on_time), TODAY)
    assert status == "pass"
    assert reason == (
        "Reviewed in 'Review 1', completed 2026-10-15 (due 2026-10-15); next review due by "
        "2027-01-15."
    )
    late = _campaign(1, date(2026, 10, 15), date(2026, 10, 16))
    assert checks.review_verdict(_system(late), TODAY) == (
        "fail",
        "The last review 'Review 1' was completed 2026-10-16, 1 days after its due date "
        "2026-10-15.",
    )


def test_the_next_review_is_due_a_cadence_after_the_last_ones_due_date():
    last = _campaign(1, date(2026, 8, 29), date(2026, 8, 20))  # next due 2026-11-29
    assert checks.review_verdict(_system(last), TODAY)[0] == "pass"  # due today: in time
    status, reason = checks.review_verdict(_system(last), TODAY + timedelta(days=1))
    assert status == "fail" and "the next was due by 2026-11-29" in reason


def test_the_newest_completed_campaign_counts_not_an_older_late_one():
    older = _campaign(1, date(2026, 7, 1), date(2026, 7, 9))
    newer = _campaign(2, date(2026, 10, 1), date(2026, 9, 30))
    assert checks.review_verdict(_system(older, newer), TODAY)[0] == "pass"


def test_a_late_open_campaign_and_an_unremoved_revoke_fail_the_system():
    done = _campaign(1, date(2026, 10, 1), date(2026, 9, 30))
    late = _campaign(2, date(2026, 11, 28), None, late=True)
    status, reason = checks.review_verdict(_system(done, late), TODAY)
    assert status == "fail" and reason == "'Review 2' is open past its due date 2026-11-28."
    still_open = _campaign(2, TODAY, None)  # due today: not late yet
    assert checks.review_verdict(_system(done, still_open), TODAY)[0] == "pass"
    revoke = {"id": 9, "system": "github", "username": "frank", "campaign": "Review 1",
              "revoke_by": datetime(2026, 10, 2, 17, 0, tzinfo=UTC)}  # fmt: skip
    status, reason = checks.review_verdict(_system(done, revocations=[revoke]), TODAY)
    assert (status, reason) == (
        "fail",
        "REVOKE not carried out in its window: frank (due 2026-10-02).",
    )


def test_a_first_campaign_in_progress_is_not_applicable_and_none_at_all_fails():
    first = _campaign(1, TODAY + timedelta(days=10), None)
    assert checks.review_verdict(_system(first), TODAY)[0] == "not_applicable"
    late_first = _campaign(1, TODAY - timedelta(days=1), None, late=True)
    status, reason = checks.review_verdict(_system(late_first), TODAY)
    assert status == "fail" and "open past its due date" in reason
    assert checks.review_verdict(_system(), TODAY) == (
        "fail", "No access review has been completed."
    )  # fmt: skip


def test_each_system_under_review_is_one_resource():
    data = {"today": TODAY, "systems": {
        "github": _system(_campaign(1, date(2026, 10, 1), date(2026, 9, 30))),
        "jira": _system(),
    }}  # fmt: skip
    found = checks.reviews_campaign_completed(Inventory(data={"reviews": data}))
    assert _statuses(found) == {"system:github": "pass", "system:jira": "fail"}


# -- incidents ------------------------------------------------------------------------


def _incident(**fields) -> dict:
    row = {
        "id": 4, "title": "Leaked key", "status": "open", "active": True, "severity": "SEV2",
        "target_hours": 24, "detected_at": NOW - timedelta(hours=24), "resolved_at": None,
        "due_at": NOW, "past_target": False,
    }  # fmt: skip
    return row | fields


def test_an_open_incident_passes_until_past_its_target():
    assert checks.incident_verdict(_incident()) == (
        "pass", "Open, within its SEV2 target of 24 hours (due 2026-11-29 12:00 UTC)."
    )  # fmt: skip
    status, reason = checks.incident_verdict(_incident(status="contained", past_target=True))
    assert (status, reason) == (
        "fail", "Still contained past its SEV2 target of 24 hours (due 2026-11-29 12:00 UTC)."
    )  # fmt: skip


def test_a_closed_incident_needs_its_detection_and_resolution_times():
    closed = _incident(status="closed", active=False, resolved_at=NOW, past_target=False)
    status, reason = checks.incident_verdict(closed)
    assert status == "pass" and "(24.0 hours; SEV2 target of 24 hours)" in reason
    unresolved = _incident(status="resolved", active=False)
    assert checks.incident_verdict(unresolved) == ("fail", "Resolved without a resolution time.")
    untimed = _incident(status="closed", active=False, detected_at=None)
    assert checks.incident_verdict(untimed) == (
        "fail", "Closed without a detection or resolution time."
    )  # fmt: skip


# -- accounts -------------------------------------------------------------------------


def _person(pk: int, name: str, *, left: bool = False, manager: int | None = None, start=None):
    return {
        "id": pk, "name": name, "email": f"{name.lower()}@a.example", "left": left,
        "manager_id": manager, "start_date": start or date(2020, 1, 1),
    }  # fmt: skip


def _account(**fields) -> dict:
    row = {
        "id": 5, "system": "okta", "username": "ann", "person_id": None, "is_service": False,
        "service_owner_id": None, "stale": False, "person": None, "owner": None,
    }  # fmt: skip
    return row | fields


def test_an_account_passes_linked_to_a_person_or_as_an_owned_service_account():
    ann = _person(1, "Ann")
    assert checks.account_verdict(_account(person_id=1, person=ann)) == (
        "pass", "Belongs to Ann <ann@a.example>."
    )  # fmt: skip
    owned = _account(is_service=True, service_owner_id=1, owner=ann)
    assert checks.account_verdict(owned) == ("pass", "Service account owned by Ann.")


def test_unlinked_ownerless_and_orphaned_service_accounts_fail():
    assert checks.account_verdict(_account())[0] == "fail"
    assert checks.account_verdict(_account(is_service=True)) == (
        "fail", "Service account without an owner."
    )  # fmt: skip
    gone = _account(is_service=True, service_owner_id=2, owner=_person(2, "Gus", left=True),
                    stale=True)  # fmt: skip
    status, reason = checks.account_verdict(gone)
    assert status == "fail" and reason.startswith("Service account owned by Gus, who has left")
    assert "last sync failed" in reason


# -- org chart ------------------------------------------------------------------------


def _chart(*people) -> dict[str, str]:
    inventory = Inventory(data={"people": {"today": TODAY, "people": list(people)}})
    return {f.resource.external_id: f.status for f in checks.managers_assigned(inventory)}


def test_only_the_top_of_the_chart_may_have_no_manager():
    found = _chart(
        _person(1, "Ceo"), _person(2, "Cto", manager=1), _person(3, "Dev", manager=2),
        _person(4, "Stray"),  # no manager, heads nobody
        _person(5, "Gone", left=True, manager=1), _person(6, "Orphan", manager=5),
    )  # fmt: skip
    assert found == {
        "person:1": "pass", "person:2": "pass", "person:3": "pass", "person:4": "fail",
        "person:6": "fail",
    }  # fmt: skip


def test_a_tie_for_the_top_goes_to_the_earliest_starter():
    early = _person(2, "Early", start=date(2019, 1, 1))
    found = _chart(_person(1, "Late", start=date(2021, 1, 1)), early)
    assert found == {"person:1": "fail", "person:2": "pass"}
    assert _chart(_person(1, "Solo")) == {"person:1": "pass"}


def test_a_reporting_loop_has_no_top():
    assert (
        checks.top_of_chart({1: _person(1, "A", manager=2), 2: _person(2, "B", manager=1)}) is None
    )
