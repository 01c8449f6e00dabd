"""Each run's evidence: a JSON snapshot of the configuration it saw and what it found.

The snapshot is stored through :func:`zgovern.evidence.services.add_record` (source
``check_snapshot``, kind ``check_snapshot``), which hashes its canonical JSON; its tags are
the check ids it covers. After each item the ``evidence_added`` signal is sent, and the
controls module links the item to every control tested by one of those checks — data
flows one way: monitoring knows nothing of controls.

An evidence item carries at most 50 tags and 2 MiB of JSON, so a large run is split into
parts, whole checks per part; a check too large for one part keeps its failures and
errors in full and counts its passing resources instead of listing them.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.evidence import services as evidence
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.evidence.signals import evidence_added
from zgovern.monitoring import registry
from zgovern.monitoring.models import CheckRun, CheckStatus
from zgovern.monitoring.recorder import Observation

KIND = "check_snapshot"
FORMAT = 1
CHECKS_PER_ITEM = 50  # the evidence store's limit on tags
PART_BUDGET = 1_500_000  # bytes of JSON per item, under the store's 2 MiB limit
logger = logging.getLogger(__name__)


def add_run_evidence(
    run: CheckRun, config: dict[str, Any], observations: Sequence[Observation]
) -> list[int]:
    """Store the run's snapshot (in parts when large) and announce each item; returns the
    items' ids. A part the evidence store refuses is logged and noted in ``run.errors``;
    it never undoes what the run recorded."""
    if not observations:
        return []
    sections = [(obs.check_id, _section(obs)) for obs in observations]
    parts = _pack(sections)
    ids: list[int] = []
    for index, part in enumerate(parts, start=1):
        suffix = f" (part {index} of {len(parts)})" if len(parts) > 1 else ""
        item = _add(run, config, part, suffix)
        if item is not None:
            ids.append(item.pk)
    return ids


def _add(
    run: CheckRun, config: dict[str, Any], part: list[tuple[str, dict]], suffix: str
) -> EvidenceItem | None:
    org = run.organization
    checks = {check_id: section for check_id, section in part}
    totals = Counter()
    for section in checks.values():
        totals.update(section["counts"])
    record = {
        "format": FORMAT,
        "run": {
            "id": run.pk, "trigger": run.trigger, "started_by": run.started_by,
            "started_at": run.started_at.isoformat(),
        },
        "integration": {
            "id": run.integration_id, "name": run.integration_name, "provider": run.provider,
        },
        "config": config,
        "summary": {"checks": len(checks), "counts": dict(sorted(totals.items()))},
        "checks": checks,
    }  # fmt: skip
    name = run.integration_name or run.provider
    try:
        item = evidence.add_record(
            org,
            Actor.system("monitoring"),
            kind=KIND,
            title=f"Check results: {name}, {run.started_at:%Y-%m-%d %H:%M} UTC{suffix}",
            description=_describe(totals, run),
            record=_storable(record),
            tags=sorted(checks),
            collected_at=run.started_at,
            source=EvidenceSource.CHECK_SNAPSHOT,
        )
    except DomainError as exc:
        logger.error("run %s: evidence snapshot refused: %s", run.pk, exc.message)
        run.errors = [*run.errors, {"scope": "evidence", "message": exc.message, "permission": ""}]
        return None
    evidence_added.send(sender=EvidenceItem, item=item, organization=org)
    return item


def _describe(totals: Counter, run: CheckRun) -> str:
    counts = ", ".join(
        f"{totals[s]} {CheckStatus(s).label.lower()}" for s in CheckStatus.values if totals[s]
    )
    return (
        f"Automated check run #{run.pk} ({run.get_trigger_display()}): {counts or 'no findings'}."
    )


def _section(obs: Observation) -> dict[str, Any]:
    spec = registry_spec(obs.check_id)
    counts = Counter(f.status for f in obs.findings)
    section: dict[str, Any] = {
        "title": spec.title if spec else "",
        "severity": spec.severity if spec else "",
        "complete": obs.complete,
        "counts": dict(sorted(counts.items())),
        "findings": [
            [f.resource.resource_type, f.resource.external_id, f.resource.name, f.status, f.reason]
            for f in obs.findings
        ],
    }
    if _size(section) > PART_BUDGET:
        kept = [row for row in section["findings"] if row[3] != CheckStatus.PASS]
        section["findings"], section["passing_omitted"] = kept, counts[CheckStatus.PASS]
    while _size(section) > PART_BUDGET and section["findings"]:
        dropped = len(section["findings"]) // 2
        section["findings"] = section["findings"][: len(section["findings"]) - dropped]
        section["findings_omitted"] = section.get("findings_omitted", 0) + dropped
    return section


def registry_spec(check_id: str):
    """The check's metadata when it is registered (an imported finding's may not be)."""
    try:
        return registry.get(check_id)
    except Exception:  # a broken provider file must not stop the evidence of others
        logger.exception("check registry unavailable")
        return None


def _pack(sections: list[tuple[str, dict]]) -> list[list[tuple[str, dict]]]:
    parts: list[list[tuple[str, dict]]] = [[]]
    used = 0
    for check_id, section in sections:
        size = _size(section)
        current = parts[-1]
        if current and (len(current) >= CHECKS_PER_ITEM or used + size > PART_BUDGET):
            parts.append([])
            used = 0
        parts[-1].append((check_id, section))
        used += size
    return parts


def _size(value: Any) -> int:
    return len(
        json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
    )


def _storable(value: Any) -> Any:
    """``value`` with every string storable: no NUL, no lone surrogates."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(item) for item in value]
    return value
