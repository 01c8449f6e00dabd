"""Copy evidence files into a stored ZIP, in a process of its own.

A bundle's evidence files are most of its bytes, and copying them is reading, CRC-32,
SHA-256 and writing: work in C that a second core can do while the exporting process
spends its own core on the tables (check history, timelines, OSCAL). A thread could not:
each time it came back from C it would wait for the interpreter lock the table-writing
thread holds. So the exporting process hands this script the target file's descriptor and
the list of files, and reads back each entry's size and digest when it is done.

Only the Python standard library, and run with ``python -I -S``: the script touches no
database and no settings, just the files it is given.

Input (JSON on standard input)::

    {"offset": 0, "stamp": [2026, 11, 29, 10, 0, 0],
     "files": [["evidence/1-report.pdf", "/var/.../ab12…", 102400], ...]}

It writes a complete stored ZIP of those entries into the descriptor named by its only
argument, starting at ``offset``, and prints ``{"entries": [...], "peak_kb": N}``: per
file, ``path``, then ``size`` and ``sha256``, or ``error`` if the file could not be opened
(then the file has no entry); and its own peak memory, where the system tells it. Any
other failure exits non-zero with the reason on standard error.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
from typing import IO, Any

CHUNK = 1024 * 1024
ZIP64_THRESHOLD = 2**31 - 1


def copy(
    target: IO[bytes], offset: int, stamp: tuple[int, ...], files: list[list[Any]]
) -> list[dict[str, Any]]:
    """Write ``files`` ([bundle path, source path, size or None]) as a stored ZIP into
    ``target`` from ``offset``; returns what the module docstring says is printed."""
    target.seek(offset)
    results = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, source, size in files:
            results.append(_copy_one(archive, name, source, size, stamp))
    target.flush()
    return results


def _copy_one(
    archive: zipfile.ZipFile, name: str, source: str, size: int | None, stamp: tuple[int, ...]
) -> dict[str, Any]:
    try:
        handle = open(source, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        return {"path": name, "error": exc.strerror or type(exc).__name__}
    info = entry_info(name, stamp)
    digest, written = hashlib.sha256(), 0
    big = size is None or size > ZIP64_THRESHOLD
    with handle, archive.open(info, "w", force_zip64=big) as entry:
        while chunk := handle.read(CHUNK):
            entry.write(chunk)
            digest.update(chunk)
            written += len(chunk)
    return {"path": name, "size": written, "sha256": digest.hexdigest()}


def entry_info(name: str, stamp: tuple[int, ...]) -> zipfile.ZipInfo:
    """A stored entry's header, the same for every entry of a bundle whoever writes it."""
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def main(argv: list[str]) -> int:
    job = json.load(sys.stdin)
    with os.fdopen(int(argv[1]), "r+b", closefd=False) as target:
        results = copy(target, int(job["offset"]), tuple(job["stamp"]), job["files"])
    json.dump({"entries": results, "peak_kb": _peak_kb()}, sys.stdout)
    return 0


def _peak_kb() -> int | None:
    """This process's peak resident memory (for the export's figures), where Linux says."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv))
