"""Writes of the findings app: queue a scan, run it (claimed once by a conditional
UPDATE, so a repeated task does nothing), store its results, and change the windows.

Storing keeps one :class:`Finding` per key: new keys are inserted, changed ones updated,
unchanged ones only stamped with the scan, and open ones the scan no longer produced are
marked resolved. Every category with exceptions gets one remediation task (created once
and reused while open); its exceptions link to the same task.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, Priority, RemediationTask, TaskStatus
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError, NotFound
from zgovern.findings.models import (
    Category,
    Finding,
    FindingsScan,
    FindingsSettings,
    FindingStatus,
    Kind,
    ScanStatus,
)
from zgovern.findings.scan import REGISTRY
from zgovern.findings.scan.base import Exceptions, Item, Period, add_months, windows_for
from zgovern.tenancy import activity
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)

DEFAULT_MONTHS = 6
MAX_PERIOD_DAYS = 800
SEVERITY_ORDER = {"low": 1, "medium": 2, "high": 3, "critical": 4}
PRIORITY = {"critical": Priority.URGENT, "high": Priority.HIGH, "medium": Priority.MEDIUM,
            "low": Priority.LOW}  # fmt: skip
TARGET_DAYS = {Priority.URGENT: 14, Priority.HIGH: 30, Priority.MEDIUM: 60, Priority.LOW: 90}
SETTINGS_LIMITS = {
    "review_cadence_months": (1, 12),
    "vendor_reassessment_months": (1, 36),
    "training_months": (1, 36),
    "plan_test_months": (1, 36),
}
CHUNK = 500


# -- the period ------------------------------------------------------------------------


def resolve_period(
    org: Organization, *, start: Any = None, end: Any = None, audit_id: Any = None
) -> tuple[date, date, Any]:
    """(start, end, audit): the audit's period, the given days, or the last 6 months."""
    if audit_id not in (None, ""):
        return _audit_period(org, audit_id)
    if start in (None, "") and end in (None, ""):
        today = timezone.localdate()
        return add_months(today, -DEFAULT_MONTHS) + timedelta(days=1), today, None
    first, last = _day(start, "period_start"), _day(end, "period_end")
    if first > last:
        raise DomainError("The period must start on or before its end.", field="period_start")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise DomainError(f"A period is at most {MAX_PERIOD_DAYS} days.", field="period_end")
    return first, last, None


def _day(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"Give {field} as YYYY-MM-DD.", field=field) from None


def _audit_period(org: Organization, audit_id: Any):
    from zgovern.audits.models import Audit

    try:
        pk = int(audit_id)
    except (TypeError, ValueError):
        raise NotFound("No such audit.", field="audit_id") from None
    audit = Audit.objects.filter(organization=org, pk=pk).first() if 0 < pk < 2**63 else None
    if audit is None:
        raise NotFound("No such audit.", field="audit_id")
    if audit.period_end is None:
        raise DomainError("The audit has no period yet.", field="audit_id")
    start = audit.period_start or add_months(audit.period_end, -DEFAULT_MONTHS)
    return start, audit.period_end, audit


# -- queue, claim, run ---------------------------------------------------------------


def request_scan(
    org: Organization,
    actor: Actor,
    *,
    period_start: Any = None,
    period_end: Any = None,
    audit_id: Any = None,
    enqueue: bool = True,
) -> FindingsScan:
    """Create a queued scan (``findings.scan_requested``) and, after commit, queue its
    task. The period is the audit's, the days given, or the last 6 months."""
    start, end, audit = resolve_period(org, start=period_start, end=period_end, audit_id=audit_id)
    with transaction.atomic():
        scan = FindingsScan.objects.create(
            organization=org,
            audit=audit,
            framework_id=audit.framework_id if audit else None,
            period_start=start,
            period_end=end,
            requested_by=actor.user,
            requested_label=actor.label[:300],
        )
        activity.record(
            org, actor, "findings.scan_requested", scan, {"period_start": start, "period_end": end}
        )
    if enqueue:
        from zgovern.findings.tasks import run_scan_task

        transaction.on_commit(lambda: run_scan_task(scan.pk))
    return scan


def claim(scan_id: int, worker: str) -> bool:
    """Move the scan from queued to running; True for exactly one caller."""
    with scopes_disabled():
        changed = FindingsScan.objects.filter(pk=scan_id, status=ScanStatus.QUEUED).update(
            status=ScanStatus.RUNNING, worker=worker[:200], started_at=timezone.now()
        )
    return changed == 1


def run_scan(scan_id: int, worker: str = "inline") -> FindingsScan | None:
    """Run a queued scan if this caller claims it; the finished row, or ``None``."""
    if not claim(scan_id, worker):
        return None
    with scopes_disabled():
        scan = FindingsScan.objects.select_related("organization").get(pk=scan_id)
    org = scan.organization
    began = time.perf_counter()
    with organization_scope(org):
        try:
            results = evaluate(org, Period(scan.period_start, scan.period_end))
            store(org, scan, results)
        except Exception as exc:  # the row must never stay "running"
            logger.exception("findings scan %s failed", scan_id)
            _finish(scan, began, status=ScanStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
            return scan
        _finish(scan, began, status=ScanStatus.DONE)
    return scan


def _finish(scan: FindingsScan, began: float, **fields: Any) -> None:
    fields.update(finished_at=timezone.now(), duration_seconds=time.perf_counter() - began)
    if "error" in fields:
        fields["error"] = fields["error"][:1000]
    for name, value in fields.items():
        setattr(scan, name, value)
    FindingsScan.objects.filter(organization=scan.organization, pk=scan.pk).update(**fields)


def evaluate(org: Organization, period: Period) -> dict[str, Exceptions]:
    """Every category's exceptions for ``period`` (reads only)."""
    windows = windows_for(org)
    return {module.CATEGORY: module.evaluate(org, period, windows) for module in REGISTRY}


# -- storing -----------------------------------------------------------------------


def criteria_map(org: Organization, framework_id: int | None) -> dict[str, list[str]]:
    """Control key -> the criteria ("soc2:CC6.1") the organisation's control maps to, in
    the scan's framework when it has one. A control not adopted is absent."""
    rows = Control.objects.filter(organization=org, criteria__isnull=False)
    if framework_id is not None:
        rows = rows.filter(criteria__framework_id=framework_id)
    found: dict[str, set[str]] = {}
    for key, framework, ref in rows.values_list(
        "key", "criteria__framework__key", "criteria__ref"
    ).order_by():
        found.setdefault(key, set()).add(f"{framework}:{ref}")
    return {key: sorted(refs) for key, refs in found.items()}


def _criteria(mapped: dict[str, list[str]], controls: list[str], module) -> list[str]:
    """The adopted controls' criteria, else the category's defaults."""
    refs = sorted({ref for key in controls for ref in mapped.get(key, ())})
    return refs or list(module.CRITERIA)


def _rows(scan: FindingsScan, results: dict[str, Exceptions]) -> list[Finding]:
    """Finding rows (unsaved) for the results: per category a summary, then its items."""
    modules = {m.CATEGORY: m for m in REGISTRY}
    mapped = criteria_map(scan.organization, scan.framework_id)
    rows: list[Finding] = []
    for category, found in results.items():
        if not found:
            continue
        module = modules[category]
        worst = max((i.severity for i in found), key=SEVERITY_ORDER.__getitem__)
        summary = Item(key=f"{category}:summary", wording=found.summary, severity=worst)
        rows.append(_row(scan, module, summary, Kind.SUMMARY, mapped))
        rows += [_row(scan, module, item, Kind.EXCEPTION, mapped) for item in found]
    return rows


def _row(scan: FindingsScan, module, item: Item, kind: str, mapped: dict) -> Finding:
    controls = list(item.controls or module.CONTROLS)
    row = Finding(
        organization_id=scan.organization_id,
        key=item.key[:300],
        category=module.CATEGORY,
        kind=kind,
        severity=item.severity,
        controls=controls,
        criteria=_criteria(mapped, controls, module),
        control_keys="," + ",".join(controls) + ",",
        system=item.system[:100],
        subject_type=item.subject_type,
        subject_id=item.subject_id[:100],
        subject_label=item.subject_label[:300],
        period_from=item.period_from,
        period_until=item.period_until,
        duration_seconds=item.duration_seconds,
        wording=item.wording,
        evidence=item.evidence,
        status=FindingStatus.OPEN,
        first_scan=scan,
        last_scan=scan,
    )
    row.fingerprint = _fingerprint(row)
    return row


FIELDS = ("category", "kind", "severity", "controls", "criteria", "control_keys", "system",
          "subject_type", "subject_id", "subject_label", "period_from", "period_until",
          "duration_seconds", "wording", "evidence")  # fmt: skip


def _fingerprint(row: Finding) -> str:
    text = "\x1f".join(str(getattr(row, name)) for name in FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()


def store(org: Organization, scan: FindingsScan, results: dict[str, Exceptions]) -> None:
    """Write the scan's findings (see the module docstring)."""
    now = timezone.now()
    rows = _rows(scan, results)
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=org.pk).first()  # one at a time
        existing = {
            key: (pk, fp, status, task)
            for key, pk, fp, status, task in Finding.objects.filter(organization=org)
            .values_list("key", "pk", "fingerprint", "status", "task_id").iterator(5000)
        }  # fmt: skip
        tasks = _tasks(org, scan, rows, existing)
        new, changed, same = [], [], []
        for row in rows:
            row.task_id = tasks.get(row.category)
            old = existing.get(row.key)
            if old is None:
                row.first_seen_at = row.last_seen_at = now
                new.append(row)
            elif old[1] != row.fingerprint or old[2] != FindingStatus.OPEN or old[3] != row.task_id:
                row.pk, row.last_seen_at, row.resolved_at = old[0], now, None
                changed.append(row)
            else:
                same.append(old[0])
        Finding.objects.bulk_create(new, batch_size=CHUNK)
        Finding.objects.bulk_update(
            changed, [*FIELDS, "fingerprint", "task", "status", "last_scan", "last_seen_at",
                      "resolved_at"], batch_size=CHUNK,
        )  # fmt: skip
        for i in range(0, len(same), CHUNK):
            Finding.objects.filter(organization=org, pk__in=same[i : i + CHUNK]).update(
                last_scan=scan, last_seen_at=now
            )
        seen = {row.key for row in rows}
        gone = [v[0] for k, v in existing.items() if k not in seen and v[2] == FindingStatus.OPEN]
        for i in range(0, len(gone), CHUNK):
            Finding.objects.filter(organization=org, pk__in=gone[i : i + CHUNK]).update(
                status=FindingStatus.RESOLVED, resolved_at=now, last_scan=scan
            )
        _stamp(org, scan, results, len(new), len(gone), len(rows))


def _stamp(org, scan, results, opened: int, resolved: int, stored: int) -> None:
    counts = {category: len(found) for category, found in results.items()}
    scan.counts, scan.opened, scan.resolved, scan.stored = counts, opened, resolved, stored
    FindingsScan.objects.filter(organization=org, pk=scan.pk).update(
        counts=counts, opened=opened, resolved=resolved, stored=stored
    )
    activity.record(
        org,
        Actor.system("findings"),
        "findings.scanned",
        scan,
        {"exceptions": sum(counts.values()), "opened": opened, "resolved": resolved},
    )


def _tasks(org, scan, rows: list[Finding], existing: dict) -> dict[str, int]:
    """Category -> the remediation task of its summary finding: the one it already has
    while that task is open, else a new one."""
    from zgovern.controls.services import create_task

    summaries = [r for r in rows if r.kind == Kind.SUMMARY]
    old_ids = [existing[r.key][3] for r in summaries if r.key in existing and existing[r.key][3]]
    open_ids = set(
        RemediationTask.objects.filter(
            organization=org, pk__in=old_ids, status__in=(TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
        ).values_list("pk", flat=True)
    )
    found: dict[str, int] = {}
    for row in summaries:
        old = existing.get(row.key)
        if old is not None and old[3] in open_ids:
            found[row.category] = old[3]
            continue
        control = Control.objects.filter(organization=org, key__in=row.controls).first()
        priority = PRIORITY.get(row.severity, Priority.MEDIUM)
        task = create_task(
            org, Actor.system("findings"),
            title=f"Findings: {Category(row.category).label}"[:200],
            description=row.wording, control=control.pk if control else None, priority=priority,
            target_date=timezone.localdate() + timedelta(days=TARGET_DAYS[priority]),
        )  # fmt: skip
        found[row.category] = task.pk
    return found


# -- settings --------------------------------------------------------------------------


def update_settings(org: Organization, actor: Actor, **fields: Any) -> FindingsSettings:
    """Change the scan's windows (``findings.settings_updated``); each a whole number
    of months in its range."""
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in SETTINGS_LIMITS:
            raise DomainError(f"Unknown field {name!r}.", field=name)
        low, high = SETTINGS_LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise DomainError(f"{name} must be a whole number from {low} to {high}.", field=name)
        clean[name] = value
    with transaction.atomic():
        row, _ = FindingsSettings.objects.get_or_create(organization=org)
        diff = {k: [getattr(row, k), v] for k, v in clean.items() if getattr(row, k) != v}
        if diff:
            for name, (_, value) in diff.items():
                setattr(row, name, value)
            row.updated_at = timezone.now()
            row.save()
            activity.record(org, actor, "findings.settings_updated", row, diff)
    return row
