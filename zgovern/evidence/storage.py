"""Content-addressed storage of evidence files.

Each blob is kept once per organisation under ``<org_id>/<sha[:2]>/<sha>``, named by the
SHA-256 of its bytes: two organisations never share a blob, the same bytes uploaded twice
by one organisation are kept once, and a blob's name proves its content.

The blobs live in a Django ``Storage``: ``STORAGES["evidence"]`` when the settings define it
(an S3 bucket through django-storages, say), otherwise a ``FileSystemStorage`` at
``MEDIA_ROOT/evidence``. Nothing here assumes a local path except the atomic move that a
local file system allows.

Writing streams the upload in chunks into a temporary file while hashing it, so memory
stays flat whatever the size, and only a complete file is moved into place: a reader or a
crash never sees half a blob under its final name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

CHUNK_SIZE = 64 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Inside a file-system storage's root; organisation prefixes are digits, so never clash.
_INCOMING = ".incoming"


class InvalidDigest(ValueError):
    """A blob was named by something other than 64 lowercase hex digits."""


class TooLarge(ValueError):
    """The stream grew past the size limit; nothing was stored."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    created: bool  # False when the organisation already held these bytes


def evidence_storage() -> Storage:
    """The storage evidence blobs live in (resolved on each call, so settings may change)."""
    if "evidence" in settings.STORAGES:
        return storages["evidence"]
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "evidence")


def blob_key(org, sha256: str) -> str:
    """The storage name of ``sha256`` in ``org``. Anything but 64 lowercase hex digits is
    refused, so a caller-supplied digest can never walk out of the organisation's prefix."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InvalidDigest("a blob is named by 64 lowercase hex digits")
    org_id = org.pk
    if not isinstance(org_id, int) or org_id <= 0:
        raise ValueError("the organisation must be saved")
    return f"{org_id}/{sha256[:2]}/{sha256}"


def blob_exists(org, sha256: str) -> bool:
    return evidence_storage().exists(blob_key(org, sha256))


def open_blob(org, sha256: str) -> File:
    """Open the blob for reading (binary). Raises ``FileNotFoundError`` when it is absent."""
    storage, key = evidence_storage(), blob_key(org, sha256)
    if not storage.exists(key):
        raise FileNotFoundError(key)
    return storage.open(key, "rb")


def store_blob(org, source: File, *, max_bytes: int) -> StoredBlob:
    """Store the bytes of ``source`` under their SHA-256 in ``org`` and describe them.

    Raises :class:`TooLarge` as soon as more than ``max_bytes`` have been read; the partial
    temporary file is removed and nothing is stored.
    """
    storage = evidence_storage()
    with _spool(storage) as (handle, temp_path):
        sha256, size = _copy_hashing(source, handle, max_bytes)
        created = _place(storage, blob_key(org, sha256), handle, temp_path)
    return StoredBlob(sha256=sha256, size=size, created=created)


def store_bytes(org, data: bytes) -> StoredBlob:
    """Store a small in-memory value (a record's canonical JSON)."""
    from django.core.files.base import ContentFile

    return store_blob(org, ContentFile(data), max_bytes=max(len(data), 1))


def _copy_hashing(source: File, handle: IO[bytes], max_bytes: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in source.chunks(CHUNK_SIZE):  # rewinds the source first when it can
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(max_bytes)
        digest.update(chunk)
        handle.write(chunk)
    handle.flush()
    os.fsync(handle.fileno())
    return digest.hexdigest(), size


@contextmanager
def _spool(storage: Storage) -> Iterator[tuple[IO[bytes], str | None]]:
    """A temporary file to stream into, removed on the way out unless it was moved.

    For a file-system storage it sits inside the storage's root, so the final move is a
    rename on one file system (atomic); elsewhere it is an ordinary temporary file.
    """
    if not isinstance(storage, FileSystemStorage):
        with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as handle:
            yield handle, None
        return
    incoming = Path(storage.location) / _INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=incoming, prefix="blob-", delete=False)  # noqa: SIM115
    try:
        yield handle, handle.name
    finally:
        handle.close()
        Path(handle.name).unlink(missing_ok=True)


def _place(storage: Storage, key: str, handle: IO[bytes], temp_path: str | None) -> bool:
    """Move the complete temporary file to ``key`` unless the blob is already there."""
    if storage.exists(key):
        return False
    if temp_path is None:
        handle.seek(0)
        saved = storage.save(key, File(handle, name=key))
        if saved != key:  # another writer stored the same bytes first; keep theirs
            storage.delete(saved)
        return True
    final = Path(storage.path(key))  # path() refuses names outside the storage root
    final.parent.mkdir(parents=True, exist_ok=True)
    handle.close()
    if storage.file_permissions_mode is not None:
        os.chmod(temp_path, storage.file_permissions_mode)
    # A concurrent writer of the same bytes may win the race: replacing its file with an
    # identical one is harmless, and readers holding the old file keep reading it.
    os.replace(temp_path, final)
    return True
