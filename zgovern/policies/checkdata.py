"""What the built-in policy checks read (``zgovern.integrations.policy_program``): plain
rows about each policy and each person x published policy, computed in a constant number
of queries."""

from __future__ import annotations

from django.utils import timezone

from zgovern.policies import queries
from zgovern.policies.models import Policy, VersionStatus
from zgovern.tenancy.models import Organization


def policy_rows(org: Organization) -> list[dict]:
    today = timezone.localdate()
    rows = []
    for policy in Policy.objects.filter(organization=org).prefetch_related("versions"):
        published = next(
            (v for v in policy.versions.all() if v.status == VersionStatus.PUBLISHED), None
        )
        approved = published.approved_at if published else None
        rows.append({
            "key": policy.key, "title": policy.title,
            "published_version": published.number if published else None,
            "approved_on": timezone.localdate(approved).isoformat() if approved else None,
            "next_review_date": policy.next_review_date.isoformat()
            if policy.next_review_date else None,
            "review_overdue": bool(policy.next_review_date and policy.next_review_date < today),
        })  # fmt: skip
    return rows


def acknowledgement_rows(org: Organization) -> list[dict]:
    full = queries.matrix(org)
    rows = []
    for person, cells in full.rows:
        for column, cell in zip(full.columns, cells, strict=True):
            if cell is None:
                continue
            rows.append({
                "policy_key": column.policy.key, "policy_title": column.policy.title,
                "person_id": person.pk, "person_name": person.full_name,
                "required_version": column.base.number, "state": cell.state,
                "due": cell.due.isoformat(),
                "acknowledged_on": timezone.localdate(cell.acknowledged_at).isoformat()
                if cell.acknowledged_at else None,
            })  # fmt: skip
    return rows
