"""The sections of an audit bundle, in order: (key, title, "module:function").

Each function takes a :class:`zgovern.audits.builder.BundleContext`. The core sections live
here; a module that keeps records auditors ask for (policies, reviews, risks …) offers its
own ``bundle.py`` and is listed below, so this list is the one place that says what a
bundle holds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from zgovern.audits.builder import BundleContext
from zgovern.controls.models import (
    ControlCheck,
    ControlEvidence,
    EvidenceRequirement,
)
from zgovern.core.rows import plain_rows
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks.models import SystemDescription
from zgovern.monitoring.models import CheckInterval
from zgovern.readiness.engine import assess_organization

SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("controls", "Controls summary", "zgovern.audits.sections:controls_summary"),
    ("checklist", "Evidence checklist", "zgovern.audits.sections:evidence_checklist"),
    ("evidence", "Evidence files", "zgovern.audits.evidence_files:write"),
    ("history", "Check history", "zgovern.audits.sections:check_history"),
    ("effectiveness", "Operating effectiveness", "zgovern.effectiveness.bundle:write"),
    ("policies", "Policy library", "zgovern.policies.bundle:write"),
    ("reviews", "Access reviews", "zgovern.reviews.bundle:write"),
    ("incidents", "Incidents", "zgovern.incidents.bundle:write"),
    ("risks", "Risk register", "zgovern.risks.bundle:write"),
    ("vendors", "Vendors", "zgovern.vendors.bundle:write"),
    ("changes", "Change records", "zgovern.changes.bundle:write"),
    ("oscal", "OSCAL assessment results", "zgovern.audits.oscal:write"),
    ("requests", "Requests and exceptions", "zgovern.pbc.bundle:write"),
    ("populations", "Populations and samples", "zgovern.fieldwork.bundle:write"),
    ("system", "System description", "zgovern.audits.sections:system_description"),
)
# Plain tuples, not model instances: a year of history is hundreds of thousands of rows.
HISTORY_FIELDS = ("check_id", "resource__resource_type", "resource__name",
                  "resource__external_id", "resource__account", "resource__region", "status",
                  "reason", "started_at", "ended_at", "confirmed_at")  # fmt: skip
HISTORY_INSTANTS = frozenset(("started_at", "ended_at", "confirmed_at"))


def assessment_of(ctx: BundleContext):
    """The organisation's readiness at export time, computed once per bundle."""
    if "assessment" not in ctx.cache:
        ctx.cache["assessment"] = assess_organization(ctx.org)
    return ctx.cache["assessment"]


def controls_summary(ctx: BundleContext) -> None:
    assessment = assessment_of(ctx)
    checks = _checks_by_control(ctx)
    requirements = _requirements_by_control(ctx)
    counts = _evidence_counts(ctx)
    rows = []
    for control in ctx.controls:
        state = assessment.controls.get(control.pk)
        criteria = criteria_by_control(ctx).get(control.pk, [])
        tests = [
            *checks.get(control.pk, []),
            *(r.description for r in requirements.get(control.pk, [])),
        ]
        rows.append(
            [
                control.key,
                control.name,
                "; ".join(criteria),
                control.owner.email if control.owner else "",
                state.verdict.status if state else "",
                "; ".join(tests),
                counts.get(control.pk, 0),
            ]
        )
    header = ["control", "name", "criteria", "owner", "status", "tests", "evidence in period"]
    ctx.add_table("controls/controls-summary", header, rows, "Controls summary", "controls")


def criteria_by_control(ctx: BundleContext) -> dict[int, list[str]]:
    """The refs of the audit framework's criteria per in-scope control (loaded with the
    controls, see :func:`~zgovern.audits.builder.controls_in_scope`)."""
    framework = ctx.audit.framework_id
    return {
        control.pk: sorted(c.ref for c in control.criteria.all() if c.framework_id == framework)
        for control in ctx.controls
    }


def _checks_by_control(ctx: BundleContext) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    rows = ControlCheck.objects.filter(organization=ctx.org, control__in=ctx.controls)
    for control_id, check_id in rows.values_list("control_id", "check_id").order_by("check_id"):
        out[control_id].append(check_id)
    return out


def _requirements_by_control(ctx: BundleContext) -> dict[int, list[EvidenceRequirement]]:
    out: dict[int, list[EvidenceRequirement]] = defaultdict(list)
    rows = EvidenceRequirement.objects.filter(organization=ctx.org, control__in=ctx.controls)
    for requirement in rows.order_by("kind"):
        out[requirement.control_id].append(requirement)
    return out


@dataclass(frozen=True)
class PeriodLink:
    control_id: int
    control_key: str
    evidence_id: int
    kind: str
    collected_on: date


def period_links(ctx: BundleContext) -> list[PeriodLink]:
    """Links of in-scope controls to current evidence collected in the period, computed
    once per bundle. Three plain queries joined here: on SQLite a single query joining
    links, items and their corrections took seconds at 5,000 items."""
    cached = ctx.cache.get("period_links")
    if cached is not None:
        return cached
    start, end = ctx.bounds()
    items = EvidenceItem.objects.filter(
        organization=ctx.org, collected_at__gte=start, collected_at__lt=end
    )
    zone = timezone.get_current_timezone()
    current = {
        pk: (kind, at.astimezone(zone).date())
        for pk, kind, at in items.values_list("pk", "kind", "collected_at")
    }
    corrected = EvidenceItem.objects.filter(organization=ctx.org, supersedes__isnull=False)
    for pk in corrected.values_list("supersedes_id", flat=True):
        current.pop(pk, None)
    keys = {control.pk: control.key for control in ctx.controls}
    links = ControlEvidence.objects.filter(organization=ctx.org, control_id__in=list(keys))
    found = [
        PeriodLink(control_id, keys[control_id], evidence_id, *current[evidence_id])
        for control_id, evidence_id in links.values_list("control_id", "evidence_id")
        if evidence_id in current
    ]
    ctx.cache["period_links"] = found
    return found


def _evidence_counts(ctx: BundleContext) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for link in period_links(ctx):
        counts[link.control_id] += 1
    return counts


def evidence_checklist(ctx: BundleContext) -> None:
    """Every required evidence item per control and window of the period: present (in its
    window), late (after its window, within the period) or missing."""
    collected: dict[tuple[int, str], list[tuple[date, int]]] = defaultdict(list)
    for link in period_links(ctx):
        collected[(link.control_id, link.kind)].append((link.collected_on, link.evidence_id))
    rows = []
    by_control = _requirements_by_control(ctx)
    for control in ctx.controls:
        for requirement in by_control.get(control.pk, []):
            found = sorted(collected.get((control.pk, requirement.kind), []))
            rows.extend(_windows(ctx, control, requirement, found))
    header = [
        "control",
        "requirement",
        "kind",
        "window start",
        "window end",
        "status",
        "evidence ids",
    ]
    ctx.add_table("controls/evidence-checklist", header, rows, "Evidence checklist", "controls")


def _windows(ctx: BundleContext, control, requirement, found: list[tuple[date, int]]):
    length = max(1, requirement.freshness_days)
    count = max(1, math.ceil(((ctx.end - ctx.start).days + 1) / length))
    for index in range(count):
        first = ctx.start + timedelta(days=index * length)
        last = min(ctx.end, first + timedelta(days=length - 1))
        inside = [str(item) for day, item in found if first <= day <= last]
        later = [str(item) for day, item in found if last < day <= ctx.end]
        status = "present" if inside else ("late" if later else "missing")
        ids = inside or later[:1]
        yield [
            control.key,
            requirement.description,
            requirement.kind,
            first,
            last,
            status,
            " ".join(ids),
        ]


def check_history(ctx: BundleContext) -> None:
    """Every status interval of the in-scope controls' checks that overlaps the period."""
    check_ids = set(
        ControlCheck.objects.filter(organization=ctx.org, control__in=ctx.controls).values_list(
            "check_id", flat=True
        )
    )
    start, end = ctx.bounds()
    intervals = (
        CheckInterval.objects.filter(
            organization=ctx.org, check_id__in=check_ids, started_at__lt=end
        )
        .exclude(ended_at__lt=start)
        .order_by("check_id", "resource_id", "started_at")
    )
    header = ["check", "resource type", "resource", "external id", "account", "region",
              "status", "reason", "from", "until", "last confirmed"]  # fmt: skip
    ctx.add_csv(
        "monitoring/check-history.csv",
        header,
        plain_rows(intervals, HISTORY_FIELDS, HISTORY_INSTANTS, text=True),
        "Check history for the period",
        "history",
    )


def system_description(ctx: BundleContext) -> None:
    """The version of the system description in force at the end of the period."""
    _, end = ctx.bounds()
    versions = SystemDescription.objects.filter(organization=ctx.org)
    current = versions.filter(created_at__lt=end).order_by("-version").first() or versions.first()
    if current is None:
        text = "No system description has been written.\n"
    else:
        parts = [f"# System description (version {current.version})\n"]
        for label, value in (
            ("Services", current.services),
            ("Infrastructure", current.infrastructure),
            ("Data", current.data),
            ("People", current.people),
            ("Third parties", current.third_parties),
            ("Boundaries", current.boundaries),
            ("Narrative", current.narrative),
        ):
            parts.append(f"\n## {label}\n\n{value or '(not written)'}\n")
        text = "".join(parts)
    ctx.add_bytes("system-description.md", text.encode(), "System description", "system")
