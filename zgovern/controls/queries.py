"""Reads of controls and the remediation plan shared by the pages, the API and the exports.

Each takes the organisation and filters by it explicitly, on top of the active scope. The
control list takes the readiness assessment (computed once per request) and adds a fixed
number of queries, whatever the number of controls.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q, QuerySet
from django.utils import timezone

from zgovern.controls.models import (
    SEVERITY_RANK,
    Control,
    ControlCriterion,
    ControlEvidence,
    ControlStatus,
    RemediationTask,
    TaskStatus,
)
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks.models import Criterion
from zgovern.monitoring.models import CheckInterval, CheckStatus
from zgovern.readiness import sources
from zgovern.readiness.sources import CheckOutcome
from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.roles import Role

OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
ACTIVE = "active"  # the task filter meaning "open or in progress"
# Worst first, so sorting by status puts what needs work at the top.
STATUS_RANK = {
    ControlStatus.MISSING: 0,
    ControlStatus.PARTIAL: 1,
    ControlStatus.IMPLEMENTED: 2,
    ControlStatus.EVIDENCED: 3,
    ControlStatus.NOT_APPLICABLE: 4,
}
STATUS_BADGE = {
    ControlStatus.MISSING: "bad",
    ControlStatus.PARTIAL: "warn",
    ControlStatus.IMPLEMENTED: "warn",
    ControlStatus.EVIDENCED: "ok",
    ControlStatus.NOT_APPLICABLE: "",
}
UNOWNED = 0  # the owner filter's value for "no owner"


# -- the control list -----------------------------------------------------------------


@dataclass(frozen=True)
class ControlFilters:
    framework: int | None = None
    category: int | None = None
    status: str = ""
    owner: int | None = None  # a user id, or UNOWNED
    domain: str = ""
    severity: str = ""
    q: str = ""
    sort: str = "name"


def _sort_key(sort: str, names: dict[int, str]):
    keys = {
        "name": lambda s: (s.control.name.casefold(), s.control.pk),
        "key": lambda s: (s.control.key, s.control.pk),
        "severity": lambda s: (-SEVERITY_RANK.get(s.control.severity, 0), s.control.name),
        "status": lambda s: (STATUS_RANK.get(s.verdict.status, 9), s.control.name),
        "owner": lambda s: (names.get(s.control.owner_id) or "\uffff", s.control.name),
        "domain": lambda s: (s.control.domain or "\uffff", s.control.name),
    }
    return keys.get(sort.removeprefix("-"), keys["name"])


SORTS = ("name", "key", "severity", "status", "owner", "domain")


def users_by_id(ids) -> dict[int, Any]:
    """The users with these ids, in one query (owners shown in lists)."""
    from django.contrib.auth import get_user_model

    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=wanted)}


def control_rows(org: Organization, assessment, filters: ControlFilters) -> list:
    """The assessment's control states that pass ``filters``, sorted. One query selects
    the matching control ids; status filtering and sorting happen on the assessment."""
    rows = Control.objects.filter(organization=org)
    if filters.framework:
        rows = rows.filter(criterion_links__criterion__framework_id=filters.framework)
    if filters.category:
        rows = rows.filter(criterion_links__criterion__category_id=filters.category)
    if filters.owner == UNOWNED:
        rows = rows.filter(owner__isnull=True)
    elif filters.owner:
        rows = rows.filter(owner_id=filters.owner)
    if filters.domain:
        rows = rows.filter(domain=filters.domain)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.q:
        rows = rows.filter(
            Q(name__icontains=filters.q)
            | Q(key__icontains=filters.q)
            | Q(description__icontains=filters.q)
        )
    ids = set(rows.values_list("id", flat=True))
    states = [s for pk, s in assessment.controls.items() if pk in ids]
    if filters.status:
        states = [s for s in states if s.verdict.status == filters.status]
    names: dict[int, str] = {}
    if filters.sort.removeprefix("-") == "owner":
        users = users_by_id(s.control.owner_id for s in states)
        names = {pk: u.display_name.casefold() for pk, u in users.items()}
    states.sort(key=_sort_key(filters.sort, names), reverse=filters.sort.startswith("-"))
    return states


def domains(org: Organization) -> list[str]:
    rows = Control.objects.filter(organization=org).exclude(domain="").order_by("domain")
    return list(rows.values_list("domain", flat=True).distinct())


def owners(org: Organization) -> list[Membership]:
    """Members who may own controls and tasks (everyone but auditors), by name."""
    return list(
        Membership.objects.filter(organization=org, user__is_active=True)
        .exclude(role=Role.AUDITOR)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


# -- one control ----------------------------------------------------------------------


@dataclass
class CheckRow:
    check_id: str
    outcome: CheckOutcome


@dataclass
class RequirementRow:
    requirement: Any
    latest: datetime | None
    fresh: bool
    age_days: int | None = None


@dataclass
class ControlTests:
    checks: list[CheckRow] = field(default_factory=list)
    requirements: list[RequirementRow] = field(default_factory=list)
    policies: list[tuple[str, str]] = field(default_factory=list)  # (key, state)


def control_tests(org: Organization, control: Control, now: datetime | None = None):
    """The control's checks with their current outcome counts, its evidence requirements
    with the newest linked evidence of each kind, and its policies with their state."""
    now = now or timezone.now()
    check_ids = list(control.checks.order_by("check_id").values_list("check_id", flat=True))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    current = CheckInterval.objects.filter(
        organization=org, ended_at__isnull=True, check_id__in=check_ids
    )
    for row in current.values("check_id", "status").annotate(n=Count("id")):
        counts[row["check_id"]][row["status"]] = row["n"]
    tests = ControlTests(checks=[CheckRow(c, _outcome(counts.get(c, {}))) for c in check_ids])
    latest = dict(
        ControlEvidence.objects.filter(organization=org, control=control)
        .values("evidence__kind")
        .annotate(latest=Max("evidence__collected_at"))
        .values_list("evidence__kind", "latest")
    )
    for req in control.evidence_requirements.order_by("kind"):
        at = latest.get(req.kind)
        fresh = at is not None and now - at <= timedelta(days=req.freshness_days)
        age = (now - at).days if at is not None else None
        tests.requirements.append(RequirementRow(req, at, fresh, age))
    states = sources.policy_states(org)
    for key in control.policies.order_by("policy_key").values_list("policy_key", flat=True):
        state = "not tracked yet" if states is None else states.get(key, "missing")
        tests.policies.append((key, state.replace("_", " ")))
    return tests


def _outcome(by: dict[str, int]) -> CheckOutcome:
    return CheckOutcome(
        passing=by.get(CheckStatus.PASS, 0),
        failing=by.get(CheckStatus.FAIL, 0),
        errors=by.get(CheckStatus.ERROR, 0),
        other=by.get(CheckStatus.SKIPPED, 0) + by.get(CheckStatus.NOT_APPLICABLE, 0),
    )


def mapped_criteria(org: Organization, control: Control) -> list[ControlCriterion]:
    return list(
        ControlCriterion.objects.filter(organization=org, control=control)
        .select_related("criterion__framework", "criterion__category")
        .order_by("criterion__framework_id", "criterion__position")
    )


def criterion_choices(org: Organization, control: Control) -> list[Criterion]:
    """Assessable criteria the control is not mapped to yet."""
    mapped = ControlCriterion.objects.filter(organization=org, control=control)
    return list(
        Criterion.objects.filter(organization=org, assessable=True)
        .exclude(pk__in=mapped.values("criterion_id"))
        .select_related("framework")
        .order_by("framework_id", "position")
    )


LINKED_SHOWN = 200


def linked_evidence(org: Organization, control: Control) -> list[ControlEvidence]:
    return list(
        ControlEvidence.objects.filter(organization=org, control=control)
        .select_related("evidence")
        .defer("evidence__record", "evidence__description")
        .order_by("-evidence__collected_at", "-id")[:LINKED_SHOWN]
    )


def evidence_choices(org: Organization, control: Control, limit: int = 200) -> list[EvidenceItem]:
    """The newest evidence items not linked to the control yet, to pick one to link."""
    linked = ControlEvidence.objects.filter(organization=org, control=control)
    return list(
        EvidenceItem.objects.filter(organization=org)
        .exclude(pk__in=linked.values("evidence_id"))
        .only("id", "title", "kind", "collected_at")
        .order_by("-collected_at", "-id")[:limit]
    )


def evidence_kinds(org: Organization) -> list[str]:
    """The evidence kinds in use, for suggestions."""
    rows = EvidenceItem.objects.filter(organization=org).order_by("kind")
    return list(rows.values_list("kind", flat=True).distinct()[:500])


# -- the remediation plan -------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilters:
    status: str = ""  # a TaskStatus, ACTIVE, or "" for all
    owner: int | None = None  # a user id, or UNOWNED
    priority: int | None = None
    overdue: bool = False
    control: int | None = None


def tasks(org: Organization, filters: TaskFilters | None = None) -> QuerySet[RemediationTask]:
    """Tasks with ``overdue`` annotated (open or in progress, target date before today),
    overdue first, then by priority, target date (none last) and age."""
    filters = filters or TaskFilters()
    today = timezone.localdate()
    overdue = Q(status__in=OPEN_STATUSES, target_date__lt=today)
    rows = RemediationTask.objects.filter(organization=org)
    if filters.status == ACTIVE:
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.owner == UNOWNED:
        rows = rows.filter(owner__isnull=True)
    elif filters.owner:
        rows = rows.filter(owner_id=filters.owner)
    if filters.priority:
        rows = rows.filter(priority=filters.priority)
    if filters.overdue:
        rows = rows.filter(overdue)
    if filters.control:
        rows = rows.filter(control_id=filters.control)
    return (
        rows.select_related("owner", "control")
        .annotate(overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .order_by("-overdue", "priority", F("target_date").asc(nulls_last=True), "id")
    )


def task(org: Organization, task_id: int) -> RemediationTask | None:
    return tasks(org).filter(pk=task_id).first()


def control_choices(org: Organization) -> list[tuple[int, str]]:
    rows = Control.objects.filter(organization=org).order_by("name", "id")
    return [(pk, f"{name} ({key})") for pk, key, name in rows.values_list("id", "key", "name")]


PLAN_HEADER = (
    "Task", "Title", "Control key", "Control", "Owner", "Priority", "Target date", "Status",
    "Overdue", "Created", "Completed", "Description",
)  # fmt: skip


def plan_rows(org: Organization, filters: TaskFilters | None = None):
    """One row per task for the CSV and XLSX exports (in the plan's order)."""
    for t in tasks(org, filters).iterator(chunk_size=500):
        yield (
            t.pk, t.title, t.control.key if t.control else "", t.control.name if t.control else "",
            t.owner.email if t.owner else "", t.get_priority_display(), t.target_date,
            t.get_status_display(), "yes" if t.overdue else "no", _day(t.created_at),
            _day(t.completed_at), t.description,
        )  # fmt: skip


def _day(value: datetime | None) -> date | None:
    return timezone.localtime(value).date() if value is not None else None
