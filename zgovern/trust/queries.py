"""Reads of the Trust Center: the settings, what the public page shows, the requests and
the downloads. Every read goes through the organisation given.

The public page is built only from the ids chosen in the settings and only from the
public fields of each row (a control's name and the public text written for it, a
policy's title and publication state, a subprocessor's name and public description);
nothing else of the organisation reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from zgovern.audits.models import Audit, AuditStatus
from zgovern.controls.models import Control
from zgovern.frameworks.models import Framework
from zgovern.policies.models import Policy, PolicyVersion, VersionStatus
from zgovern.policies.rendering import to_html
from zgovern.readiness.models import ReadinessSnapshot
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope
from zgovern.trust.models import ReportDownload, ReportRequest, TrustCenter
from zgovern.vendors.queries import public_subprocessors

READY_SCORE = 0.999
COMPUTED_TTL = 600  # seconds


def center(org: Organization) -> TrustCenter | None:
    return TrustCenter.objects.filter(organization=org).select_related("report").first()


def center_or_default(org: Organization) -> TrustCenter:
    """The saved settings, or unsaved defaults (everything off) when there are none."""
    return center(org) or TrustCenter(organization=org)


def enabled_center(slug: str) -> TrustCenter | None:
    """The settings of the organisation ``slug`` when its page is on; None otherwise, so
    an unknown organisation and a disabled page look the same (404)."""
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        return None
    with organization_scope(org):
        found = center(org)
    return found if found is not None and found.enabled else None


@dataclass(frozen=True)
class ReportPeriod:
    start: date | None
    end: date
    source: str  # "entered" or "audit"


def report_period(org: Organization, item: TrustCenter) -> ReportPeriod | None:
    """The period entered in the settings, else the latest complete audit's period."""
    if item.report_period_end is not None:
        return ReportPeriod(item.report_period_start, item.report_period_end, "entered")
    audit = latest_complete_audit(org)
    if audit is None or audit.period_end is None:
        return None
    return ReportPeriod(audit.period_start, audit.period_end, "audit")


def latest_complete_audit(org: Organization, framework_id: int | None = None) -> Audit | None:
    rows = Audit.objects.filter(organization=org, status=AuditStatus.COMPLETE)
    if framework_id is not None:
        rows = rows.filter(framework_id=framework_id)
    return rows.exclude(period_end=None).order_by("-period_end", "-id").first()


@dataclass(frozen=True)
class FrameworkStatus:
    name: str
    version: str
    score: float | None
    label: str
    audited_period: ReportPeriod | None = None


def framework_statuses(org: Organization, ids: list[int]) -> list[FrameworkStatus]:
    """Each chosen framework with its readiness (the latest daily snapshot, computed now
    only when a framework has none yet) and its latest complete audit."""
    frameworks = list(Framework.objects.filter(organization=org, pk__in=ids).order_by("name"))
    scores = _latest_scores(org, [f.pk for f in frameworks])
    if any(f.pk not in scores for f in frameworks):
        scores = {**_computed_scores(org), **scores}
    return [_status(org, f, scores.get(f.pk)) for f in frameworks]


def _latest_scores(org: Organization, ids: list[int]) -> dict[int, float]:
    rows = ReadinessSnapshot.objects.filter(organization=org, framework_id__in=ids)
    scores: dict[int, float] = {}
    for framework_id, score in rows.order_by("framework_id", "day").values_list(
        "framework_id", "score"
    ):
        scores[framework_id] = score  # the last day wins
    return scores


def _computed_scores(org: Organization) -> dict[int, float]:
    """Readiness computed now, kept for :data:`COMPUTED_TTL` seconds: the public page is
    open to anyone, so one visitor cannot make every request run the whole assessment."""
    key = f"trust:scores:{org.pk}:{org.created_at.timestamp()}"
    return cache.get_or_set(key, lambda: _assess(org), COMPUTED_TTL)


def _assess(org: Organization) -> dict[int, float]:
    from zgovern.readiness.engine import assess_organization

    return {f.framework.pk: f.score for f in assess_organization(org).frameworks}


def _status(org: Organization, framework: Framework, score: float | None) -> FrameworkStatus:
    audit = latest_complete_audit(org, framework.pk)
    period = ReportPeriod(audit.period_start, audit.period_end, "audit") if audit else None
    if audit is not None:
        label = "Audited"
    elif score is not None and score >= READY_SCORE:
        label = "Ready for audit"
    else:
        label = "In progress"
    return FrameworkStatus(framework.name, framework.version, score, label, period)


@dataclass(frozen=True)
class PublicControl:
    name: str
    description: str


def chosen_controls(org: Organization, item: TrustCenter) -> list[PublicControl]:
    """The chosen controls, in the chosen order, with the public text written for each."""
    texts = {entry["id"]: entry.get("description", "") for entry in item.controls}
    names = dict(
        Control.objects.filter(organization=org, pk__in=list(texts)).values_list("pk", "name")
    )
    return [PublicControl(names[pk], texts[pk]) for pk in texts if pk in names]


@dataclass(frozen=True)
class PublicPolicy:
    title: str
    published: bool
    published_on: date | None
    body_html: str = ""


def chosen_policies(org: Organization, item: TrustCenter) -> list[PublicPolicy]:
    """The chosen policies: title and whether a version is published; the published
    body only where the admin chose to show it."""
    bodies = {entry["id"]: bool(entry.get("show_body")) for entry in item.policies}
    published = PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED)
    rows = (
        Policy.objects.filter(organization=org, pk__in=list(bodies))
        .order_by("title", "id")
        .prefetch_related(Prefetch("versions", queryset=published, to_attr="published"))
    )
    return [_public_policy(policy, bodies[policy.pk]) for policy in rows]


def _public_policy(policy: Policy, show_body: bool) -> PublicPolicy:
    version = policy.published[0] if policy.published else None
    published_on = version.published_at.date() if version and version.published_at else None
    body = to_html(version.body) if version is not None and show_body else ""
    return PublicPolicy(policy.title, version is not None, published_on, body)


@dataclass
class PublicPage:
    org_name: str
    org_slug: str
    headline: str
    description: str
    contact_email: str
    frameworks: list[FrameworkStatus] = field(default_factory=list)
    report_period: ReportPeriod | None = None
    report_available: bool = False
    controls: list[PublicControl] = field(default_factory=list)
    policies: list[PublicPolicy] = field(default_factory=list)
    subprocessors: list[dict[str, str]] = field(default_factory=list)


def public_page(item: TrustCenter) -> PublicPage:
    """Everything the public page shows, and nothing else."""
    org = item.organization
    return PublicPage(
        org_name=org.name,
        org_slug=org.slug,
        headline=item.headline or f"{org.name} Trust Center",
        description=item.description,
        contact_email=item.contact_email,
        frameworks=framework_statuses(org, list(item.framework_ids)),
        report_period=report_period(org, item),
        report_available=item.report_id is not None,
        controls=chosen_controls(org, item),
        policies=chosen_policies(org, item),
        subprocessors=public_subprocessors(org) if item.show_subprocessors else [],
    )


def requests(org: Organization, status: str = "") -> QuerySet[ReportRequest]:
    rows = ReportRequest.objects.filter(organization=org)
    return rows.filter(status=status) if status else rows


def report_request(org: Organization, pk: int) -> ReportRequest | None:
    return ReportRequest.objects.filter(organization=org, pk=pk).first()


def downloads(org: Organization) -> QuerySet[ReportDownload]:
    return ReportDownload.objects.filter(organization=org).select_related("request")
