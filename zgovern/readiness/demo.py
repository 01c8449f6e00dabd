"""Demo records of readiness: the state behind a believable dashboard for Acme Cloud.

- Current check results: most of the default controls' automated checks pass on a few
  named resources, a handful fail on one resource, a few have no results yet. These are
  written directly (open ``CheckInterval`` rows): monitoring has no service that records
  hand-made results, and the demo must not pretend an integration ran.
- Evidence: most controls get an item for each evidence requirement, through the
  evidence services, linked through the controls services; a few get stale items so that
  "latest is N days old" shows up as a reason.
- History: 45 days of daily snapshots rising, with a little noise, to today's computed
  score, so the projection has a trend to fit. These past snapshots are fabricated demo
  data (no service offers to write a past day); today's is taken by the real service.

Every step adds only what is missing, so a second ``zgovern demo`` duplicates nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from zgovern.controls import services as controls
from zgovern.controls.models import Control, ControlEvidence
from zgovern.evidence import services as evidence
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks.models import Framework
from zgovern.monitoring.models import CheckInterval, CheckStatus, Resource
from zgovern.readiness import services
from zgovern.readiness.engine import assess_organization
from zgovern.readiness.models import ReadinessSnapshot

HISTORY_DAYS = 45
CLIMB = 0.26  # readiness gained over the seeded history
NOISE = 0.02
# Checks that fail on one resource today, and checks with no results yet.
FAILING = {
    "aws.iam.access_keys_rotated": "Access key of ci-deployer is 212 days old (limit 90).",
    "aws.s3.versioning_enabled": "Versioning is suspended on acme-exports-tmp.",
    "github.repos.branch_protection": "Default branch of billing-scripts is not protected.",
    "okta.users.inactive_suspended": "j.doe@acme.example has not signed in for 64 days.",
    "training_program.training.security_awareness": "2 people are past their yearly training.",
}
NO_RESULTS = {"aws.inspector.enabled", "github.repos.secret_scanning"}
RESOURCES_PER_CHECK = 3
EVIDENCE_TITLE = "Demo: {requirement}"


def load(context) -> None:
    org, actor = context.organization, context.actor
    controls_ = list(
        Control.objects.filter(organization=org)
        .prefetch_related("checks", "evidence_requirements")
        .order_by("key")
    )
    if not controls_:
        return
    _check_results(org, sorted({c.check_id for ctl in controls_ for c in ctl.checks.all()}))
    _evidence(org, actor, controls_)
    _history(org, actor)


# -- check results --------------------------------------------------------------------


def _check_results(org, check_ids: list[str]) -> None:
    now = timezone.now()
    open_pairs = set(
        CheckInterval.objects.filter(organization=org, ended_at__isnull=True).values_list(
            "resource_id", "check_id"
        )
    )
    rows = []
    for check_id in check_ids:
        if check_id in NO_RESULTS:
            continue
        for index, resource in enumerate(_resources(org, check_id)):
            if (resource.pk, check_id) in open_pairs:
                continue
            failing = check_id in FAILING and index == 0
            rows.append(
                CheckInterval(
                    organization=org,
                    check_id=check_id,
                    resource=resource,
                    status=CheckStatus.FAIL if failing else CheckStatus.PASS,
                    reason=FAILING[check_id] if failing else "",
                    started_at=now - timedelta(days=3 if failing else 30 + index),
                    confirmed_at=now,
                )
            )
    CheckInterval.objects.bulk_create(rows)


def _resources(org, check_id: str) -> list[Resource]:
    """A few resources per check, named after the provider and service of its id."""
    provider, service = ([*check_id.split("."), "resource"])[:2]
    resources = []
    for n in range(1, RESOURCES_PER_CHECK + 1):
        resource, _ = Resource.objects.get_or_create(
            organization=org, provider=provider, resource_type=service,
            external_id=f"acme-{service}-{n}",
            defaults={"name": f"acme-{service}-{n}", "account": "acme-production"},
        )  # fmt: skip
        resources.append(resource)
    return resources


# -- evidence -------------------------------------------------------------------------


def _evidence(org, actor, controls_: list[Control]) -> None:
    """Fresh evidence for most controls, stale for every ninth, none for every seventh."""
    wanted = []
    for index, control in enumerate(controls_):
        if index % 7 == 6:
            continue
        stale = index % 9 == 8
        for requirement in control.evidence_requirements.all():
            wanted.append((control, requirement, stale))
    titles = {_title(control, req) for control, req, _ in wanted}
    existing = {
        item.title: item for item in EvidenceItem.objects.filter(organization=org, title__in=titles)
    }
    linked = set(ControlEvidence.objects.filter(organization=org).values_list(
        "control_id", "evidence_id"
    ))  # fmt: skip
    now = timezone.now()
    for control, requirement, stale in wanted:
        title = _title(control, requirement)
        item = existing.get(title)
        if item is None:
            fresh_age = min(2 + len(title) % 20, requirement.freshness_days // 2)
            age = requirement.freshness_days + 30 if stale else fresh_age
            item = evidence.add_record(
                org, actor, kind=requirement.kind, title=title,
                record={"control": control.key, "requirement": requirement.kind},
                description=f"Collected for the control '{control.name}'.",
                collected_at=now - timedelta(days=age),
            )  # fmt: skip
            existing[title] = item
        if (control.pk, item.pk) not in linked:
            controls.link_evidence(org, actor, control.pk, item.pk)
            linked.add((control.pk, item.pk))


def _title(control: Control, requirement) -> str:
    return f"{control.key}: {requirement.description}"[:200]


# -- history --------------------------------------------------------------------------


def _history(org, actor) -> None:
    """Rising daily history up to yesterday for every framework, then today's snapshot."""
    today = timezone.localdate()
    assessment = assess_organization(org)
    services.take_snapshot(org, day=today, assessment=assessment, actor=actor)
    have = set(
        ReadinessSnapshot.objects.filter(organization=org, day__lt=today).values_list(
            "framework_id", "day"
        )
    )
    rows = []
    for readiness in assessment.frameworks:
        rows += _past(org, readiness, today, have)
    ReadinessSnapshot.objects.bulk_create(rows)


def _past(org, readiness, today, have) -> list[ReadinessSnapshot]:
    framework: Framework = readiness.framework
    rng = random.Random(f"{org.pk}-{framework.key}")  # noqa: S311 - demo noise, not security
    final = readiness.score
    start = max(final - CLIMB, 0.0)
    rows = []
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        if (framework.pk, day) in have:
            continue
        progress = (HISTORY_DAYS - back) / HISTORY_DAYS
        score = min(max(start + (final - start) * progress + rng.uniform(-NOISE, NOISE), 0), 1)
        rows.append(
            ReadinessSnapshot(
                organization=org,
                framework=framework,
                day=day,
                score=round(score, 6),
                criteria_in_scope=readiness.criteria_in_scope,
                criteria_ready=round(readiness.criteria_ready * score / final) if final else 0,
                taken_at=timezone.now(),
            )
        )
    return rows
