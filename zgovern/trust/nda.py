"""The NDA a prospect accepts before downloading the report.

The default text is a Markdown file in the package (``data/nda.md``); an organisation may
write its own in the Trust Center settings. Whatever is shown is what is hashed into the
acceptance record, so the exact text accepted can be proved later.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from zgovern.policies.rendering import to_html

DEFAULT_PATH = Path(__file__).parent / "data" / "nda.md"


class NdaFileError(RuntimeError):
    """The packaged NDA is missing or empty: a broken install, named with its path."""


@lru_cache(maxsize=1)
def default_text() -> str:
    try:
        text = DEFAULT_PATH.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise NdaFileError(f"{DEFAULT_PATH}: cannot read the default NDA ({exc})") from exc
    if not text:
        raise NdaFileError(f"{DEFAULT_PATH}:1: the default NDA is empty")
    return text


def text_for(center) -> str:
    """The NDA in force for ``center``: its own text, or the default."""
    own = (center.nda_text or "").strip() if center is not None else ""
    return own or default_text()


def html_for(center) -> str:
    """The NDA as sanitised HTML, safe to mark safe."""
    return to_html(text_for(center))


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
