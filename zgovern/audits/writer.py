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
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from zgovern.audits.copier import CHUNK, ZIP64_THRESHOLD, entry_info
from zgovern.audits.verify import FORMAT, MANIFEST, SIGNATURE

# Staged entries (everything but the evidence files) stay in memory up to this size.
SIDE_IN_MEMORY = 16 * 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._() +-]+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
NAME_MAX = 120
# Components of safe characters, not starting or ending with a space or a dot, at most
# NAME_MAX long: what safe_component() returns unchanged.
_SAFE_NAME = rf"[A-Za-z0-9_()+-](?:[A-Za-z0-9._() +-]{{0,{NAME_MAX - 2}}}[A-Za-z0-9_()+-])?"
_ALREADY_SAFE = re.compile(rf"(?:{_SAFE_NAME}/)*{_SAFE_NAME}")


class BundleIntegrityError(RuntimeError):
    """What was written is not what was meant to be: the bundle must not be signed."""


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
    if _ALREADY_SAFE.fullmatch(path) and not any(map(_RESERVED.match, path.split("/"))):
        return path  # the common case, and a bundle has thousands of paths
    return _normalised_path(path)


def _normalised_path(path: str) -> str:
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


def manifest_bytes(meta: dict[str, Any], entries: list[Entry]) -> bytes:
    """``meta`` plus a ``files`` list, indented, with one line per file. Written by hand
    around json.dumps: indenting the whole document switches json to its pure-Python
    encoder, which took a tenth of an export's time at 5,000 files."""
    head = json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False)
    lines = ",\n  ".join(
        json.dumps(
            {"path": e.path, "section": e.section, "sha256": e.sha256, "size": e.size,
             "title": e.title},
            ensure_ascii=False,
        )
        for e in entries
    )  # fmt: skip
    return f'{head[:-2]},\n "files": [\n  {lines}\n ]\n}}'.encode()


class BundleWriter:
    """Writes entries into ``target`` (a seekable binary file) and finally the signed
    manifest. Use as a context manager, or call :meth:`close`.

    A *staged* writer keeps ``target`` untouched while the sections run: their entries go
    to a side archive, so that :meth:`lend` can hand the target to another process that
    writes a stored ZIP into it meanwhile (see :mod:`zgovern.audits.copying`).
    :meth:`settle` then takes that ZIP's entries as the bundle's first ones and copies the
    side archive's after them; from then on entries go to ``target`` directly."""

    def __init__(self, target: IO[bytes], generated_at: datetime, *, staged: bool = False):
        self._target = target
        self._stamp = generated_at.timetuple()[:6]
        self._used: set[str] = set()
        self._lent_at: int | None = None
        self._side: IO[bytes] | None = None
        self.entries: list[Entry] = []
        if staged:
            self._side = tempfile.SpooledTemporaryFile(max_size=SIDE_IN_MEMORY)  # noqa: SIM115
            self._zip = _stored_zip(self._side, "w")
        else:
            self._zip = _stored_zip(target, "w")

    @property
    def staged(self) -> bool:
        return self._side is not None

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()
        if self._side is not None:
            self._side.close()
            self._side = None

    @property
    def stamp(self) -> tuple[int, ...]:
        """Every entry's modification time (the bundle's generation time)."""
        return tuple(self._stamp)

    def lend(self) -> tuple[IO[bytes], int]:
        """Lend ``target`` to another writer, which must write one complete stored ZIP
        into it from the returned offset before :meth:`settle`. Once, and only while
        staged."""
        if self._side is None or self._lent_at is not None:
            raise RuntimeError("only a staged writer lends its target, and once")
        self._lent_at = self._target.tell()
        return self._target, self._lent_at

    def settle(self, lent: list[Entry] | None = None) -> None:
        """Stop staging. ``lent`` are the entries the borrower wrote (their paths reserved
        with :meth:`unique`); they must be exactly the ZIP's. The staged entries are copied
        after them, each checked against the digest it was staged with."""
        if self._side is None:
            return
        staged, self.entries = self.entries, list(lent or [])
        self._zip.close()
        if self._lent_at is None:
            self._zip = _stored_zip(self._target, "w")
        else:
            self._zip = _stored_zip(self._target, "a")
            written = sorted(self._zip.namelist())
            if written != sorted(entry.path for entry in self.entries):
                raise BundleIntegrityError("the evidence copy wrote other entries than listed")
        with _stored_zip(self._side, "r") as side:
            for entry in staged:
                self._copy_staged(side, entry)
        self._side.close()
        self._side = None

    def _copy_staged(self, side: zipfile.ZipFile, staged: Entry) -> None:
        size = side.getinfo(staged.path).file_size
        with side.open(staged.path) as source, self._open(staged.path, size) as raw:
            stream = _HashingEntry(raw)
            while chunk := source.read(CHUNK):
                stream.write(chunk)
        if stream.hexdigest != staged.sha256 or stream.size != staged.size:
            raise BundleIntegrityError(f"{staged.path} changed between staging and the bundle")
        self.entries.append(staged)

    def _open(self, name: str, size_hint: int | None) -> IO[bytes]:
        big = size_hint is None or size_hint > ZIP64_THRESHOLD
        return self._zip.open(entry_info(name, self._stamp), "w", force_zip64=big)

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
        with self._open(name, size_hint) as raw:
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
        self.settle()
        raw = manifest_bytes({**meta, "format": FORMAT}, self.entries)
        self._write_plain(MANIFEST, raw)
        self._write_plain(SIGNATURE, base64.b64encode(sign(raw)) + b"\n")
        return raw

    def _write_plain(self, name: str, data: bytes) -> None:
        self._zip.writestr(entry_info(name, self._stamp), data)


def _stored_zip(file: IO[bytes], mode: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(file, mode, zipfile.ZIP_STORED, allowZip64=True)  # type: ignore[arg-type]
