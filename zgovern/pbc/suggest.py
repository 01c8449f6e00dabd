"""Proposed answers: existing evidence a request's criteria and wording point to.

Two sources, scored and merged per evidence item:

- criteria: evidence linked to a control mapped to a criterion the request names
  (``ControlCriterion`` → ``ControlEvidence``), 10 points per such control, newest first;
- wording: terms of the request's title and description (lower case, three letters or
  more, common words left out) found in an item's title (3 points a term), kind (2) or
  description (1).

Items already linked, and items replaced by a correction, are never proposed. Each
suggestion says why it was made, so the assignee can judge before confirming.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q

from zgovern.controls.models import ControlCriterion, ControlEvidence
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks.models import Criterion
from zgovern.pbc.models import AuditRequest, RequestEvidence

LIMIT = 10
MAX_TERMS = 30  # terms of one request searched for
CANDIDATES = 5000  # the newest items searched for words; older ones rarely answer a request
CRITERIA_POINTS, TITLE_POINTS, KIND_POINTS, DESCRIPTION_POINTS = 10, 3, 2, 1
_WORD = re.compile(r"[a-z0-9]{3,}")
STOP = frozenset((
    "the", "and", "for", "with", "from", "that", "this", "these", "those", "all", "any",
    "are", "was", "were", "has", "have", "had", "please", "provide", "provided", "evidence",
    "list", "listing", "show", "showing", "copy", "copies", "our", "your", "their", "its",
    "into", "over", "during", "period", "each", "every", "which", "who", "what", "when",
    "where", "how", "not", "but", "per", "via", "system", "systems", "company",
    "documentation", "document", "documents", "including", "include",
))  # fmt: skip


@dataclass
class Suggestion:
    evidence: EvidenceItem
    score: int = 0
    reasons: list[str] = field(default_factory=list)


def terms(text: str) -> set[str]:
    """Significant words of ``text`` (a trailing plural ``s`` dropped, so "reviews"
    matches "review")."""
    words = set()
    for word in _WORD.findall(text.lower()):
        if word in STOP:
            continue
        words.add(word[:-1] if len(word) > 4 and word.endswith("s") else word)
    return words


def suggest(org, req: AuditRequest, limit: int = LIMIT) -> list[Suggestion]:
    """The best ``limit`` proposals for ``req``, highest score first (newest on ties)."""
    found: dict[int, Suggestion] = {}
    excluded = _excluded(org, req)
    _by_criteria(org, req, found, excluded)
    _by_words(org, req, found, excluded)
    ranked = sorted(found.values(), key=lambda s: (-s.score, -s.evidence.collected_at.timestamp()))
    return ranked[:limit]


def _excluded(org, req: AuditRequest) -> set[int]:
    linked = set(
        RequestEvidence.objects.filter(organization=org, request=req).values_list(
            "evidence_id", flat=True
        )
    )
    replaced = EvidenceItem.objects.filter(organization=org, supersedes__isnull=False)
    return linked | set(replaced.values_list("supersedes_id", flat=True))


def _by_criteria(org, req: AuditRequest, found: dict[int, Suggestion], excluded) -> None:
    if not req.criteria_refs:
        return
    criteria = Criterion.objects.filter(
        organization=org, framework_id=req.audit.framework_id, ref__in=req.criteria_refs
    )
    mapped = ControlCriterion.objects.filter(organization=org, criterion__in=criteria)
    refs_by_control: dict[int, set[str]] = {}
    for control_id, ref in mapped.values_list("control_id", "criterion__ref"):
        refs_by_control.setdefault(control_id, set()).add(ref)
    links = (
        ControlEvidence.objects.filter(organization=org, control_id__in=list(refs_by_control))
        .exclude(evidence_id__in=excluded)
        .select_related("evidence", "control")
        .order_by("-evidence__collected_at")[:CANDIDATES]
    )
    for link in links:
        item = found.setdefault(link.evidence_id, Suggestion(link.evidence))
        refs = ", ".join(sorted(refs_by_control[link.control_id]))
        item.score += CRITERIA_POINTS
        item.reasons.append(f"linked to control {link.control.key}, mapped to {refs}")


def _by_words(org, req: AuditRequest, found: dict[int, Suggestion], excluded) -> None:
    wanted = terms(f"{req.title} {req.description}")
    if not wanted:
        return
    # The database keeps only items naming some term, so the scoring below reads few rows.
    naming = Q()
    for term in sorted(wanted)[:MAX_TERMS]:
        naming |= Q(title__icontains=term) | Q(kind__icontains=term)
        naming |= Q(description__icontains=term)
    items = (
        EvidenceItem.objects.filter(naming, organization=org)
        .exclude(pk__in=excluded)
        .only("pk", "title", "kind", "description", "collected_at", "source", "file_name")
        .order_by("-collected_at", "-id")[:CANDIDATES]
    )
    for item in items:
        score, reasons = _word_score(wanted, item)
        if score:
            entry = found.setdefault(item.pk, Suggestion(item))
            entry.score += score
            entry.reasons.extend(reasons)


def _word_score(wanted: set[str], item: EvidenceItem) -> tuple[int, list[str]]:
    score, reasons = 0, []
    for label, text, points in (
        ("title", item.title, TITLE_POINTS),
        ("kind", item.kind.replace("-", " ").replace("_", " "), KIND_POINTS),
        ("description", item.description, DESCRIPTION_POINTS),
    ):
        shared = sorted(wanted & terms(text))
        if shared:
            score += points * len(shared)
            quoted = ", ".join(f"“{w}”" for w in shared[:5])
            reasons.append(f"its {label} shares {quoted} with the request")
    return score, reasons
