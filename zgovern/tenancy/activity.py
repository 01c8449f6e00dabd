"""The hash-chained activity log: recording a change, and verifying the chain.

``record`` must run inside the transaction that makes the change, so the change and its
log row commit or roll back together. The organisation row is locked while the next
sequence number is taken, which keeps the chain linear under concurrent writers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.tenancy.models import ActivityLog, Organization

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-normalise ``value`` so what is hashed equals what the database gives back."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def row_digest(row: ActivityLog) -> str:
    payload = {
        "organization": row.organization_id,
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_kind": row.actor_kind,
        "actor_label": row.actor_label,
        "ip": row.ip,
        "user_agent": row.user_agent,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "target_label": row.target_label,
        "changes": row.changes,
        "prev_hash": row.prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def record(
    org: Organization,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one row for ``action`` on ``target`` by ``actor``. Call inside the change's
    transaction; it opens one itself only when the caller forgot, so the row is never lost."""
    with transaction.atomic():
        head = Organization.objects.select_for_update().only("log_seq", "log_head").get(pk=org.pk)
        row = ActivityLog(
            organization=org,
            seq=head.log_seq + 1,
            at=timezone.now(),
            actor=actor.user if actor.user is not None and actor.user.pk else None,
            actor_kind=actor.kind,
            actor_label=actor.label[:300],
            ip=actor.ip,
            user_agent=actor.user_agent,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=str(target)[:300] if target is not None else "",
            changes=_canonical(changes or {}),
            prev_hash=head.log_head,
        )
        row.hash = row_digest(row)
        row.save()
        Organization.objects.filter(pk=org.pk).update(log_seq=row.seq, log_head=row.hash)
        org.log_seq, org.log_head = row.seq, row.hash
        return row


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    first_broken_seq: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(org: Organization, batch: int = 2000) -> ChainReport:
    """Recompute every row's hash in order; report the first row whose stored hash, link to
    its predecessor, or sequence number does not match."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    rows = ActivityLog.objects.filter(organization=org).order_by("seq")
    for row in rows.iterator(chunk_size=batch):
        if row.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"row #{expected_seq} is missing")
        if row.prev_hash != expected_prev:
            return ChainReport(checked, row.seq, "link to the previous row does not match")
        if row_digest(row) != row.hash:
            return ChainReport(checked, row.seq, "content does not match its hash")
        expected_prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    head = Organization.objects.only("log_seq", "log_head").get(pk=org.pk)
    if head.log_seq != checked or head.log_head != expected_prev:
        first_broken = min(checked, head.log_seq) + 1
        return ChainReport(checked, first_broken, f"the chain should end at row #{head.log_seq}")
    return ChainReport(checked, None)
