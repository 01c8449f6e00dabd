"""The only writer of evidence.

Evidence is never edited: every function here inserts a new item, and a correction is a new
item that ``supersedes`` the one it corrects. Each insert and its activity-log row commit
together. Inputs are validated before anything is stored; a file's bytes are stored before
the row is inserted (outside the transaction, so a long upload never holds the database's
write lock), which means a failed insert can leave a blob behind, harmlessly: blobs are
named by their content and a retry finds it in place.

Every function activates ``org``'s scope itself, so background tasks may call it too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction

from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.evidence import files, storage
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.evidence.signals import evidence_added
from zgovern.evidence.validation import Meta, canonical_json, clean_meta, clean_text, clean_url
from zgovern.tenancy import activity
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

REASON_MAX = 500
RECORD_SOURCES = (EvidenceSource.RECORD, EvidenceSource.CHECK_SNAPSHOT)
# Compared to tell whether a correction changes anything.
_COMPARED = (
    "kind", "title", "description", "period_start", "period_end", "collected_at", "tags",
    "sha256", "file_name", "link_url",
)  # fmt: skip


def max_bytes() -> int:
    """The largest file accepted (``ZG_EVIDENCE_MAX_BYTES``)."""
    return settings.EVIDENCE_MAX_BYTES


def add_file(
    org: Organization,
    actor: Actor,
    *,
    kind: str,
    title: str,
    uploaded_file: File | None,
    description: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    collected_at: datetime | None = None,
    tags: list[str] | tuple[str, ...] = (),
) -> EvidenceItem:
    """Store an uploaded file and record it as evidence (``evidence.added``)."""
    meta = clean_meta(
        kind=kind,
        title=title,
        description=description,
        period_start=period_start,
        period_end=period_end,
        collected_at=collected_at,
        tags=tags,
    )
    with organization_scope(org):
        content = _file_content(org, uploaded_file)
        return _create(org, actor, meta, "evidence.added", content)


def add_link(
    org: Organization,
    actor: Actor,
    *,
    kind: str,
    title: str,
    url: str,
    description: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    collected_at: datetime | None = None,
    tags: list[str] | tuple[str, ...] = (),
) -> EvidenceItem:
    """Record a link as evidence. Its ``sha256`` is that of the address's UTF-8 bytes: the
    page behind it can change, which is why a link is weaker evidence than a file."""
    meta = clean_meta(
        kind=kind,
        title=title,
        description=description,
        period_start=period_start,
        period_end=period_end,
        collected_at=collected_at,
        tags=tags,
    )
    content = _link_content(url)
    with organization_scope(org):
        return _create(org, actor, meta, "evidence.added", content)


def add_record(
    org: Organization,
    actor: Actor,
    *,
    kind: str,
    title: str,
    record: dict[str, Any],
    description: str = "",
    tags: list[str] | tuple[str, ...] = (),
    period_start: date | None = None,
    period_end: date | None = None,
    collected_at: datetime | None = None,
    source: str = EvidenceSource.RECORD,
) -> EvidenceItem:
    """Record a structured record (``source=RECORD``) or an automated check's snapshot
    (``CHECK_SNAPSHOT``). Its canonical JSON (sorted keys, no spaces, UTF-8) is hashed and
    stored as a blob too, so the exact bytes behind ``sha256`` can be downloaded."""
    if source not in RECORD_SOURCES:
        raise DomainError("A record's source is 'record' or 'check_snapshot'.", field="source")
    meta = clean_meta(
        kind=kind,
        title=title,
        description=description,
        period_start=period_start,
        period_end=period_end,
        collected_at=collected_at,
        tags=tags,
    )
    with organization_scope(org):
        content = {"source": source, **_record_content(org, record)}
        return _create(org, actor, meta, "evidence.added", content)


def correct(
    org: Organization,
    actor: Actor,
    evidence_id: int,
    *,
    reason: str,
    kind: str | None = None,
    title: str | None = None,
    description: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    collected_at: datetime | None = None,
    tags: list[str] | None = None,
    uploaded_file: File | None = None,
    url: str | None = None,
    record: dict[str, Any] | None = None,
) -> EvidenceItem:
    """Record a correction of item ``evidence_id``: a new item that supersedes it
    (``evidence.corrected``, with the reason). What is not given is carried over. The
    content is replaced in kind only: a file by a file, a link by a link, a record by a
    record. Without new content the correction keeps the original's collection time.

    Only the newest version of an item can be corrected (409 otherwise), so a chain of
    corrections never forks.
    """
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, required=True)
    with organization_scope(org):
        original = _correctable(org, evidence_id)
        new_content = uploaded_file is not None or url is not None or record is not None
        meta = clean_meta(
            kind=original.kind if kind is None else kind,
            title=original.title if title is None else title,
            description=original.description if description is None else description,
            period_start=original.period_start if period_start is None else period_start,
            period_end=original.period_end if period_end is None else period_end,
            collected_at=collected_at or (None if new_content else original.collected_at),
            tags=original.tags if tags is None else tags,
        )
        content = _corrected_content(org, original, uploaded_file, url, record)
        content = content or _content_of(original)
        _check_changes(original, meta, content)
        with transaction.atomic():
            original = _correctable(org, original.pk, lock=True)
            item = _create(
                org, actor, meta, "evidence.corrected", content, supersedes=original, reason=reason
            )
            # Downstream modules (controls) move what pointed at the original to the correction.
            evidence_added.send(sender=EvidenceItem, item=item, organization=org)
            return item


# -- content of each source -----------------------------------------------------------


def _file_content(org: Organization, uploaded_file: File | None) -> dict[str, Any]:
    """Validate the upload (name, type, size, first bytes), then store it."""
    if uploaded_file is None:
        raise DomainError("Choose a file to upload.", field="file")
    name = files.clean_file_name(getattr(uploaded_file, "name", ""))
    file_type = files.file_type_for(name)
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    files.check_content(file_type, files.read_head(uploaded_file), files.extension(name))
    try:
        blob = storage.store_blob(org, uploaded_file, max_bytes=limit)
    except storage.TooLarge:
        raise _too_large(limit) from None
    return {
        "source": EvidenceSource.UPLOAD,
        "file_name": name,
        "file_size": blob.size,
        "content_type": file_type.content_type,
        "sha256": blob.sha256,
    }


def _link_content(url: Any) -> dict[str, Any]:
    url = clean_url(url)
    sha256 = hashlib.sha256(url.encode("utf-8")).hexdigest()
    return {"source": EvidenceSource.LINK, "link_url": url, "sha256": sha256}


def _record_content(org: Organization, record: Any) -> dict[str, Any]:
    data = canonical_json(record)
    blob = storage.store_bytes(org, data)
    return {
        "record": json.loads(data),
        "file_size": blob.size,
        "content_type": "application/json",
        "sha256": blob.sha256,
    }


def _content_of(item: EvidenceItem) -> dict[str, Any]:
    return {
        "source": item.source,
        "file_name": item.file_name,
        "file_size": item.file_size,
        "content_type": item.content_type,
        "link_url": item.link_url,
        "record": item.record,
        "sha256": item.sha256,
    }


def _corrected_content(
    org: Organization,
    original: EvidenceItem,
    uploaded_file: File | None,
    url: str | None,
    record: dict | None,
) -> dict[str, Any] | None:
    """The new content of a correction, or None to keep the original's."""
    given = {
        "file": uploaded_file is not None,
        "url": url is not None,
        "record": record is not None,
    }
    allowed = {
        EvidenceSource.UPLOAD: "file",
        EvidenceSource.LINK: "url",
        EvidenceSource.RECORD: "record",
        EvidenceSource.CHECK_SNAPSHOT: "record",
    }.get(original.source)
    for name, present in given.items():
        if present and name != allowed:
            what = EvidenceSource(original.source).label.lower()
            raise DomainError(f"A correction of a {what} cannot carry a new {name}.", field=name)
    if uploaded_file is not None:
        return _file_content(org, uploaded_file)
    if url is not None:
        return _link_content(url)
    if record is not None:
        return {"source": original.source, **_record_content(org, record)}
    return None


# -- the insert -----------------------------------------------------------------------


def _create(
    org: Organization,
    actor: Actor,
    meta: Meta,
    action: str,
    content: dict[str, Any],
    *,
    supersedes: EvidenceItem | None = None,
    reason: str = "",
) -> EvidenceItem:
    with transaction.atomic():
        item = EvidenceItem(
            organization=org,
            created_by=_user(actor),
            supersedes=supersedes,
            **meta.fields(),
            **content,
        )
        item.save()
        activity.record(org, actor, action, item, _changes(item, reason))
    return item


def _changes(item: EvidenceItem, reason: str) -> dict[str, Any]:
    changes = {
        "kind": item.kind,
        "title": item.title,
        "source": item.source,
        "sha256": item.sha256,
        "file_name": item.file_name,
        "file_size": item.file_size,
        "link_url": item.link_url,
        "period_start": item.period_start,
        "period_end": item.period_end,
        "collected_at": item.collected_at,
    }
    if item.supersedes_id is not None:
        changes |= {"supersedes": item.supersedes_id, "reason": reason}
    return {key: value for key, value in changes.items() if value not in ("", None)}


def _correctable(org: Organization, evidence_id: Any, *, lock: bool = False) -> EvidenceItem:
    """The item to correct: in ``org`` and not corrected yet (locked when ``lock``)."""
    try:
        pk = int(evidence_id)
    except (TypeError, ValueError):
        raise NotFound("No such evidence item.") from None
    items = EvidenceItem.objects.filter(organization=org, pk=pk)
    item = (items.select_for_update() if lock else items).first()
    if item is None:
        raise NotFound("No such evidence item.")
    newer = EvidenceItem.objects.filter(organization=org, supersedes=item).values_list("pk")
    if newer.exists():
        raise Conflict(
            f"This item was already corrected (by #{newer[0][0]}); correct the newest version."
        )
    return item


def _check_changes(original: EvidenceItem, meta: Meta, content: dict[str, Any]) -> None:
    proposed = {**_content_of(original), **meta.fields(), **content}
    if all(getattr(original, name) == proposed[name] for name in _COMPARED):
        raise DomainError("The correction changes nothing: give a new value or new content.")


def _user(actor: Actor):
    user = actor.user
    return user if user is not None and getattr(user, "pk", None) else None


def _too_large(limit: int) -> DomainError:
    return DomainError(f"The file is larger than the limit of {_human(limit)}.", field="file")


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.4g} {unit}"
        size /= 1024
    return f"{size} bytes"  # pragma: no cover
