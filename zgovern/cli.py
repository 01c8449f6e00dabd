"""The ``zgovern`` command: Django's management commands behind one entry point.

``zgovern verify-log ORG`` and ``zgovern verify_log ORG`` are the same command; the
hyphenated form is what the documentation shows.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zgovern.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zgovern", *argv[1:]])


if __name__ == "__main__":
    main()
