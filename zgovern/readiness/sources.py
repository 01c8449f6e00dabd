"""What the readiness engine reads from upstream modules, in a constant number of queries
whatever the number of controls, results or evidence items.

Policies arrive with their own module; until a policy source is registered, a control's
policies are reported as not tracked and left out of its status rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max

from zgovern.controls.models import ControlEvidence
from zgovern.monitoring.models import CheckInterval, CheckStatus


@dataclass(frozen=True)
class CheckOutcome:
    """The current status counts of one check across every resource it evaluates."""

    passing: int = 0
    failing: int = 0
    errors: int = 0
    other: int = 0  # skipped or not applicable

    @property
    def state(self) -> str:
        if self.failing:
            return "failing"
        if self.errors:
            return "error"
        if self.passing:
            return "passing"
        return "no_data"


def check_outcomes(org) -> dict[str, CheckOutcome]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        CheckInterval.objects.filter(organization=org, ended_at__isnull=True)
        .values("check_id", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["check_id"]][row["status"]] = row["n"]
    return {
        check_id: CheckOutcome(
            passing=by.get(CheckStatus.PASS, 0),
            failing=by.get(CheckStatus.FAIL, 0),
            errors=by.get(CheckStatus.ERROR, 0),
            other=by.get(CheckStatus.SKIPPED, 0) + by.get(CheckStatus.NOT_APPLICABLE, 0),
        )
        for check_id, by in counts.items()
    }


def latest_evidence(org) -> dict[tuple[int, str], datetime]:
    """(control id, evidence kind) -> when the newest linked, current (not corrected) item of
    that kind was collected."""
    # The second condition is redundant for correctness but lets SQLite, once ANALYZE has
    # run, drive the join from the covering (organization, kind, collected_at) index of
    # evidence instead of walking every link by control (about twice as fast at 50,000).
    # A corrected item no longer counts: its correction (linked to the same controls when
    # it was made) speaks for it.
    rows = (
        ControlEvidence.objects.filter(
            organization=org, evidence__organization=org, evidence__superseded_by__isnull=True
        )
        .values("control_id", "evidence__kind")
        .annotate(latest=Max("evidence__collected_at"))
    )
    return {(row["control_id"], row["evidence__kind"]): row["latest"] for row in rows}


# policy key -> "approved" | "draft" | "missing"; registered by the policies module.
PolicySource = Callable[[object], dict[str, str]]
_policy_source: PolicySource | None = None


def register_policy_source(source: PolicySource) -> None:
    global _policy_source
    _policy_source = source


def policy_states(org) -> dict[str, str] | None:
    """Each policy's state, or None while no policy module is installed."""
    return _policy_source(org) if _policy_source is not None else None
