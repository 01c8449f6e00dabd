"""Writes of change records: the idempotent upsert a sync (or the demo) hands merged pull
requests to.

:func:`record_changes` validates every input first and refuses the whole batch naming the
first bad one, so nothing is half-saved. A pull request already recorded is updated in
place (matched by repository and number); one that did not change writes nothing and
logs nothing. Each created or changed record is logged as ``change.recorded`` /
``change.updated``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from zgovern.changes.models import ChangeRecord, ChecksState
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy import activity
from zgovern.tenancy.models import Organization

LIMITS = {"repository": 200, "title": 500, "url": 500, "author": 100, "merged_by": 100}
MAX_APPROVERS = 100
COMPARED = ("title", "url", "author", "approvers", "merged_at", "merged_by", "checks",
            "approved", "flagged_reason", "source", "integration_id")  # fmt: skip


@dataclass(frozen=True)
class ChangeInput:
    """One merged pull request as a source saw it. ``approvers`` are the logins whose
    latest review approves it; ``checks_passed`` is None when unknown."""

    repository: str
    number: int
    title: str
    author: str
    merged_at: datetime
    url: str = ""
    approvers: Sequence[str] = field(default_factory=tuple)
    merged_by: str = ""
    checks_passed: bool | None = None


@dataclass(frozen=True)
class RecordReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def approval(author: str, approvers: Sequence[str]) -> tuple[bool, str]:
    """Whether someone other than the author approved, and the flag reason when not."""
    others = [a for a in approvers if a.lower() != author.lower()]
    if others:
        return True, ""
    if approvers:
        return False, f"approved only by its author ({author})"
    return False, "merged without an approving review"


def record_changes(
    org: Organization,
    actor: Actor,
    changes: Iterable[ChangeInput],
    *,
    source: str,
    integration: Any = None,
    at: datetime | None = None,
) -> RecordReport:
    """Create or update one record per input (idempotent). ``DomainError`` naming the
    first invalid input (and its field) before anything is written."""
    at = at or timezone.now()
    rows = [_values(change, index) for index, change in enumerate(changes)]
    keys = [(row["repository"], row["number"]) for row in rows]
    if len(set(keys)) != len(keys):
        raise DomainError("The same pull request is listed twice.", field="number")
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = _existing(org, {repository for repository, _ in keys})
        for row in rows:
            row.update(source=source, integration_id=getattr(integration, "pk", None))
            record = existing.get((row["repository"], row["number"]))
            if record is None:
                _create(org, actor, row, at)
                created += 1
            elif _update(org, actor, record, row, at):
                updated += 1
            else:
                unchanged += 1
    return RecordReport(created, updated, unchanged)


def _existing(org: Organization, repositories: set[str]) -> dict[tuple[str, int], ChangeRecord]:
    rows = ChangeRecord.objects.filter(organization=org, repository__in=repositories)
    return {(row.repository, row.number): row for row in rows.select_for_update()}


def _create(org: Organization, actor: Actor, row: dict, at: datetime) -> None:
    record = ChangeRecord.objects.create(organization=org, first_seen_at=at, updated_at=at, **row)
    activity.record(org, actor, "change.recorded", record, _summary(record))


def _update(org: Organization, actor: Actor, record: ChangeRecord, row: dict, at) -> bool:
    before = {name: getattr(record, name) for name in COMPARED}
    diff = {name: [_plain(before[name]), _plain(row[name])]
            for name in COMPARED if before[name] != row[name]}  # fmt: skip
    if not diff:
        return False
    for name in COMPARED:
        setattr(record, name, row[name])
    record.updated_at = at
    record.save()
    activity.record(org, actor, "change.updated", record, diff)
    return True


def _summary(record: ChangeRecord) -> dict:
    return {
        "repository": record.repository, "number": record.number, "author": record.author,
        "approved": record.approved, "approvers": record.approvers,
    }  # fmt: skip


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _values(change: ChangeInput, index: int) -> dict[str, Any]:
    where = f"change {index + 1}"
    if not isinstance(change.number, int) or isinstance(change.number, bool) or change.number < 1:
        raise DomainError(f"{where}: the pull request number must be a positive whole number.",
                          field="number")  # fmt: skip
    text = {name: _text(getattr(change, name), name, limit, where)
            for name, limit in LIMITS.items()}  # fmt: skip
    for required in ("repository", "title", "author"):
        if not text[required]:
            raise DomainError(f"{where}: {required} is required.", field=required)
    if not isinstance(change.merged_at, datetime) or change.merged_at.tzinfo is None:
        raise DomainError(f"{where}: merged_at must be a time with a time zone.",
                          field="merged_at")  # fmt: skip
    approvers = _approvers(change.approvers, where)
    approved, reason = approval(text["author"], approvers)
    return {
        **text, "number": change.number, "approvers": approvers, "merged_at": change.merged_at,
        "checks": _checks(change.checks_passed), "approved": approved, "flagged_reason": reason,
    }  # fmt: skip


def _text(value: Any, name: str, limit: int, where: str) -> str:
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise DomainError(f"{where}: {name} contains a NUL character.", field=name)
    if len(value) > limit:
        raise DomainError(f"{where}: {name} is longer than {limit} characters.", field=name)
    return value


def _approvers(values: Sequence[str], where: str) -> list[str]:
    if isinstance(values, str) or len(values) > MAX_APPROVERS:
        raise DomainError(f"{where}: approvers must be a list of at most {MAX_APPROVERS} logins.",
                          field="approvers")  # fmt: skip
    logins = {_text(v, "approvers", LIMITS["author"], where) for v in values}
    return sorted(login for login in logins if login)


def _checks(passed: bool | None) -> str:
    if passed is None:
        return ChecksState.UNKNOWN
    return ChecksState.PASSED if passed else ChecksState.FAILED


EVIDENCE_KIND = "change_record"
EVIDENCE_CONTROL = "change-approval"
EVIDENCE_MAX_CHANGES = 5000  # keeps the record well under the evidence size limit


def add_change_evidence(
    org: Organization,
    actor: Actor,
    *,
    integration: Any,
    period_start: datetime,
    period_end: datetime,
    tags: Sequence[str] = (),
) -> Any:
    """A hashed evidence item listing the integration's changes merged in the period
    (the sample population for CC8.1), linked to the change-approval control when the
    organisation has it. Returns the item, or None when no change was merged."""
    from zgovern.controls.models import Control
    from zgovern.controls.services import link_evidence
    from zgovern.core.errors import Conflict
    from zgovern.evidence.services import add_record

    rows = ChangeRecord.objects.filter(
        organization=org, integration=integration,
        merged_at__gte=period_start, merged_at__lt=period_end,
    ).order_by("merged_at", "id")  # fmt: skip
    changes = [_evidence_row(r) for r in rows[: EVIDENCE_MAX_CHANGES + 1]]
    if not changes:
        return None
    record = {
        "integration": getattr(integration, "name", ""),
        "period": [period_start.isoformat(), period_end.isoformat()],
        "count": min(len(changes), EVIDENCE_MAX_CHANGES),
        "unapproved": sum(1 for c in changes[:EVIDENCE_MAX_CHANGES] if not c["approved"]),
        "truncated": len(changes) > EVIDENCE_MAX_CHANGES,
        "changes": changes[:EVIDENCE_MAX_CHANGES],
    }
    item = add_record(
        org, actor, kind=EVIDENCE_KIND, record=record, tags=list(tags),
        title=f"Changes merged {period_start:%Y-%m-%d} to {period_end:%Y-%m-%d}"[:200],
        period_start=period_start.date(), period_end=period_end.date(),
    )  # fmt: skip
    control = Control.objects.filter(organization=org, key=EVIDENCE_CONTROL).first()
    if control is not None:
        with contextlib.suppress(Conflict):  # already linked through the item's tags
            link_evidence(org, actor, control.pk, item.pk)
    return item


def _evidence_row(record: ChangeRecord) -> dict[str, Any]:
    return {
        "repository": record.repository, "number": record.number, "title": record.title,
        "url": record.url, "author": record.author, "approvers": record.approvers,
        "approved": record.approved, "flagged_reason": record.flagged_reason,
        "merged_at": record.merged_at.isoformat(), "merged_by": record.merged_by,
        "checks": record.checks,
    }  # fmt: skip
