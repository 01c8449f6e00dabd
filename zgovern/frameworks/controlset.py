"""Control sets: the template controls an organisation adopts, each mapped to framework
criteria, with the evidence, policies and automated checks that show it operating.
Format: ``data/FORMAT.md``."""

from __future__ import annotations

import collections.abc as cabc
import re
from dataclasses import dataclass
from functools import cached_property

from zgovern.frameworks.framework import (
    HEADER_KEYS,
    CriterionRef,
    FrameworkLibrary,
    check_header,
    parse_criterion_ref,
)
from zgovern.frameworks.yamlsource import (
    Document,
    Fields,
    LibraryError,
    Problem,
    Problems,
    Source,
    read_document,
)

FREQUENCIES = ("continuous", "daily", "weekly", "monthly", "quarterly", "annual", "per_event")
SEVERITIES = ("low", "medium", "high", "critical")  # ascending: gaps are ranked by it
DOMAINS = {
    "governance": "Governance",
    "risk": "Risk management",
    "hr": "People",
    "access": "Access control",
    "asset": "Asset management",
    "endpoint": "Endpoints",
    "network": "Network security",
    "data": "Data protection",
    "change": "Change management",
    "development": "Secure development",
    "monitoring": "Logging and monitoring",
    "vulnerability": "Vulnerability management",
    "incident": "Incident response",
    "availability": "Availability and continuity",
    "vendor": "Vendor management",
    "privacy": "Privacy",
    "physical": "Physical security",
    "processing": "Processing integrity",
}

SET_ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_HINT = "use lowercase words joined by '-', e.g. mfa-enforced"
CHECK_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
CHECK_ID_HINT = "use dotted lowercase names, e.g. aws.iam.console_mfa"
EVIDENCE_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
EVIDENCE_KIND_HINT = "use lowercase words joined by '_', e.g. access_review"
REF_HINT = "write framework:criterion, e.g. soc2:CC6.1"

SET_KEYS = (*HEADER_KEYS, "id", "name", "version", "description", "policies", "controls")
POLICY_KEYS = ("key", "name")
CONTROL_KEYS = (
    "key", "name", "description", "domain", "frequency", "severity",
    "criteria", "evidence", "policies", "checks",
)  # fmt: skip
EVIDENCE_KEYS = ("kind", "description", "freshness_days")
MAX_FRESHNESS_DAYS = 3660


@dataclass(frozen=True)
class EvidenceRequirement:
    """Evidence of ``kind`` no older than ``freshness_days`` shows the control operating."""

    kind: str
    description: str
    freshness_days: int


@dataclass(frozen=True)
class PolicyTemplate:
    key: str
    name: str


@dataclass(frozen=True)
class ControlTemplate:
    key: str
    name: str
    description: str
    domain: str
    frequency: str
    severity: str
    criteria: tuple[CriterionRef, ...]
    evidence: tuple[EvidenceRequirement, ...]
    policies: tuple[str, ...]
    checks: tuple[str, ...]

    @property
    def severity_rank(self) -> int:
        """0 for low up to 3 for critical."""
        return SEVERITIES.index(self.severity)


@dataclass(frozen=True)
class Coverage:
    """Which criteria of ``framework`` (limited to some categories) controls map to."""

    framework: str
    covered: tuple[str, ...]
    uncovered: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.uncovered)


@dataclass(frozen=True)
class ControlSet:
    id: str
    name: str
    version: str
    description: str
    origin: str
    policies: tuple[PolicyTemplate, ...]
    controls: tuple[ControlTemplate, ...]

    @cached_property
    def _by_key(self) -> dict[str, ControlTemplate]:
        return {control.key: control for control in self.controls}

    @cached_property
    def _by_ref(self) -> dict[CriterionRef, tuple[ControlTemplate, ...]]:
        index: dict[CriterionRef, list[ControlTemplate]] = {}
        for control in self.controls:
            for ref in control.criteria:
                index.setdefault(ref, []).append(control)
        return {ref: tuple(controls) for ref, controls in index.items()}

    def control(self, key: str) -> ControlTemplate:
        return self._by_key[key]

    def controls_for(self, ref: CriterionRef) -> tuple[ControlTemplate, ...]:
        return self._by_ref.get(ref, ())

    def coverage(
        self, framework: FrameworkLibrary, categories: cabc.Collection[str] | None = None
    ) -> Coverage:
        """Criteria of ``framework`` (all, or those in ``categories``) with and without at
        least one control mapped to them."""
        covered: list[str] = []
        uncovered: list[str] = []
        for criterion in framework.criteria:
            if categories is not None and criterion.category not in categories:
                continue
            ref = CriterionRef(framework.id, criterion.id)
            (covered if ref in self._by_ref else uncovered).append(criterion.id)
        return Coverage(framework.id, tuple(covered), tuple(uncovered))


def load_control_set(
    source: Source,
    frameworks: cabc.Mapping[str, FrameworkLibrary],
    *,
    name: str | None = None,
) -> ControlSet:
    """Load a control-set file and check every criterion reference against ``frameworks``.
    Raises :class:`LibraryError` listing every problem found."""
    return control_set_from_document(read_document(source, name=name), frameworks)


def control_set_from_document(
    document: Document, frameworks: cabc.Mapping[str, FrameworkLibrary]
) -> ControlSet:
    problems = Problems(document.name)
    if document.root is None:
        raise LibraryError([Problem(document.name, None, "", "file is empty")])
    top = problems.mapping(document.root, "", SET_KEYS)
    if top is None:
        raise LibraryError(problems.items)
    check_header(top, "control_set")
    set_id = top.text("id", pattern=SET_ID, hint="use lowercase letters, digits, '-' or '_'")
    name = top.text("name", max_length=200)
    version = top.text("version", max_length=60)
    policies = _read_policies(top)
    controls = _read_controls(top, frameworks, {policy.key for policy in policies})
    problems.raise_if_any()
    return ControlSet(
        id=set_id or "",
        name=name or "",
        version=version or "",
        description=top.text("description", required=False) or "",
        origin=document.name,
        policies=policies,
        controls=controls,
    )


def _read_policies(top: Fields) -> tuple[PolicyTemplate, ...]:
    policies: dict[str, PolicyTemplate] = {}
    for item in top.mappings("policies", POLICY_KEYS, required=False):
        key = item.text("key", pattern=SLUG, hint=SLUG_HINT, max_length=64)
        name = item.text("name", max_length=200)
        if key is None or name is None:
            continue
        if key in policies:
            item.problems.add(item.line_of("key"), item.at("key"), f"duplicate policy '{key}'")
            continue
        policies[key] = PolicyTemplate(key, name)
    return tuple(policies.values())


def _read_controls(
    top: Fields, frameworks: cabc.Mapping[str, FrameworkLibrary], policy_keys: set[str]
) -> tuple[ControlTemplate, ...]:
    controls: list[ControlTemplate] = []
    first_line: dict[str, int | None] = {}
    for item in top.mappings("controls", CONTROL_KEYS):
        key = item.text("key", pattern=SLUG, hint=SLUG_HINT, max_length=64)
        if key is not None and key in first_line:
            item.problems.add(
                item.line_of("key"),
                item.at("key"),
                f"duplicate control key '{key}' (first defined on line {first_line[key]})",
            )
            key = None
        elif key is not None:
            first_line[key] = item.line_of("key")
        control = _read_control(item, key, frameworks, policy_keys)
        if control is not None:
            controls.append(control)
    return tuple(controls)


def _read_control(
    item: Fields,
    key: str | None,
    frameworks: cabc.Mapping[str, FrameworkLibrary],
    policy_keys: set[str],
) -> ControlTemplate | None:
    """The control in ``item`` (its ``key`` already read), or ``None`` if it has problems."""
    name = item.text("name", max_length=200)
    description = item.text("description")
    domain = _choice(item, "domain", tuple(DOMAINS))
    frequency = _choice(item, "frequency", FREQUENCIES)
    severity = _choice(item, "severity", SEVERITIES)
    criteria = _read_criteria(item, frameworks)
    evidence = _read_evidence(item)
    policies = _read_policy_refs(item, policy_keys)
    checks = tuple(
        value for value, *_ in item.texts("checks", pattern=CHECK_ID, hint=CHECK_ID_HINT)
    )
    if not (key and name and description and domain and frequency and severity and criteria):
        return None
    return ControlTemplate(
        key, name, description, domain, frequency, severity, criteria, evidence, policies, checks
    )


def _choice(item: Fields, key: str, choices: tuple[str, ...]) -> str | None:
    value = item.text(key, max_length=40)
    if value is not None and value not in choices:
        item.problems.add(
            item.line_of(key),
            item.at(key),
            f"unknown {key} '{value}' (one of: {', '.join(choices)})",
        )
        return None
    return value


def _read_criteria(
    item: Fields, frameworks: cabc.Mapping[str, FrameworkLibrary]
) -> tuple[CriterionRef, ...]:
    refs: list[CriterionRef] = []
    for text, node, path in item.texts("criteria", required=True):
        ref = parse_criterion_ref(text)
        framework = frameworks.get(ref.framework) if ref else None
        if ref is None:
            item.problems.add(node, path, f"'{text}' is not valid: {REF_HINT}")
        elif framework is None:
            known = ", ".join(sorted(frameworks)) or "none"
            item.problems.add(node, path, f"unknown framework '{ref.framework}' (known: {known})")
        elif message := framework.unknown_criterion_message(ref.criterion):
            item.problems.add(node, path, message)
        else:
            refs.append(ref)
    return tuple(refs)


def _read_evidence(item: Fields) -> tuple[EvidenceRequirement, ...]:
    found: list[EvidenceRequirement] = []
    for entry in item.mappings("evidence", EVIDENCE_KEYS, required=False):
        kind = entry.text("kind", pattern=EVIDENCE_KIND, hint=EVIDENCE_KIND_HINT, max_length=64)
        description = entry.text("description", max_length=500)
        days = entry.integer("freshness_days", minimum=1, maximum=MAX_FRESHNESS_DAYS)
        if kind and description and days:
            found.append(EvidenceRequirement(kind, description, days))
    return tuple(found)


def _read_policy_refs(item: Fields, policy_keys: set[str]) -> tuple[str, ...]:
    found: list[str] = []
    for value, node, path in item.texts("policies", pattern=SLUG, hint=SLUG_HINT):
        if value not in policy_keys:
            item.problems.add(node, path, f"unknown policy '{value}' (declare it under policies)")
        else:
            found.append(value)
    return tuple(found)
