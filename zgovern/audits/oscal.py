"""An audit as OSCAL assessment results (JSON): the same content as the bundle, in the form
GRC tools and assessors' platforms read.

- ``metadata``: the audit, the organisation and the audit firm as parties;
- ``import-ap``: a placeholder reference, since zGovern keeps no OSCAL assessment plan;
- one ``result`` whose ``start``/``end`` are the audit's evidence window;
- ``reviewed-controls``: the in-scope criteria of the audit's framework (the catalogue's
  controls, as OSCAL sees them);
- one ``observation`` per current evidence item linked to an in-scope control and
  collected in the period, pointing at a ``back-matter`` resource carrying the item's
  stored SHA-256 (and its path inside the bundle when built there);
- ``findings``: for each control in scope, one finding per criterion it maps to (an OSCAL
  finding has a single target), of type ``objective-id``, satisfied or not from the
  readiness engine's verdict.

Identifiers are UUID v5 derived from the organisation, the audit and the object, so the
same evidence keeps the same observation UUID from one export to the next; only the
document's own UUID changes with each generation. The module builds plain dictionaries
and needs nothing beyond the standard library at run time; the tests load the output with
compliance-trestle's models.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from zgovern.audits.builder import BundleContext, controls_in_scope, period_of
from zgovern.audits.models import Audit
from zgovern.audits.sections import assessment_of, criteria_by_control, period_links
from zgovern.controls.models import ControlStatus
from zgovern.evidence.models import EvidenceItem

OSCAL_VERSION = "1.1.2"
NS = "https://zgovern.dev/ns/oscal"
PATH = "oscal/assessment-results.json"
SATISFIED = {ControlStatus.EVIDENCED}
IMPLEMENTATION = {
    ControlStatus.EVIDENCED: "implemented",
    ControlStatus.IMPLEMENTED: "implemented",
    ControlStatus.PARTIAL: "partial",
    ControlStatus.MISSING: "planned",
    ControlStatus.NOT_APPLICABLE: "not-applicable",
}
OBSERVED = ("pk", "kind", "title", "source", "sha256", "collected_at", "link_url",
            "content_type")  # fmt: skip
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9._-]+")


def token(value: str) -> str:
    """``value`` as an OSCAL token (a letter or ``_`` first, then letters, digits, ``.``,
    ``-`` and ``_``)."""
    value = _NOT_TOKEN.sub("_", value).strip("_") or "_"
    return value if value[0].isalpha() or value[0] == "_" else f"_{value}"


def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds")


class _Ids:
    """Stable UUIDs (version 5) under one namespace per organisation and audit: the same
    strings :func:`uuid.uuid5` gives, made without a UUID object each (a document has
    three per evidence item)."""

    def __init__(self, org, audit: Audit) -> None:
        space = uuid.uuid5(uuid.NAMESPACE_URL, f"{NS}/{org.slug}/audits/{audit.pk}")
        self._space = space.bytes

    def __call__(self, *parts: Any) -> str:
        name = "/".join(str(p) for p in parts).encode()
        raw = bytearray(hashlib.sha1(self._space + name, usedforsecurity=False).digest()[:16])
        raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        text = raw.hex()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def context_for(org, audit: Audit, now: datetime | None = None) -> BundleContext:
    """A context over the audit's period and scope for an export outside a bundle (it
    has no writer: only the reading helpers of the sections are used)."""
    start, end = period_of(audit)
    return BundleContext(
        org, audit, start, end, None, now or timezone.now(), controls_in_scope(org, audit)
    )  # type: ignore[arg-type]


def assessment_results(ctx: BundleContext, files: dict[int, str] | None = None) -> dict:
    """The document as a JSON-ready dict; ``files`` maps evidence ids to their paths in
    the bundle (absent outside a bundle)."""
    ids = _Ids(ctx.org, ctx.audit)
    links = period_links(ctx)
    controls_of: dict[int, list[str]] = defaultdict(list)
    for link in links:
        controls_of[link.evidence_id].append(link.control_key)
    observations, resources = _observations(ctx, ids, controls_of, files or {})
    by_control: dict[str, list[str]] = defaultdict(list)
    for link in links:
        by_control[link.control_key].append(ids("observation", link.evidence_id))
    result = {
        "uuid": ids("result", ctx.start, ctx.end),
        "title": f"{ctx.audit.name}: results for {ctx.start} to {ctx.end}",
        "description": "Readiness of each in-scope control over the audit's evidence window, "
        "with the evidence collected in it.",
        "start": _when(ctx.bounds()[0]),
        "end": _when(ctx.bounds()[1] - timedelta(seconds=1)),
        "reviewed-controls": _reviewed_controls(ctx),
    }
    if observations:
        result["observations"] = observations
    findings = _findings(ctx, ids, by_control)
    if findings:
        result["findings"] = findings
    document = {
        "uuid": str(uuid.uuid4()),
        "metadata": _metadata(ctx, ids),
        "import-ap": {"href": f"#{ids('assessment-plan')}"},
        "results": [result],
        "back-matter": {"resources": [_plan_placeholder(ctx, ids), *resources]},
    }
    return {"assessment-results": document}


def render(ctx: BundleContext, files: dict[int, str] | None = None) -> bytes:
    # Compact on purpose: indenting switches json to its pure-Python encoder, which took
    # most of the export's time at thousands of observations.
    document = assessment_results(ctx, files)
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def write(ctx: BundleContext) -> None:
    """The bundle section: the document, with each observation naming its file."""
    files = ctx.cache.get("evidence_paths", {})
    ctx.add_bytes(PATH, render(ctx, files), "OSCAL assessment results (JSON)", "oscal")


def _metadata(ctx: BundleContext, ids: _Ids) -> dict:
    audit = ctx.audit
    parties = [{"uuid": ids("party", "organization"), "type": "organization",
                "name": ctx.org.name}]  # fmt: skip
    if audit.firm:
        parties.append({"uuid": ids("party", "firm"), "type": "organization", "name": audit.firm})
    return {
        "title": f"{audit.name}: assessment results",
        "last-modified": _when(ctx.generated_at),
        "version": _when(ctx.generated_at),
        "oscal-version": OSCAL_VERSION,
        "props": [
            {"name": "audit-type", "ns": NS, "value": audit.audit_type},
            {"name": "framework", "ns": NS, "value": audit.framework.key},
        ],
        "parties": parties,
    }


def _plan_placeholder(ctx: BundleContext, ids: _Ids) -> dict:
    return {
        "uuid": ids("assessment-plan"),
        "title": "Assessment plan (not kept in zGovern)",
        "description": f"The audit firm's plan for {ctx.audit.name}; this document refers to "
        "it without holding it.",
    }


def _reviewed_controls(ctx: BundleContext) -> dict:
    refs = sorted({ref for refs in criteria_by_control(ctx).values() for ref in refs})
    description = f"The criteria of {ctx.audit.framework.name} in the audit's scope."
    if not refs:
        return {"description": description, "control-selections": [{"include-all": {}}]}
    selected = [{"control-id": token(ref)} for ref in refs]
    return {"description": description, "control-selections": [{"include-controls": selected}]}


def _observations(ctx, ids: _Ids, controls_of, files) -> tuple[list[dict], list[dict]]:
    observations, resources = [], []
    evidence_ids = sorted(controls_of)
    for first in range(0, len(evidence_ids), 500):
        batch = EvidenceItem.objects.filter(
            organization=ctx.org, pk__in=evidence_ids[first : first + 500]
        ).order_by("pk")
        for item in batch.values_list(*OBSERVED, named=True):
            resource_id = ids("evidence", item.pk)
            resources.append(_resource(item, resource_id, files.get(item.pk)))
            observations.append(
                {
                    "uuid": ids("observation", item.pk),
                    "title": item.title[:200] or f"Evidence {item.pk}",
                    "description": f"Evidence {item.pk} ({item.kind}) for "
                    f"{', '.join(sorted(controls_of[item.pk]))}.",
                    "props": [
                        {"name": "evidence-id", "ns": NS, "value": str(item.pk)},
                        {"name": "sha256", "ns": NS, "value": item.sha256},
                    ],
                    "methods": ["EXAMINE"],
                    "types": ["evidence"],
                    "relevant-evidence": [
                        {"href": f"#{resource_id}", "description": f"{item.source}: {item.title}"}
                    ],
                    "collected": _when(item.collected_at),
                }
            )
    return observations, resources


def _resource(item: Any, resource_id: str, path: str | None) -> dict:
    href = path or (item.link_url if item.source == "link" else f"evidence/{item.pk}")
    rlink: dict[str, Any] = {
        "href": href,
        "hashes": [{"algorithm": "SHA-256", "value": item.sha256}],
    }
    if item.content_type:
        rlink["media-type"] = item.content_type
    return {"uuid": resource_id, "title": item.title[:200] or f"Evidence {item.pk}",
            "rlinks": [rlink]}  # fmt: skip


def _findings(ctx: BundleContext, ids: _Ids, by_control: dict[str, list[str]]) -> list[dict]:
    assessment = assessment_of(ctx)  # usually computed by the controls summary already
    criteria = criteria_by_control(ctx)
    findings = []
    for control in ctx.controls:
        state = assessment.controls.get(control.pk)
        status = state.verdict.status if state else ControlStatus.MISSING
        reasons = " ".join(state.verdict.reasons) if state else "Not assessed."
        for ref in criteria.get(control.pk, []):
            finding = {
                "uuid": ids("finding", control.key, ref),
                "title": f"{control.key} for {ref}",
                "description": control.description or control.name,
                "props": [{"name": "control", "ns": NS, "value": control.key}],
                "target": _target(ref, status, reasons),
            }
            related = by_control.get(control.key)
            if related:
                finding["related-observations"] = [{"observation-uuid": u} for u in related]
            findings.append(finding)
    return findings


def _target(ref: str, status: str, reasons: str) -> dict:
    state = "satisfied" if status in SATISFIED else "not-satisfied"
    reason = "pass" if state == "satisfied" else "fail"
    if status == ControlStatus.NOT_APPLICABLE:
        reason = "other"  # set aside by the organisation: neither met nor failed
    objective: dict[str, Any] = {"state": state, "reason": reason}
    if reasons:
        objective["remarks"] = reasons
    return {
        "type": "objective-id",
        "target-id": token(ref),
        "title": ref,
        "implementation-status": {"state": IMPLEMENTATION.get(status, "planned")},
        "status": objective,
    }
