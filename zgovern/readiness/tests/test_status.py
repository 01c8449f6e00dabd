"""The status rules of zgovern.readiness.status, one case each, including near misses."""

from datetime import UTC, datetime, timedelta

from zgovern.controls.models import ControlStatus as S
from zgovern.readiness.sources import CheckOutcome
from zgovern.readiness.status import ControlInputs, assess

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def inputs(**overrides) -> ControlInputs:
    base = dict(
        check_ids=[], requirements=[], policy_keys=[], outcomes={}, evidence_latest={},
        policy_states={}, all_criteria_na=False, override=None,
    )  # fmt: skip
    base.update(overrides)
    return ControlInputs(**base)


def test_nothing_defined_is_missing_and_says_so():
    verdict = assess(inputs(), NOW)
    assert verdict.status == S.MISSING
    assert "Nothing tests this control" in verdict.reasons[-1]


def test_override_wins_and_explains_itself():
    verdict = assess(inputs(override=("evidenced", "Reviewed by hand", "ann@x 2026-10-01")), NOW)
    assert verdict.status == S.EVIDENCED
    assert verdict.reasons == ("Set manually by ann@x 2026-10-01: Reviewed by hand",)


def test_all_criteria_not_applicable():
    assert assess(inputs(all_criteria_na=True), NOW).status == S.NOT_APPLICABLE


def test_passing_check_alone_is_implemented_and_evidenced():
    verdict = assess(inputs(check_ids=["c"], outcomes={"c": CheckOutcome(passing=3)}), NOW)
    assert verdict.status == S.EVIDENCED
    assert "all 3 resources pass" in verdict.reasons[0]


def test_one_failing_resource_makes_it_partial_or_missing():
    failing = {"c": CheckOutcome(passing=9, failing=1)}
    verdict = assess(inputs(check_ids=["c"], outcomes=failing), NOW)
    assert verdict.status == S.MISSING
    assert "1 of 10 resources fail" in verdict.reasons[0]
    both = {**failing, "d": CheckOutcome(passing=1)}
    assert assess(inputs(check_ids=["c", "d"], outcomes=both), NOW).status == S.PARTIAL


def test_check_without_results_is_not_a_pass():
    verdict = assess(inputs(check_ids=["c"]), NOW)
    assert verdict.status == S.MISSING
    assert "no results yet" in verdict.reasons[0]


def test_evidence_freshness_edges():
    req = [("access_review", "Access review", 90)]
    on_edge = NOW - timedelta(days=90)
    just_late = NOW - timedelta(days=90, seconds=1)
    assert (
        assess(inputs(requirements=req, evidence_latest={"access_review": on_edge}), NOW).status
        == S.EVIDENCED
    )
    late = assess(inputs(requirements=req, evidence_latest={"access_review": just_late}), NOW)
    assert late.status == S.MISSING
    assert "needed every 90 days" in late.reasons[0]


def test_implemented_but_not_evidenced():
    verdict = assess(
        inputs(
            check_ids=["c"], outcomes={"c": CheckOutcome(passing=1)},
            requirements=[("plan_test", "Plan test record", 365)],
        ),
        NOW,
    )  # fmt: skip
    assert verdict.status == S.IMPLEMENTED
    assert any("none collected" in r for r in verdict.reasons)


def test_policy_only_control_is_implemented_when_approved():
    approved = assess(
        inputs(policy_keys=["access-control"], policy_states={"access-control": "approved"}), NOW
    )
    assert approved.status == S.IMPLEMENTED
    draft = assess(
        inputs(policy_keys=["access-control"], policy_states={"access-control": "draft"}), NOW
    )
    assert draft.status == S.MISSING


def test_untracked_policies_are_reported_not_counted():
    verdict = assess(
        inputs(policy_keys=["encryption"], policy_states=None, check_ids=["c"],
               outcomes={"c": CheckOutcome(passing=2)}),
        NOW,
    )  # fmt: skip
    assert verdict.status == S.EVIDENCED
    assert any("not tracked yet" in r for r in verdict.reasons)


def test_some_evidence_fresh_is_partial():
    reqs = [("a", "A", 30), ("b", "B", 30)]
    verdict = assess(inputs(requirements=reqs, evidence_latest={"a": NOW}), NOW)
    assert verdict.status == S.PARTIAL
