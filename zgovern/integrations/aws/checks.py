"""The AWS checks: id -> evaluator, and where their metadata lives.

Each evaluator is a small function in ``checks_*.py`` that reads the collected inventory in
memory and yields one Finding per resource; the metadata (title, severity, criteria,
controls, remediation, permission) is data, in ``checks.yaml``.
"""

from __future__ import annotations

from pathlib import Path

# Importing the modules registers their checks.
from zgovern.integrations.aws import checks_data, checks_iam, checks_ops, checks_s3  # noqa: F401
from zgovern.integrations.aws.checkbase import EVALUATORS, SERVICE_OF
from zgovern.integrations.base import Evaluator

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))


def evaluators() -> dict[str, Evaluator]:
    return dict(EVALUATORS)


def services_of(check_ids: list[str]) -> list[str]:
    """The services to collect for these checks (in a stable order)."""
    return sorted({SERVICE_OF[check_id] for check_id in check_ids})
