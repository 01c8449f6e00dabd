"""Readiness of an organisation: every control's status and every framework's coverage.

``assess_organization`` loads what it needs in a fixed number of queries (controls with
their tests, criteria, current check outcomes, newest evidence per control and kind) and
computes everything else in memory, so its cost in queries does not grow with the number
of controls, results or evidence items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from zgovern.controls.models import (
    SEVERITY_RANK,
    Control,
    ControlCheck,
    ControlCriterion,
    ControlPolicy,
    ControlStatus,
    EvidenceRequirement,
)
from zgovern.frameworks.models import Category, Criterion, Framework
from zgovern.readiness import sources
from zgovern.readiness.status import ControlInputs, ControlVerdict, assess


@dataclass(frozen=True)
class ControlState:
    control: Control
    verdict: ControlVerdict
    criterion_ids: frozenset[int]


@dataclass
class CategoryReadiness:
    category: Category
    criteria_in_scope: int = 0
    criteria_ready: int = 0
    score_sum: float = 0.0

    @property
    def score(self) -> float:
        return self.score_sum / self.criteria_in_scope if self.criteria_in_scope else 0.0


@dataclass
class FrameworkReadiness:
    framework: Framework
    categories: list[CategoryReadiness] = field(default_factory=list)
    criteria_uncovered: list[Criterion] = field(default_factory=list)
    controls_by_status: Counter = field(default_factory=Counter)
    gaps: list[ControlState] = field(default_factory=list)

    @property
    def criteria_in_scope(self) -> int:
        return sum(c.criteria_in_scope for c in self.categories)

    @property
    def criteria_ready(self) -> int:
        return sum(c.criteria_ready for c in self.categories)

    @property
    def score(self) -> float:
        total = self.criteria_in_scope
        return sum(c.score_sum for c in self.categories) / total if total else 0.0


@dataclass
class Assessment:
    controls: dict[int, ControlState]
    frameworks: list[FrameworkReadiness]
    computed_at: datetime


def assess_organization(org, now: datetime | None = None) -> Assessment:
    now = now or timezone.now()
    criteria = list(
        Criterion.objects.filter(organization=org, assessable=True).select_related(
            "category", "framework"
        )
    )
    states = _control_states(org, now, {c.id: c for c in criteria})
    frameworks = [
        _framework_readiness(framework, criteria, states)
        for framework in Framework.objects.filter(organization=org)
    ]
    return Assessment(controls=states, frameworks=frameworks, computed_at=now)


def _control_states(org, now: datetime, criteria: dict[int, Criterion]) -> dict[int, ControlState]:
    controls = Control.objects.filter(organization=org).select_related("owner", "override_by")
    tests = _control_tests(org)
    outcomes = sources.check_outcomes(org)
    evidence: dict[int, dict[str, datetime]] = defaultdict(dict)
    for (control_id, kind), at in sources.latest_evidence(org).items():
        evidence[control_id][kind] = at
    policies = sources.policy_states(org)
    states = {}
    for control in controls:
        criterion_ids = frozenset(tests.criteria[control.id])
        inputs = _inputs(control, criterion_ids, criteria, tests, outcomes, evidence, policies)
        states[control.id] = ControlState(control, assess(inputs, now), criterion_ids)
    return states


@dataclass
class _Tests:
    """Each control's criteria and tests, by control id."""

    criteria: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    checks: defaultdict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    requirements: defaultdict[int, list[tuple[str, str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    policies: defaultdict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def _control_tests(org) -> _Tests:
    """One flat query per relation. Not ``prefetch_related``: building a related manager
    for every control cost more than the queries themselves (~0.7 ms per control)."""
    tests = _Tests()
    links = ControlCriterion.objects.filter(organization=org)
    for control_id, criterion_id in links.values_list("control_id", "criterion_id"):
        tests.criteria[control_id].append(criterion_id)
    checks = ControlCheck.objects.filter(organization=org).order_by("id")
    for control_id, check_id in checks.values_list("control_id", "check_id"):
        tests.checks[control_id].append(check_id)
    requirements = EvidenceRequirement.objects.filter(organization=org).order_by("id")
    for control_id, *requirement in requirements.values_list(
        "control_id", "kind", "description", "freshness_days"
    ):
        tests.requirements[control_id].append(tuple(requirement))
    policies = ControlPolicy.objects.filter(organization=org).order_by("id")
    for control_id, key in policies.values_list("control_id", "policy_key"):
        tests.policies[control_id].append(key)
    return tests


def _inputs(control, criterion_ids, criteria, tests, outcomes, evidence, policies) -> ControlInputs:
    mapped = [criteria[i] for i in criterion_ids if i in criteria]
    override = None
    if control.override_status:
        who = control.override_by.email if control.override_by else "an administrator"
        when = f"{control.override_at:%Y-%m-%d}" if control.override_at else ""
        override = (control.override_status, control.override_justification, f"{who} {when}")
    return ControlInputs(
        check_ids=tests.checks.get(control.id, []),
        requirements=tests.requirements.get(control.id, []),
        policy_keys=tests.policies.get(control.id, []),
        outcomes=outcomes,
        evidence_latest=evidence.get(control.id, {}),
        policy_states=policies,
        all_criteria_na=bool(mapped) and all(c.not_applicable for c in mapped),
        override=override,
    )


def in_scope(criterion: Criterion) -> bool:
    category = criterion.category
    return (category.always_in_scope or category.in_scope) and not criterion.not_applicable


def _framework_readiness(framework, criteria, states) -> FrameworkReadiness:
    result = FrameworkReadiness(framework)
    by_category: dict[int, CategoryReadiness] = {}
    controls_for: dict[int, list[ControlState]] = defaultdict(list)
    for state in states.values():
        for criterion_id in state.criterion_ids:
            controls_for[criterion_id].append(state)
    relevant: dict[int, ControlState] = {}
    for criterion in criteria:
        if criterion.framework_id != framework.id or not in_scope(criterion):
            continue
        cat = by_category.setdefault(criterion.category_id, CategoryReadiness(criterion.category))
        mapped = [s for s in controls_for[criterion.id] if s.verdict.status != "not_applicable"]
        cat.criteria_in_scope += 1
        if not mapped:
            result.criteria_uncovered.append(criterion)
            continue
        cat.score_sum += sum(s.verdict.score for s in mapped) / len(mapped)
        cat.criteria_ready += all(s.verdict.status == ControlStatus.EVIDENCED for s in mapped)
        relevant.update((s.control.id, s) for s in mapped)
    result.categories = sorted(by_category.values(), key=lambda c: c.category.position)
    result.controls_by_status = Counter(s.verdict.status for s in relevant.values())
    result.gaps = _rank_gaps(relevant.values(), framework, criteria)
    return result


def _rank_gaps(states, framework, criteria) -> list[ControlState]:
    """Controls not yet implemented and evidenced, worst first: severity, then how many
    in-scope criteria they leave uncovered, then how far they are from done."""
    scoped = {c.id for c in criteria if c.framework_id == framework.id and in_scope(c)}
    gaps = [s for s in states if s.verdict.status != ControlStatus.EVIDENCED]
    return sorted(
        gaps,
        key=lambda s: (
            -SEVERITY_RANK.get(s.control.severity, 0),
            -len(s.criterion_ids & scoped),
            s.verdict.score,
            s.control.name,
        ),
    )
