"""What an uploaded evidence file may be: its name, its type, its first bytes.

A file is accepted by its extension, and where the format has a signature that costs
nothing to check (PDF, PNG, JPEG, GIF, ZIP-based Office files) its first bytes must match.
Text formats must not contain NUL bytes at the start. The content type served back is the
one this table gives for the extension, never the one the uploader claimed, and none of
them is rendered by a browser as a page (no HTML, no SVG).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.files import File

from zgovern.core.errors import DomainError

HEAD_BYTES = 1024
MAX_NAME = 255
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@dataclass(frozen=True)
class FileType:
    content_type: str
    signatures: tuple[bytes, ...] = ()  # the file starts with one of these
    text: bool = False
    anywhere_in_head: bool = False  # PDF readers accept a little junk before "%PDF-"


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",), anywhere_in_head=True),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": FileType("image/gif", (b"GIF87a", b"GIF89a")),
    "zip": FileType("application/zip", _ZIP),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP
    ),
    "csv": FileType("text/csv", text=True),
    "txt": FileType("text/plain", text=True),
    "log": FileType("text/plain", text=True),
    "md": FileType("text/markdown", text=True),
    "json": FileType("application/json", text=True),
    "yaml": FileType("application/yaml", text=True),
    "yml": FileType("application/yaml", text=True),
}
ALLOWED = ", ".join(sorted(FILE_TYPES))


def clean_file_name(raw: str | None) -> str:
    """The uploaded name reduced to something safe to store and to put in a header: the
    last path part only, no control or invisible formatting characters (which could
    disguise an extension), no leading or trailing dots or spaces, at most 255 characters
    with the extension kept. Raises ``DomainError(field="file")`` when nothing is left."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    name = " ".join(name.split()).strip(" .")
    if not name:
        raise DomainError("The file needs a name.", field="file")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = f"{stem[: MAX_NAME - len(ext) - 1]}.{ext}"
        else:
            name = name[:MAX_NAME]
    return name


def file_type_for(name: str) -> FileType:
    """The type of a (cleaned) file name, by its extension."""
    _, dot, ext = name.rpartition(".")
    file_type = FILE_TYPES.get(ext.lower()) if dot else None
    if file_type is None:
        raise DomainError(f"Files of this type are not accepted. Allowed: {ALLOWED}.", field="file")
    return file_type


def read_head(upload: File) -> bytes:
    """The first bytes of ``upload``, leaving it rewound."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def check_content(file_type: FileType, head: bytes, ext_label: str) -> None:
    """Refuse content whose first bytes contradict the extension."""
    if not head:
        raise DomainError("The file is empty.", field="file")
    if file_type.text:
        if b"\x00" in head:
            raise DomainError(
                f"The file is named .{ext_label} but holds binary data, not text.", field="file"
            )
        return
    if file_type.anywhere_in_head:
        matches = any(sig in head for sig in file_type.signatures)
    else:
        matches = head.startswith(file_type.signatures)
    if not matches:
        raise DomainError(
            f"The file is named .{ext_label} but its content is not that format.", field="file"
        )


def extension(name: str) -> str:
    return name.rpartition(".")[2].lower()
