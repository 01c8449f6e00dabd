"""Timelines and summaries with exact expectations: failing days, monitoring gaps, periodic
records, populations, and the Type 2 earliest end."""

from __future__ import annotations

from datetime import date, timedelta

from zgovern.controls.models import Control, ControlEvidence, EvidenceRequirement
from zgovern.effectiveness import loader, type2
from zgovern.effectiveness.tests.conftest import (
    END,
    NOW,
    START,
    at,
    control,
    history,
    monitored,
    runs,
)
from zgovern.effectiveness.timeline import (
    Clock,
    ControlInputs,
    Exception_,
    add_months,
    change_items,
    control_timeline,
    hire_items,
    review_quarters,
)
from zgovern.evidence.models import EvidenceItem

CLEAN = [("pass", at(date(2026, 2, 27)), None)]


def one(org, made: Control, start=START, end=END, now=NOW):
    return loader.timelines(org, [made], start, end, now)[made.pk]


def test_three_failing_days_mid_period_are_the_exceptions(org_a, scopes_off):
    made = monitored(
        org_a,
        [
            ("pass", at(date(2026, 2, 27)), at(date(2026, 3, 10))),
            ("fail", at(date(2026, 3, 10)), at(date(2026, 3, 13))),
            ("pass", at(date(2026, 3, 13)), None),
        ],
    )
    line = one(org_a, made)
    assert line.summary == "exceptions"
    assert line.exceptions == [
        Exception_("fail", date(2026, 3, 10), date(2026, 3, 12), "failing: aws.iam.console_mfa")
    ]
    assert line.segments() == [
        ("pass", date(2026, 3, 1), date(2026, 3, 9)),
        ("fail", date(2026, 3, 10), date(2026, 3, 12)),
        ("pass", date(2026, 3, 13), date(2026, 3, 31)),
    ]


def test_one_failing_resource_among_passing_ones_fails_the_day(org_a, scopes_off):
    made = monitored(org_a, CLEAN)
    history(org_a, [("fail", at(date(2026, 3, 5), 10), at(date(2026, 3, 5), 16))], name="b")
    line = one(org_a, made)
    assert [(e.kind, e.first, e.last) for e in line.exceptions] == [
        ("fail", date(2026, 3, 5), date(2026, 3, 5))
    ]


def test_a_30_hour_gap_between_runs_is_a_gap_not_a_pass(org_a, scopes_off):
    made = control(org_a)
    history(org_a, CLEAN)
    hole = (at(date(2026, 3, 20), 0), at(date(2026, 3, 21), 6))
    runs(org_a, at(date(2026, 2, 27)), NOW, skip=lambda m: hole[0] < m < hole[1])
    line = one(org_a, made)
    assert line.days[date(2026, 3, 21).day - 1] == "gap"
    assert line.days[date(2026, 3, 20).day - 1] == "pass"
    assert [(e.kind, e.first, e.last) for e in line.exceptions] == [
        ("gap", date(2026, 3, 21), date(2026, 3, 21))
    ]
    assert line.summary == "exceptions"


def test_runs_exactly_24_hours_apart_leave_no_gap(org_a, scopes_off):
    made = control(org_a)
    history(org_a, CLEAN)
    hole = (at(date(2026, 3, 20), 0), at(date(2026, 3, 21), 0))
    runs(org_a, at(date(2026, 2, 27)), NOW, skip=lambda m: hole[0] < m < hole[1])
    assert one(org_a, made).summary == "operated"


def test_no_run_at_all_is_a_gap_over_the_whole_period(org_a, scopes_off):
    made = control(org_a)
    history(org_a, CLEAN)
    from zgovern.integrations.models import Integration

    Integration.objects.create(organization=org_a, provider="aws", name="AWS")
    line = one(org_a, made)
    assert line.days == ["gap"] * 31
    assert line.summary == "not_operating"


def test_clean_data_operated_throughout(org_a, scopes_off):
    line = one(org_a, monitored(org_a, CLEAN))
    assert line.summary == "operated"
    assert line.label == "Operated throughout"
    assert line.exceptions == []
    assert line.days == ["pass"] * 31


def test_days_after_today_are_future_and_not_judged(org_a, scopes_off):
    made = monitored(org_a, CLEAN)
    line = one(org_a, made, end=date(2026, 4, 30))
    assert line.counts()["future"] == 25
    assert line.counts()["pass"] == 36
    assert line.summary == "operated"


def test_unconnected_checks_are_listed_not_judged(org_a, scopes_off):
    made = control(org_a, checks=("okta.users.mfa",))
    line = one(org_a, made)
    assert line.unconnected == ["okta.users.mfa"]
    assert line.summary == "not_operating"


def _evidence(org, made, kind: str, day: date) -> None:
    item = EvidenceItem.objects.create(
        organization=org, kind=kind, title=kind, source="record", sha256="0" * 64,
        record={}, collected_at=at(day, 9),
    )  # fmt: skip
    ControlEvidence.objects.create(organization=org, control=made, evidence=item)


def test_evidence_windows_present_late_missing(org_a, scopes_off):
    made = control(org_a, key="risk-register-maintained", checks=())
    EvidenceRequirement.objects.create(
        organization=org_a, control=made, kind="risk-review", description="Review",
        freshness_days=10,
    )  # fmt: skip
    _evidence(org_a, made, "risk-review", date(2026, 3, 4))  # window 1 on time
    _evidence(org_a, made, "risk-review", date(2026, 3, 25))  # window 2 late, window 3 on time
    line = one(org_a, made)
    assert [(w.first, w.last, w.status) for w in line.windows] == [
        (date(2026, 3, 1), date(2026, 3, 10), "present"),
        (date(2026, 3, 11), date(2026, 3, 20), "late"),
        (date(2026, 3, 21), date(2026, 3, 30), "present"),
        (date(2026, 3, 31), date(2026, 3, 31), "missing"),
    ]
    assert [(e.kind, e.first, e.last) for e in line.exceptions] == [
        ("late", date(2026, 3, 11), date(2026, 3, 20)),
        ("missing", date(2026, 3, 31), date(2026, 3, 31)),
    ]


def _clock(today: date) -> Clock:
    time = loader.clock(at(today, 12))
    return time


def test_a_quarterly_review_done_late_is_an_exception():
    campaigns = [
        (date(2026, 3, 31), date(2026, 4, 3)),  # Q1 done 3 days late
        (date(2026, 6, 30), date(2026, 6, 30)),  # Q2 on its due date: on time
    ]
    windows = review_quarters(campaigns, date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 10))
    line = control_timeline(
        ControlInputs(key="access-reviews-quarterly", reviews=windows),
        date(2026, 1, 1), date(2026, 6, 30), _clock(date(2026, 7, 10)),
    )  # fmt: skip
    assert line.summary == "exceptions"
    assert line.exceptions == [
        Exception_(
            "late",
            date(2026, 1, 1),
            date(2026, 3, 31),
            "access-review late for 2026-01-01 to 2026-03-31, first on 2026-04-03",
        )
    ]


def test_review_quarters_missing_and_pending():
    windows = review_quarters([], date(2026, 1, 1), date(2026, 6, 30), date(2026, 5, 1))
    assert [w.status for w in windows] == ["missing", "pending"]
    overdue = review_quarters([(date(2026, 4, 15), None)], date(2026, 4, 1), date(2026, 6, 30),
                              date(2026, 5, 1))  # fmt: skip
    assert [w.status for w in overdue] == ["late"]


def test_population_share_and_exceptions():
    hires = [("ada", date(2026, 3, 2)), ("bo", date(2026, 3, 5)), ("cy", date(2026, 3, 30))]
    items = hire_items(hires, {"ada": [date(2026, 4, 1)], "bo": [date(2026, 4, 10)]},
                       date(2026, 4, 20))  # fmt: skip
    assert [i.status for i in items] == ["present", "late", "pending"]
    line = control_timeline(
        ControlInputs(key="background-checks", population=items),
        START, END, _clock(date(2026, 4, 20)),
    )  # fmt: skip
    assert line.population_share == 0.5
    assert [(e.kind, e.first) for e in line.exceptions] == [("population", date(2026, 3, 5))]
    changes = change_items([("r#1", date(2026, 3, 3), True), ("r#2", date(2026, 3, 4), False)])
    line = control_timeline(
        ControlInputs(key="change-approval", population=changes), START, END,
        _clock(date(2026, 4, 20)),
    )  # fmt: skip
    assert line.population_share == 0.5
    assert line.days[3] == "exception"


def test_no_test_at_all_is_not_operating():
    line = control_timeline(ControlInputs(key="x"), START, END, _clock(date(2026, 4, 20)))
    assert line.summary == "not_operating"
    assert "No check" in line.reason
    empty = ControlInputs(key="change-approval", population=[])
    line = control_timeline(empty, START, END, _clock(date(2026, 4, 20)))
    assert (line.summary, line.reason) == (
        "not_operating",
        "No occurrence in the period to test (an empty population).",
    )


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 13), 6) == date(2026, 9, 13)


def test_type2_earliest_end_after_the_latest_exception(org_a, scopes_off):
    monitored(
        org_a,
        [
            ("pass", at(date(2026, 2, 27)), at(date(2026, 3, 10))),
            ("fail", at(date(2026, 3, 10)), at(date(2026, 3, 13))),
            ("pass", at(date(2026, 3, 13)), None),
        ],
    )
    result = type2.assess(org_a, now=NOW)
    # No audit: the next six months from today.
    assert (result.start, result.end) == (date(2026, 4, 5), date(2026, 10, 4))
    assert result.earliest_start == date(2026, 3, 13)
    assert result.earliest_end == date(2026, 9, 12)
    assert not result.ready_now
    assert result.total_days == 183 and result.all_clean_days == 1
    assert result.coverage == 1 / 183


def test_type2_ready_now_when_the_last_six_months_are_clean(org_a, scopes_off):
    monitored(org_a, CLEAN)
    later = NOW + timedelta(days=200)
    runs(org_a, NOW + timedelta(hours=6), later)
    result = type2.assess(org_a, now=later)
    assert result.earliest_start == date(2026, 2, 27)  # the first clean day
    assert result.earliest_end == later.date()
    assert result.ready_now


def test_type2_ongoing_failure_pushes_the_end(org_a, scopes_off):
    monitored(org_a, [("pass", at(date(2026, 2, 27)), at(date(2026, 4, 1))),
                      ("fail", at(date(2026, 4, 1)), None)])  # fmt: skip
    result = type2.assess(org_a, now=NOW)
    assert result.earliest_start == date(2026, 4, 6)
    assert result.earliest_end == date(2026, 10, 5)
    assert "fail" in result.controls[0].blocking
