"""The policy programme's checks. Each reads the collected rows in memory and yields one
finding per policy, or per person and policy.

Acknowledgements are reported per person x policy rather than per policy: a per-policy
verdict would flip as people join and acknowledge and hide who was late, whereas one
resource per person and policy gives each their own pass/fail history (the auditor's
sample), and the policy's figure is simply the count of its resources.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))
PASS, FAIL = "pass", "fail"
CODE_OF_CONDUCT = "code-of-conduct"


def policy_ref(row: dict) -> ResourceRef:
    return ResourceRef("policy_program.policy", f"policy:{row['key']}", row["title"])


def ack_ref(row: dict) -> ResourceRef:
    return ResourceRef(
        "policy_program.acknowledgement",
        f"ack:{row['policy_key']}:{row['person_id']}",
        f"{row['person_name']}: {row['policy_title']}",
    )


def approved_within_cadence(inventory: Inventory) -> Iterator[Finding]:
    for row in inventory.data["policies"]:
        yield Finding(policy_ref(row), *_approval_verdict(row))


def _approval_verdict(row: dict) -> tuple[str, str]:
    if row["published_version"] is None:
        return FAIL, "No version has been approved and published."
    version = (
        f"Version {row['published_version']} approved {row['approved_on'] or 'on an unknown date'}"
    )
    if row["review_overdue"]:
        return FAIL, f"{version}; its review was due {row['next_review_date']} and is overdue."
    return PASS, f"{version}; next review due {row['next_review_date']}."


def _acknowledgements(inventory: Inventory, code_of_conduct: bool) -> Iterator[Finding]:
    for row in inventory.data["acknowledgements"]:
        if (row["policy_key"] == CODE_OF_CONDUCT) != code_of_conduct:
            continue
        yield Finding(ack_ref(row), *_ack_verdict(row))


def _ack_verdict(row: dict) -> tuple[str, str]:
    version = f"version {row['required_version']}"
    if row["state"] == "acknowledged":
        return PASS, f"Acknowledged {version} or later on {row['acknowledged_on']}."
    if row["state"] == "late":
        return PASS, (
            f"Acknowledged on {row['acknowledged_on']}, after the window that ended {row['due']}."
        )
    if row["state"] == "pending":
        return PASS, f"Not acknowledged yet; inside the window until {row['due']}."
    return FAIL, f"Has not acknowledged {version}; the window ended {row['due']}."


def security_policies(inventory: Inventory) -> Iterator[Finding]:
    return _acknowledgements(inventory, code_of_conduct=False)


def code_of_conduct(inventory: Inventory) -> Iterator[Finding]:
    return _acknowledgements(inventory, code_of_conduct=True)


def evaluators() -> dict[str, Evaluator]:
    return {
        "policy_program.policies.approved_within_cadence": approved_within_cadence,
        "policy_program.acknowledgements.security_policies": security_policies,
        "policy_program.acknowledgements.code_of_conduct": code_of_conduct,
    }
