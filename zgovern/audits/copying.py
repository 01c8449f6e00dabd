"""Runs :mod:`zgovern.audits.copier` beside the export, so that the evidence files are
copied into the bundle on a second core while the export writes its tables.

Only for evidence kept on a local file system, and a target with a file descriptor; any
other storage (an S3 bucket, say) is streamed in the exporting process, as before.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.files.storage import FileSystemStorage, Storage

COPIER = Path(__file__).with_name("copier.py")


class CopyFailed(RuntimeError):
    """The copying process failed; its reason is the message."""


@dataclass(frozen=True)
class Copied:
    path: str
    size: int | None  # None when the file could not be opened
    sha256: str
    error: str


def available(target: IO[bytes], storage: Storage) -> bool:
    """Whether evidence can be copied by another process: files on a local file system,
    and a target with a descriptor it can inherit."""
    if not isinstance(storage, FileSystemStorage):
        return False
    try:
        target.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


class CopyProcess:
    """One copier run: started at once, its results read by :meth:`results`. Call
    :meth:`stop` if the export gives up before then."""

    def __init__(
        self, target: IO[bytes], offset: int, stamp: tuple[int, ...], files: list[tuple]
    ) -> None:
        descriptor = target.fileno()
        with tempfile.TemporaryFile() as job:
            job.write(json.dumps({"offset": offset, "stamp": stamp, "files": files}).encode())
            job.seek(0)
            # Our own interpreter and script, and a number: nothing from a user.
            self._process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-I", "-S", str(COPIER), str(descriptor)],
                stdin=job,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(descriptor,),
            )
        self._expected = [name for name, _, _ in files]
        self.peak_kb: int | None = None  # the copier's peak memory, once it has answered

    def results(self) -> list[Copied]:
        """Wait for the copier; what it wrote, in the order the files were given."""
        out, err = self._process.communicate()
        if self._process.returncode != 0:
            reason = err.decode(errors="replace").strip().splitlines()[-1:] or ["no reason"]
            raise CopyFailed(f"copying the evidence files failed: {reason[0]}")
        answer = json.loads(out)
        self.peak_kb = answer.get("peak_kb")
        copied = [_copied(row) for row in answer["entries"]]
        if [row.path for row in copied] != self._expected:
            raise CopyFailed("copying the evidence files answered for other files")
        return copied

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()


def _copied(row: dict[str, Any]) -> Copied:
    if "error" in row:
        return Copied(str(row["path"]), None, "", str(row["error"]))
    return Copied(str(row["path"]), int(row["size"]), str(row["sha256"]), "")
