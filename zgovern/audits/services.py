"""Audit engagements and their bundles: the only module of the app that writes.

Bundles: :func:`request_bundle` validates and queues (the web request returns at once);
:func:`build_bundle` runs in the worker, claims the row with one conditional UPDATE
(``queued`` → ``building``, exactly one row or nothing to do), writes the ZIP next to its
final place and moves it there only when complete, so a download never sees half a bundle.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.audits import builder, signing
from zgovern.audits.models import Audit, AuditStatus, AuditType, Bundle, BundleStatus
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.frameworks.models import Category, Framework
from zgovern.tenancy import activity
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)
SHORT_TYPE2 = timedelta(days=182)  # under about six months, auditors rarely accept a Type 2
TEXT_FIELDS = {"name": 200, "firm": 200, "lead_auditor": 200}
DATE_FIELDS = ("period_start", "period_end", "fieldwork_start", "draft_due", "final_due")


def bundle_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "bundles"


def bundle_path(bundle: Bundle) -> Path:
    return bundle_root() / bundle.storage_key


def _clean(org: Organization, data: dict[str, Any], current: Audit | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        if name in data or current is None:
            value = str(data.get(name) or "").strip()
            if len(value) > limit:
                raise DomainError(f"{name} is longer than {limit} characters.", field=name)
            clean[name] = value
    if (current is None or "name" in data) and not clean["name"]:
        raise DomainError("An audit needs a name.", field="name")
    for name in DATE_FIELDS:
        if name in data:
            clean[name] = _date(data[name], name)
    if "audit_type" in data or current is None:
        kind = data.get("audit_type")
        if kind not in AuditType.values:
            raise DomainError("audit_type must be type1 or type2.", field="audit_type")
        clean["audit_type"] = kind
    if "status" in data:
        if data["status"] not in AuditStatus.values:
            raise DomainError(
                f"status must be one of {', '.join(AuditStatus.values)}.", field="status"
            )
        clean["status"] = data["status"]
    if "framework" in data or current is None:
        clean["framework"] = _framework(org, data.get("framework"))
    if "category_keys" in data:
        clean["category_keys"] = _categories(
            org, clean.get("framework") or current.framework, data["category_keys"]
        )
    return clean


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"{name} must be a date (YYYY-MM-DD).", field=name) from None


def _framework(org: Organization, key: Any) -> Framework:
    framework = Framework.objects.filter(organization=org, key=str(key or "")).first()
    if framework is None:
        raise DomainError("Choose a framework the organisation has adopted.", field="framework")
    return framework


def _categories(org: Organization, framework: Framework, keys: Any) -> list[str]:
    if not isinstance(keys, list | tuple) or not all(isinstance(k, str) for k in keys):
        raise DomainError("category_keys must be a list of category keys.", field="category_keys")
    known = set(
        Category.objects.filter(organization=org, framework=framework).values_list("key", flat=True)
    )
    unknown = sorted(set(keys) - known)
    if unknown:
        raise DomainError(f"Unknown categories: {', '.join(unknown)}.", field="category_keys")
    return sorted(set(keys))


def _check_dates(audit: Audit) -> None:
    if audit.period_start and audit.period_end and audit.period_end < audit.period_start:
        raise DomainError("The period ends before it starts.", field="period_end")
    if audit.audit_type == AuditType.TYPE1 and audit.period_start:
        audit.period_start = None  # a Type 1 is as of one date: period_end


def warnings(audit: Audit) -> list[str]:
    """What a person should know before relying on the audit's settings."""
    out = []
    if not audit.has_period:
        out.append("No period is set yet: a bundle cannot be built until it is.")
    elif (
        audit.audit_type == AuditType.TYPE2 and audit.period_end - audit.period_start < SHORT_TYPE2
    ):
        out.append("This Type 2 period is shorter than 6 months.")
    return out


def create_audit(org: Organization, actor: Actor, data: dict[str, Any]) -> Audit:
    with organization_scope(org), transaction.atomic():
        audit = Audit(organization=org, **_clean(org, data, None))
        _check_dates(audit)
        audit.save()
        activity.record(org, actor, "audit.created", audit, {"name": audit.name})
    return audit


def update_audit(org: Organization, actor: Actor, audit_id: Any, data: dict[str, Any]) -> Audit:
    with organization_scope(org), transaction.atomic():
        audit = get_audit(org, audit_id, lock=True)
        changes = _clean(org, data, audit)
        for name, value in changes.items():
            setattr(audit, name, value)
        _check_dates(audit)
        audit.save()
        activity.record(org, actor, "audit.updated", audit, {k: str(v) for k, v in changes.items()})
    return audit


def get_audit(org: Organization, audit_id: Any, *, lock: bool = False) -> Audit:
    rows = Audit.objects.filter(organization=org, pk=_pk(audit_id))
    audit = (rows.select_for_update() if lock else rows).select_related("framework").first()
    if audit is None:
        raise NotFound("No such audit.")
    return audit


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound("No such object.") from None
    if not 0 < pk < 2**63:
        raise NotFound("No such object.")
    return pk


def request_bundle(
    org: Organization, actor: Actor, audit_id: Any, *, enqueue: bool = True
) -> Bundle:
    """Queue a bundle of the audit; refused for an audit without a period."""
    with organization_scope(org), transaction.atomic():
        audit = get_audit(org, audit_id)
        if not audit.has_period:
            raise DomainError(
                "Set the audit's period before exporting a bundle.", field="period_end"
            )
        bundle = Bundle.objects.create(organization=org, audit=audit, requested_by=actor.user)
        activity.record(org, actor, "audit.bundle_requested", bundle, {"audit": audit.pk})
    if enqueue:
        from zgovern.audits.tasks import build_bundle_task

        transaction.on_commit(lambda: build_bundle_task(bundle.pk))
    return bundle


def claim(bundle_id: int, worker: str) -> bool:
    with scopes_disabled():
        return (
            Bundle.objects.filter(pk=bundle_id, status=BundleStatus.QUEUED).update(
                status=BundleStatus.BUILDING,
                worker=worker[:200],
                started_at=timezone.now(),
                stage="starting",
            )
            == 1
        )


def build_bundle(bundle_id: int, worker: str = "worker") -> Bundle | None:
    """Build a queued bundle if this worker claims it; the finished row, or ``None``."""
    if not claim(bundle_id, worker):
        return None
    with scopes_disabled():
        bundle = Bundle.objects.select_related("organization", "audit__framework").get(pk=bundle_id)
    org = bundle.organization
    with organization_scope(org):
        try:
            _write(org, bundle)
        except Exception as exc:  # the row must never stay "building"
            logger.exception("bundle %s failed", bundle_id)
            _set(
                bundle,
                status=BundleStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:1000],
                finished_at=timezone.now(),
            )
            return bundle
    return bundle


def _write(org: Organization, bundle: Bundle) -> None:
    folder = bundle_root() / str(org.pk)
    folder.mkdir(parents=True, exist_ok=True)
    key = f"{org.pk}/bundle-{bundle.pk}-{bundle.audit_id}.zip"

    def report(stage: str, done: int, total: int) -> None:
        _set(bundle, stage=stage[:200], progress_done=done, progress_total=total)

    handle, temp = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "w+b") as target:
            raw, entries, fingerprint = builder.build(org, bundle.audit, target, report=report)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temp, bundle_root() / key)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    path = bundle_root() / key
    _set(
        bundle,
        status=BundleStatus.READY,
        storage_key=key,
        size=path.stat().st_size,
        sha256=_file_sha256(path),
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        files=len(entries),
        key_fingerprint=fingerprint,
        finished_at=timezone.now(),
        stage="done",
    )
    activity.record(
        org,
        Actor.system("audits"),
        "audit.bundle_built",
        bundle,
        {"files": len(entries), "size": bundle.size, "sha256": bundle.sha256},
    )


def _set(bundle: Bundle, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(bundle, name, value)
    Bundle.objects.filter(organization=bundle.organization, pk=bundle.pk).update(**fields)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def ready_bundle(org: Organization, bundle_id: Any) -> Bundle:
    bundle = Bundle.objects.filter(organization=org, pk=_pk(bundle_id)).first()
    if bundle is None:
        raise NotFound("No such bundle.")
    if bundle.status != BundleStatus.READY or not bundle_path(bundle).exists():
        raise Conflict("This bundle is not ready to download.", field="bundle_id")
    return bundle


def download_bundle(org: Organization, actor: Actor, bundle_id: Any) -> Bundle:
    """A ready bundle to hand to ``actor``, the download logged as
    ``audit.bundle_downloaded`` (``NotFound``, or ``Conflict`` until it is ready)."""
    bundle = ready_bundle(org, bundle_id)
    activity.record(org, actor, "audit.bundle_downloaded", bundle, {"sha256": bundle.sha256})
    return bundle


def oscal_export(org: Organization, actor: Actor, audit_id: Any) -> tuple[Audit, str]:
    """The audit's OSCAL assessment results as JSON text, the export logged as
    ``audit.oscal_exported``; refused for an audit without a period."""
    from zgovern.audits import oscal

    audit = get_audit(org, audit_id)
    if not audit.has_period:
        raise DomainError("Set the audit's period before exporting it.", field="period_end")
    content = oscal.render(oscal.context_for(org, audit))
    activity.record(org, actor, "audit.oscal_exported", audit, {})
    return audit, content


def rotate_key(org: Organization, actor: Actor):
    with organization_scope(org), transaction.atomic():
        key = signing.rotate(org)
        activity.record(
            org, actor, "audit.signing_key_rotated", key, {"fingerprint": key.fingerprint}
        )
    return key
