"""Reads of the frameworks module for the web pages and the API: adopted frameworks with
their scope and readiness, the criteria tree with each criterion's controls, coverage and
cross-references, and the system description's versions.

Every function runs a fixed number of queries, whatever the number of criteria, controls
or check results: the readiness engine loads its inputs in bulk, and the tree, categories
and cross-referenced criteria are one query each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from zgovern.controls.models import ControlStatus
from zgovern.frameworks import library
from zgovern.frameworks.models import Category, Criterion, Framework, SystemDescription
from zgovern.readiness.engine import (
    Assessment,
    CategoryReadiness,
    ControlState,
    FrameworkReadiness,
    assess_organization,
)

COVERED, PARTIAL, UNCOVERED = "covered", "partial", "uncovered"


@dataclass(frozen=True)
class CrossRef:
    """A criterion of another adopted framework that the mapping files link to this one."""

    framework: Framework
    ref: str
    criterion_id: int | None  # None when that framework's copy lacks the criterion


@dataclass
class CriterionRow:
    criterion: Criterion
    depth: int
    in_scope: bool = False
    controls: list[ControlState] = field(default_factory=list)
    coverage: str = ""  # COVERED / PARTIAL / UNCOVERED for assessable criteria in scope
    crossrefs: list[CrossRef] = field(default_factory=list)


@dataclass
class CategoryView:
    category: Category
    readiness: CategoryReadiness | None  # None when nothing of it is in scope
    rows: list[CriterionRow] = field(default_factory=list)

    @property
    def in_scope(self) -> bool:
        return self.category.always_in_scope or self.category.in_scope


@dataclass
class FrameworkView:
    framework: Framework
    readiness: FrameworkReadiness
    categories: list[CategoryView]


@dataclass(frozen=True)
class FrameworkSummary:
    """An adopted framework on the index: what is in scope and how ready it is."""

    framework: Framework
    readiness: FrameworkReadiness
    categories_in_scope: list[Category]
    categories_out: list[Category]


def category_in_scope(category: Category) -> bool:
    return category.always_in_scope or category.in_scope


def status_label(status: str) -> str:
    try:
        return ControlStatus(status).label
    except ValueError:
        return status


def status_counts(readiness: FrameworkReadiness) -> list[tuple[str, str, int]]:
    """(status, label, number of controls) for each status present, best first."""
    counts = readiness.controls_by_status
    order = [ControlStatus.EVIDENCED, ControlStatus.IMPLEMENTED, ControlStatus.PARTIAL,
             ControlStatus.MISSING, ControlStatus.NOT_APPLICABLE]  # fmt: skip
    return [(s.value, s.label, counts[s.value]) for s in order if counts.get(s.value)]


def readiness_of(assessment: Assessment, framework: Framework) -> FrameworkReadiness:
    for readiness in assessment.frameworks:
        if readiness.framework.pk == framework.pk:
            return readiness
    return FrameworkReadiness(framework)  # adopted after the assessment was computed


def summaries(org) -> list[FrameworkSummary]:
    """Every adopted framework, oldest first, with its scope and readiness."""
    assessment = assess_organization(org)
    by_framework: dict[int, list[Category]] = defaultdict(list)
    for category in Category.objects.filter(organization=org):
        by_framework[category.framework_id].append(category)
    result = []
    for readiness in assessment.frameworks:
        categories = by_framework[readiness.framework.pk]
        result.append(
            FrameworkSummary(
                framework=readiness.framework,
                readiness=readiness,
                categories_in_scope=[c for c in categories if category_in_scope(c)],
                categories_out=[c for c in categories if not category_in_scope(c)],
            )
        )
    return result


def available_builtins(org) -> list[library.FrameworkLibrary]:
    """Built-in frameworks the organisation has not adopted yet."""
    adopted = set(Framework.objects.filter(organization=org).values_list("key", flat=True))
    return [f for key, f in library.load_builtin_frameworks().items() if key not in adopted]


def framework_view(org, framework: Framework) -> FrameworkView:
    """The criteria tree of ``framework`` grouped by category, each assessable criterion
    with its scope, mapped controls (with their derived status), coverage and
    cross-references to criteria of the organisation's other frameworks."""
    assessment = assess_organization(org)
    readiness = readiness_of(assessment, framework)
    categories = list(Category.objects.filter(organization=org, framework=framework))
    adopted = {r.framework.key: r.framework for r in assessment.frameworks}
    links = _links(framework, adopted)
    partners = {adopted[key].pk for pairs in links.values() for key, _ in pairs}
    # One query for this tree and the linked frameworks' criteria alike, so adopting a
    # second framework adds rows, not queries.
    loaded = Criterion.objects.filter(organization=org, framework_id__in=[framework.pk, *partners])
    nodes, others = [], {}
    for node in loaded:
        if node.framework_id == framework.pk:
            nodes.append(node)
        else:
            others[(node.framework_id, node.ref)] = node.pk
    crossrefs = {
        ref: [CrossRef(adopted[key], other, others.get((adopted[key].pk, other)))
              for key, other in pairs]
        for ref, pairs in links.items()
    }  # fmt: skip
    rows = _rows(
        nodes, {c.pk: c for c in categories}, _controls_by_criterion(assessment), crossrefs
    )
    scores = {c.category.pk: c for c in readiness.categories}
    views = [CategoryView(c, scores.get(c.pk), rows.get(c.pk, [])) for c in categories]
    return FrameworkView(framework, readiness, views)


def _controls_by_criterion(assessment: Assessment) -> dict[int, list[ControlState]]:
    controls_for: dict[int, list[ControlState]] = defaultdict(list)
    for state in sorted(assessment.controls.values(), key=lambda s: s.control.name):
        for criterion_id in state.criterion_ids:
            controls_for[criterion_id].append(state)
    return controls_for


def _rows(nodes, categories, controls_for, crossrefs) -> dict[int, list[CriterionRow]]:
    """Rows per category in document order: each assessable criterion of the category,
    preceded by the groups above it (once), indented by depth."""
    by_id = {n.pk: n for n in nodes}
    rows: dict[int, list[CriterionRow]] = defaultdict(list)
    shown: dict[int, set[int]] = defaultdict(set)
    for node in sorted(nodes, key=lambda n: n.position):
        if not node.assessable:
            continue
        chain = _ancestors(node, by_id)
        for depth, group in enumerate(chain):
            if group.pk not in shown[node.category_id]:
                shown[node.category_id].add(group.pk)
                rows[node.category_id].append(CriterionRow(group, depth))
        row = CriterionRow(node, len(chain), crossrefs=crossrefs.get(node.ref, []))
        category = categories[node.category_id]
        row.in_scope = category_in_scope(category) and not node.not_applicable
        row.controls = controls_for.get(node.pk, [])
        row.coverage = coverage(row.controls) if row.in_scope else ""
        rows[node.category_id].append(row)
    return rows


def _ancestors(node: Criterion, by_id: dict[int, Criterion]) -> list[Criterion]:
    chain: list[Criterion] = []
    parent_id = node.parent_id
    while parent_id is not None and parent_id in by_id and len(chain) < 16:
        chain.append(by_id[parent_id])
        parent_id = by_id[parent_id].parent_id
    return chain[::-1]


def coverage(states: list[ControlState]) -> str:
    """Covered: every applicable control mapped to the criterion is implemented and
    evidenced. Partial: something mapped to it is at least partly in place. Uncovered:
    no applicable control is mapped, or every mapped one is missing."""
    mapped = [s for s in states if s.verdict.status != ControlStatus.NOT_APPLICABLE]
    if all(s.verdict.status == ControlStatus.MISSING for s in mapped):
        return UNCOVERED  # also when nothing is mapped
    if all(s.verdict.status == ControlStatus.EVIDENCED for s in mapped):
        return COVERED
    return PARTIAL


def _links(framework: Framework, adopted: dict[str, Framework]) -> dict[str, list]:
    """criterion ref -> [(other framework key, its criterion ref)] for every other adopted
    framework the built-in mapping files link to ``framework`` (either direction)."""
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for mapping in library.load_mappings().values():
        if mapping.source == framework.key and mapping.target in adopted:
            for source_ref, target_ref in mapping.pairs():
                links[source_ref].append((mapping.target, target_ref))
        elif mapping.target == framework.key and mapping.source in adopted:
            for source_ref, target_ref in mapping.pairs():
                links[target_ref].append((mapping.source, source_ref))
    return links


def criteria_with_scope(org, framework: Framework) -> tuple[list[Category], list[Criterion]]:
    """The categories and every node of ``framework``; each node carries ``in_scope``
    (its category is in scope and, for a criterion, it is not marked not applicable)."""
    categories = list(Category.objects.filter(organization=org, framework=framework))
    scoped = {c.pk: category_in_scope(c) for c in categories}
    nodes = list(Criterion.objects.filter(organization=org, framework=framework))
    for node in nodes:
        node.in_scope = scoped.get(node.category_id, False) and not node.not_applicable
    return categories, nodes


def current_system_description(org) -> SystemDescription | None:
    return (
        SystemDescription.objects.filter(organization=org)
        .select_related("created_by")
        .order_by("-version")
        .first()
    )


def system_versions(org):
    return (
        SystemDescription.objects.filter(organization=org)
        .select_related("created_by")
        .order_by("-version")
    )
