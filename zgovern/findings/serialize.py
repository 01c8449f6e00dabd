"""Findings as plain dicts (the CLI's JSON and the exports share them)."""

from __future__ import annotations

from typing import Any

from zgovern.findings.models import Category, Finding, FindingsScan

COLUMNS = (
    "id",
    "category",
    "kind",
    "severity",
    "controls",
    "criteria",
    "system",
    "subject",
    "from",
    "until",
    "duration_days",
    "wording",
    "evidence",
    "task",
    "status",
)


def finding(row: Finding) -> dict[str, Any]:
    return {
        "id": row.pk,
        "key": row.key,
        "category": row.category,
        "kind": row.kind,
        "severity": row.severity,
        "controls": row.controls,
        "criteria": row.criteria,
        "system": row.system,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "subject": row.subject_label,
        "from": row.period_from.isoformat() if row.period_from else None,
        "until": row.period_until.isoformat() if row.period_until else None,
        "duration_days": row.duration_days,
        "wording": row.wording,
        "evidence": row.evidence,
        "task": row.task_id,
        "status": row.status,
    }


def cells(row: Finding) -> list[Any]:
    """One export row in :data:`COLUMNS` order."""
    data = finding(row)
    data["category"] = Category(row.category).label
    data["controls"] = ", ".join(row.controls)
    data["criteria"] = ", ".join(row.criteria)
    data["evidence"] = "; ".join(f"{e.get('type')} {e.get('id')}" for e in row.evidence)
    return [data[name] for name in COLUMNS]


def scan(row: FindingsScan) -> dict[str, Any]:
    return {
        "id": row.pk,
        "status": row.status,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "audit": row.audit_id,
        "counts": row.counts,
        "opened": row.opened,
        "resolved": row.resolved,
        "duration_seconds": row.duration_seconds,
        "error": row.error,
    }
