"""A control's status, derived from its tests, with the reasons a person reads.

The rules, in order:

1. A manual override wins; its justification and author are the reason.
2. A control all of whose criteria are marked not applicable is not applicable.
3. Implementation is shown by automated checks (every resource passing) and by approved
   policies; evidence by each evidence requirement having an item within its freshness.
4. Nothing defined to test the control: missing. Implementation not (fully) shown:
   partially implemented when anything at all is in place, else missing.
5. Implementation shown: implemented and evidenced when every requirement is fresh (a
   passing check is itself evidence), otherwise implemented but not evidenced.
6. A control with only evidence requirements: evidenced when all are fresh, partial when
   some are, missing when none are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from zgovern.controls.models import ControlStatus
from zgovern.readiness.sources import CheckOutcome

SCORES = {
    ControlStatus.MISSING: 0.0,
    ControlStatus.PARTIAL: 0.4,
    ControlStatus.IMPLEMENTED: 0.7,
    ControlStatus.EVIDENCED: 1.0,
}


@dataclass
class Tally:
    """What a control's tests showed: items met, items not met, and why."""

    impl_met: int = 0
    impl_unmet: int = 0
    evid_met: int = 0
    evid_unmet: int = 0
    checks_passing: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ControlInputs:
    """Everything the status of one control depends on, already loaded."""

    check_ids: list[str]
    requirements: list[tuple[str, str, int]]  # (kind, description, freshness_days)
    policy_keys: list[str]
    outcomes: dict[str, CheckOutcome]
    evidence_latest: dict[str, datetime]  # kind -> newest collected_at
    policy_states: dict[str, str] | None
    all_criteria_na: bool
    override: tuple[str, str, str] | None  # (status, justification, by and when)


@dataclass(frozen=True)
class ControlVerdict:
    status: str
    reasons: tuple[str, ...]

    @property
    def score(self) -> float:
        return SCORES.get(self.status, 0.0)


def assess(inputs: ControlInputs, now: datetime) -> ControlVerdict:
    if inputs.override is not None:
        status, justification, who = inputs.override
        return ControlVerdict(status, (f"Set manually by {who}: {justification}",))
    if inputs.all_criteria_na:
        return ControlVerdict(
            ControlStatus.NOT_APPLICABLE, ("Every criterion it addresses is not applicable.",)
        )
    tally = Tally()
    _tally_checks(inputs, tally)
    _tally_policies(inputs, tally)
    _tally_evidence(inputs, now, tally)
    return ControlVerdict(_decide(tally), tuple(tally.reasons))


def _tally_checks(inputs: ControlInputs, tally: Tally) -> None:
    for check_id in inputs.check_ids:
        outcome = inputs.outcomes.get(check_id, CheckOutcome())
        state = outcome.state
        if state == "passing":
            tally.impl_met += 1
            tally.checks_passing += 1
            tally.reasons.append(f"Check {check_id}: all {outcome.passing} resources pass.")
        elif state == "failing":
            tally.impl_unmet += 1
            tally.reasons.append(
                f"Check {check_id}: {outcome.failing} of "
                f"{outcome.failing + outcome.passing + outcome.errors} resources fail."
            )
        elif state == "error":
            tally.impl_unmet += 1
            tally.reasons.append(f"Check {check_id}: could not run ({outcome.errors} errors).")
        else:
            tally.impl_unmet += 1
            tally.reasons.append(f"Check {check_id}: no results yet.")


def _tally_policies(inputs: ControlInputs, tally: Tally) -> None:
    if not inputs.policy_keys:
        return
    if inputs.policy_states is None:
        keys = ", ".join(inputs.policy_keys)
        tally.reasons.append(f"Policies ({keys}) are not tracked yet and do not count.")
        return
    for key in inputs.policy_keys:
        state = inputs.policy_states.get(key, "missing")
        if state == "approved":
            tally.impl_met += 1
            tally.reasons.append(f"Policy {key}: approved and within its review date.")
        else:
            tally.impl_unmet += 1
            tally.reasons.append(f"Policy {key}: {state.replace('_', ' ')}.")


def _tally_evidence(inputs: ControlInputs, now: datetime, tally: Tally) -> None:
    for kind, description, freshness_days in inputs.requirements:
        latest = inputs.evidence_latest.get(kind)
        if latest is None:
            tally.evid_unmet += 1
            tally.reasons.append(f"Evidence '{description}': none collected.")
        elif now - latest > timedelta(days=freshness_days):
            tally.evid_unmet += 1
            age = (now - latest).days
            tally.reasons.append(
                f"Evidence '{description}': latest is {age} days old; "
                f"needed every {freshness_days} days."
            )
        else:
            tally.evid_met += 1
            tally.reasons.append(f"Evidence '{description}': collected {latest:%Y-%m-%d}.")


def _decide(t: Tally) -> str:
    has_impl = t.impl_met + t.impl_unmet > 0
    has_evid = t.evid_met + t.evid_unmet > 0
    if not has_impl and not has_evid:
        t.reasons.append("Nothing tests this control yet: add a check, evidence or a policy.")
        return ControlStatus.MISSING
    if not has_impl:
        if t.evid_unmet == 0:
            return ControlStatus.EVIDENCED
        return ControlStatus.PARTIAL if t.evid_met else ControlStatus.MISSING
    if t.impl_unmet:
        return ControlStatus.PARTIAL if (t.impl_met or t.evid_met) else ControlStatus.MISSING
    if t.evid_unmet == 0 and (has_evid or t.checks_passing):
        return ControlStatus.EVIDENCED
    if not has_evid:
        t.reasons.append("Implemented, but no evidence is required or collected.")
    return ControlStatus.IMPLEMENTED
