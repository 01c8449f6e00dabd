"""Controls as the API returns them: plain dicts shaped like the schemas in
:mod:`zgovern.controls.schemas`, built from the readiness assessment and the queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from zgovern.controls import queries
from zgovern.controls.models import Control, ControlEvidence, EvidenceRequirement
from zgovern.readiness.engine import assess_organization
from zgovern.tenancy.models import Organization


def person(user) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "email": user.email, "name": user.full_name}


def control_summary(state, users: dict[int, Any]) -> dict[str, Any]:
    """One row of the list; ``users`` maps owner ids to users (loaded once per page)."""
    control = state.control
    return {
        "id": control.pk,
        "key": control.key,
        "name": control.name,
        "domain": control.domain,
        "frequency": control.frequency,
        "severity": control.severity,
        "owner": person(users.get(control.owner_id)),
        "status": state.verdict.status,
        "manual": bool(control.override_status),
        "criteria": len(state.criterion_ids),
    }


def control_data(org: Organization, control: Control) -> dict[str, Any]:
    """The control with its status and reasons, tests, criteria, override and evidence."""
    state = assess_organization(org).controls[control.pk]
    tests = queries.control_tests(org, control)
    data = control_summary(state, {control.owner_id: control.owner} if control.owner_id else {})
    return data | {
        "description": control.description,
        "created_at": control.created_at,
        "reasons": list(state.verdict.reasons),
        "override": _override(control),
        "checks": [
            {
                "check_id": row.check_id,
                "state": row.outcome.state,
                "passing": row.outcome.passing,
                "failing": row.outcome.failing,
                "errors": row.outcome.errors,
                "other": row.outcome.other,
            }
            for row in tests.checks
        ],
        "requirements": [
            _requirement(row.requirement, row.latest, row.fresh) for row in tests.requirements
        ],
        "policies": [{"key": key, "state": value} for key, value in tests.policies],
        "mapped_criteria": [
            {
                "id": link.criterion_id,
                "framework": link.criterion.framework.key,
                "ref": link.criterion.ref,
                "title": link.criterion.title,
            }
            for link in queries.mapped_criteria(org, control)
        ],
        "evidence": [
            {
                "id": link.evidence_id,
                "kind": link.evidence.kind,
                "title": link.evidence.title,
                "collected_at": link.evidence.collected_at,
            }
            for link in queries.linked_evidence(org, control)
        ],
    }


def _override(control: Control) -> dict[str, Any] | None:
    if not control.override_status:
        return None
    return {
        "status": control.override_status,
        "justification": control.override_justification,
        "set_by": control.override_by.email if control.override_by_id else None,
        "set_at": control.override_at,
    }


def _requirement(requirement: EvidenceRequirement, latest, fresh: bool) -> dict[str, Any]:
    return {
        "id": requirement.pk,
        "kind": requirement.kind,
        "description": requirement.description,
        "freshness_days": requirement.freshness_days,
        "latest_evidence_at": latest,
        "fresh": fresh,
    }


def requirement_data(org: Organization, requirement: EvidenceRequirement) -> dict[str, Any]:
    """One requirement with the newest linked evidence of its kind."""
    latest = (
        ControlEvidence.objects.filter(
            organization=org, control_id=requirement.control_id, evidence__kind=requirement.kind
        )
        .order_by("-evidence__collected_at")
        .values_list("evidence__collected_at", flat=True)
        .first()
    )
    fresh = latest is not None and timezone.now() - latest <= timedelta(
        days=requirement.freshness_days
    )
    return _requirement(requirement, latest, fresh)
