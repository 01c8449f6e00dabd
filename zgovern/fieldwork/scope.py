"""The audit's scope as the auditor sees it: the controls mapped to its in-scope
criteria, how each is tested, and all its evidence within the period.

Everything an auditor opens inside an audit is found through here, so an object outside
that audit (a control not in scope, evidence of another period) is simply not found.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from zgovern.audits import builder
from zgovern.audits.models import Audit
from zgovern.controls.models import (
    Control,
    ControlCheck,
    ControlEvidence,
    ControlPolicy,
    EvidenceRequirement,
)
from zgovern.evidence.models import EvidenceItem
from zgovern.fieldwork.populations import bounds

HISTORY_SHOWN = 200
ACKS_SHOWN = 200


@dataclass
class ControlRow:
    control: Control
    criteria: list[str]
    checks: list[str]
    requirements: list[EvidenceRequirement]
    policies: list[str]
    evidence_count: int = 0


def controls(org, audit: Audit, only: list[Control] | None = None) -> list[ControlRow]:
    """Every control in scope (or just ``only``) with its criteria, tests and count of
    evidence in the period."""
    found = builder.controls_in_scope(org, audit) if only is None else only
    ids = [c.pk for c in found]
    checks: dict[int, list[str]] = defaultdict(list)
    for cid, check in (
        ControlCheck.objects.filter(organization=org, control_id__in=ids)
        .values_list("control_id", "check_id")
        .order_by("check_id")
    ):
        checks[cid].append(check)
    requirements: dict[int, list] = defaultdict(list)
    for r in EvidenceRequirement.objects.filter(organization=org, control_id__in=ids).order_by(
        "kind"
    ):
        requirements[r.control_id].append(r)
    policies: dict[int, list[str]] = defaultdict(list)
    for cid, key in (
        ControlPolicy.objects.filter(organization=org, control_id__in=ids)
        .values_list("control_id", "policy_key")
        .order_by("policy_key")
    ):
        policies[cid].append(key)
    counts: dict[int, int] = defaultdict(int)
    if audit.has_period:
        for cid, _ in _period_links(org, audit, ids):
            counts[cid] += 1
    rows = []
    for c in found:
        criteria = sorted(x.ref for x in c.criteria.all() if x.framework_id == audit.framework_id)
        rows.append(
            ControlRow(c, criteria, checks[c.pk], requirements[c.pk], policies[c.pk], counts[c.pk])
        )
    return rows


def _period_links(org, audit: Audit, control_ids: list[int]) -> list[tuple[int, int]]:
    """(control id, evidence id) of current evidence collected in the period."""
    first, last = bounds(*builder.period_of(audit))
    items = set(
        EvidenceItem.objects.filter(
            organization=org, collected_at__gte=first, collected_at__lt=last
        ).values_list("pk", flat=True)
    )
    items -= set(
        EvidenceItem.objects.filter(organization=org, supersedes__isnull=False).values_list(
            "supersedes_id", flat=True
        )
    )
    links = ControlEvidence.objects.filter(organization=org, control_id__in=control_ids)
    return [(c, e) for c, e in links.values_list("control_id", "evidence_id") if e in items]


def control(org, audit: Audit, control_id: Any) -> Control | None:
    """The control when it is in the audit's scope."""
    for c in builder.controls_in_scope(org, audit):
        if str(c.pk) == str(control_id):
            return c
    return None


def any_control(org, control_id: Any) -> Control | None:
    """A control of the organisation, in scope or not (for members, who see them all)."""
    if not str(control_id).isdigit():
        return None
    return Control.objects.filter(organization=org, pk=control_id).select_related("owner").first()


def any_evidence(org, evidence_id: Any) -> EvidenceItem | None:
    if not str(evidence_id).isdigit():
        return None
    return EvidenceItem.objects.filter(organization=org, pk=evidence_id).first()


def evidence_item(org, audit: Audit, evidence_id: Any) -> EvidenceItem | None:
    """The evidence item when it is current, collected in the period and linked to a
    control in scope."""
    if not audit.has_period or not str(evidence_id).isdigit():
        return None
    ids = [c.pk for c in builder.controls_in_scope(org, audit)]
    linked = {e for _, e in _period_links(org, audit, ids)}
    if int(evidence_id) not in linked:
        return None
    return EvidenceItem.objects.filter(organization=org, pk=evidence_id).first()


def evidence_controls(org, audit: Audit, item: EvidenceItem) -> list[Control]:
    ids = [c.pk for c in builder.controls_in_scope(org, audit)]
    links = ControlEvidence.objects.filter(organization=org, evidence=item, control_id__in=ids)
    return [link.control for link in links.select_related("control").order_by("control__key")]


@dataclass
class ControlEvidenceView:
    """All the evidence of one control within the period."""

    items: list[EvidenceItem] = field(default_factory=list)
    history: list[Any] = field(default_factory=list)
    history_total: int = 0
    campaigns: list[Any] = field(default_factory=list)
    versions: list[Any] = field(default_factory=list)  # (version, acks shown, ack count)


def control_evidence(org, audit: Audit, c: Control) -> ControlEvidenceView:
    view = ControlEvidenceView()
    if not audit.has_period:
        return view
    start, end = builder.period_of(audit)
    ids = [e for _, e in _period_links(org, audit, [c.pk])]
    view.items = list(
        EvidenceItem.objects.filter(organization=org, pk__in=ids).order_by("-collected_at", "-id")
    )
    view.history, view.history_total = _history(org, c, start, end)
    kinds = set(
        EvidenceRequirement.objects.filter(organization=org, control=c).values_list(
            "kind", flat=True
        )
    )
    if "access_review" in kinds:
        view.campaigns = campaigns(org, start, end)
    view.versions = policy_versions(org, c, start, end)
    return view


def _history(org, c: Control, start: date, end: date) -> tuple[list, int]:
    from zgovern.monitoring.models import CheckInterval

    first, last = bounds(start, end)
    check_ids = list(
        ControlCheck.objects.filter(organization=org, control=c).values_list("check_id", flat=True)
    )
    rows = (
        CheckInterval.objects.filter(organization=org, check_id__in=check_ids, started_at__lt=last)
        .exclude(ended_at__lt=first)
        .select_related("resource")
        .order_by("check_id", "-started_at", "id")
    )
    return list(rows[:HISTORY_SHOWN]), rows.count()


def campaigns(org, start: date, end: date) -> list:
    """Access-review campaigns started or completed within the period."""
    from django.db.models import Q

    from zgovern.reviews.models import Campaign

    first, last = bounds(start, end)
    rows = Campaign.objects.filter(organization=org).filter(
        Q(started_at__gte=first, started_at__lt=last)
        | Q(completed_at__gte=first, completed_at__lt=last)
    )
    return list(rows.order_by("started_at", "id"))


def policy_versions(org, c: Control, start: date, end: date) -> list[tuple[Any, list, int]]:
    """The versions of the control's policies in force at some time in the period, with
    their acknowledgements made up to the period's end."""
    from django.db.models import Q

    from zgovern.policies.models import Acknowledgement, PolicyVersion

    first, last = bounds(start, end)
    keys = list(
        ControlPolicy.objects.filter(organization=org, control=c).values_list(
            "policy_key", flat=True
        )
    )
    versions = (
        PolicyVersion.objects.filter(
            organization=org,
            policy__key__in=keys,
            published_at__isnull=False,
            published_at__lt=last,
        )
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gte=first))
        .select_related("policy")
        .order_by("policy__key", "number")
    )
    out = []
    for version in versions:
        acks = Acknowledgement.objects.filter(
            organization=org, version=version, acknowledged_at__lt=last
        ).select_related("person")
        out.append((version, list(acks.order_by("acknowledged_at")[:ACKS_SHOWN]), acks.count()))
    return out


def target(org, audit: Audit, kind: str, target_id: Any):
    """The control, evidence item or sample ``target_id`` when it belongs to ``audit``."""
    from zgovern.fieldwork.models import Sample

    if not str(target_id).isdigit() or len(str(target_id)) > 19:
        return None
    if kind == "control":
        return control(org, audit, target_id)
    if kind == "evidence":
        return evidence_item(org, audit, target_id)
    if kind == "sample":
        return Sample.objects.filter(organization=org, audit=audit, pk=target_id).first()
    if kind == "request" and apps.is_installed("zgovern.pbc"):
        from zgovern.pbc.models import AuditRequest

        return AuditRequest.objects.filter(organization=org, audit=audit, pk=target_id).first()
    return None


def target_url(org, audit: Audit, kind: str, target_id: int) -> str:
    if kind == "request":
        # The request's own page shows it; the workspace when that page is not there.
        try:
            return reverse("pbc:detail", kwargs={"org_slug": org.slug, "request_id": target_id})
        except NoReverseMatch:
            return reverse(
                "fieldwork:workspace", kwargs={"org_slug": org.slug, "audit_id": audit.pk}
            )
    names = {
        "control": ("fieldwork:control", "control_id"),
        "evidence": ("fieldwork:evidence", "evidence_id"),
        "sample": ("fieldwork:sample", "sample_id"),
    }
    name, param = names[kind]
    return reverse(name, kwargs={"org_slug": org.slug, "audit_id": audit.pk, param: target_id})
