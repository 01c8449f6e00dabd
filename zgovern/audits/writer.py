"""Write an audit bundle as a stored (uncompressed) ZIP, one entry at a time.

Every byte goes through :class:`_HashingEntry`, which feeds the ZIP entry and a SHA-256 at
once, so a file is read exactly once and memory stays flat whatever its size. Evidence is
mostly already compressed (PDFs, images, archives), so storing rather than deflating keeps
the export close to the speed of copying the files.

Paths inside the bundle are made safe here and nowhere else (:func:`safe_path`): no
traversal, no absolute paths, no names Windows refuses, and no two entries that differ only
by case.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from zgovern.audits.verify import FORMAT, MANIFEST, SIGNATURE

CHUNK = 1024 * 1024
ZIP64_THRESHOLD = 2**31 - 1
_UNSAFE = re.compile(r"[^A-Za-z0-9._() +-]+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
NAME_MAX = 120


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str
    title: str
    section: str


def safe_component(name: str) -> str:
    """One path component, safe on every operating system."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        name = "file"
    if _RESERVED.match(name):
        name = f"_{name}"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot and stem else ""
        name = name[: NAME_MAX - len(ext) - 1].rstrip(" .") + (f".{ext}" if ext else "")
    return name


def safe_path(path: str) -> str:
    """A relative path made of safe components (``..`` and empty parts dropped)."""
    parts = [p for p in re.split(r"[\\/]+", path) if p not in ("", ".", "..")]
    return "/".join(safe_component(part) for part in parts) or "file"


class _HashingEntry:
    """A writable file that forwards to a ZIP entry and hashes what passes through."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._target.write(data)
        self._digest.update(data)
        self.size += len(data)
        return len(data)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        return None

    @property
    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class BundleWriter:
    """Writes entries into ``target`` (a seekable binary file) and finally the signed
    manifest. Use as a context manager, or call :meth:`close`."""

    def __init__(self, target: IO[bytes], generated_at: datetime) -> None:
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._stamp = generated_at.timetuple()[:6]
        self._used: set[str] = set()
        self.entries: list[Entry] = []

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def unique(self, path: str) -> str:
        """``path`` made safe and unused (``name (2).ext`` on a clash, ignoring case)."""
        path = safe_path(path)
        if path.lower() in (MANIFEST, SIGNATURE):
            path = f"_{path}"
        candidate, number = path, 1
        while candidate.lower() in self._used:
            number += 1
            folder, _, name = path.rpartition("/")
            stem, dot, ext = name.rpartition(".")
            name = f"{stem} ({number}).{ext}" if dot and stem else f"{name} ({number})"
            candidate = f"{folder}/{name}" if folder else name
        self._used.add(candidate.lower())
        return candidate

    @contextmanager
    def entry(
        self, path: str, *, title: str = "", section: str = "", size_hint: int | None = None
    ) -> Iterator[_HashingEntry]:
        """A writable stream for a new entry at (a safe, unique form of) ``path``."""
        name = self.unique(path)
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        big = size_hint is None or size_hint > ZIP64_THRESHOLD
        with self._zip.open(info, "w", force_zip64=big) as raw:
            stream = _HashingEntry(raw)
            yield stream
        self.entries.append(Entry(name, stream.size, stream.hexdigest, title, section))

    def add_bytes(self, path: str, data: bytes, *, title: str = "", section: str = "") -> Entry:
        with self.entry(path, title=title, section=section, size_hint=len(data)) as stream:
            stream.write(data)
        return self.entries[-1]

    def add_stream(
        self, path: str, source: IO[bytes], *, size: int | None, title: str = "", section: str = ""
    ) -> Entry:
        with self.entry(path, title=title, section=section, size_hint=size) as stream:
            while chunk := source.read(CHUNK):
                stream.write(chunk)
        return self.entries[-1]

    def finish(self, meta: dict[str, Any], sign: Callable[[bytes], bytes]) -> bytes:
        """Write ``manifest.json`` (``meta`` plus every entry) and its signature; returns
        the manifest's bytes. Nothing may be added afterwards."""
        manifest = {
            **meta,
            "format": FORMAT,
            "files": [
                {
                    "path": e.path,
                    "size": e.size,
                    "sha256": e.sha256,
                    "title": e.title,
                    "section": e.section,
                }
                for e in self.entries
            ],
        }
        raw = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
        self._write_plain(MANIFEST, raw)
        self._write_plain(SIGNATURE, base64.b64encode(sign(raw)) + b"\n")
        return raw

    def _write_plain(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, data, compress_type=zipfile.ZIP_STORED)
