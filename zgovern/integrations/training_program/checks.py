"""The training checks: one evaluator per course, over the inventory ``collect`` built.

The inventory's ``training`` service holds, per course key, whether the organisation has
adopted (and assigns) the course, and one row per person it applies to with their
standing computed by :mod:`zgovern.training.schedule`. A person passes while the course is
done (and not past its renewal date); a newcomer who has not done it yet is not applicable
until the deadline after their start date; past a due date, they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef
from zgovern.monitoring.models import CheckStatus

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))
SERVICE = "training"
RESOURCE_TYPE = "training_program.person_course"
# check id -> the library course it evaluates
COURSES = {
    "training_program.training.security_awareness": "security-awareness",
    "training_program.training.secure_development": "secure-development",
}


def evaluators() -> dict[str, Evaluator]:
    return {check_id: partial(evaluate_course, key) for check_id, key in COURSES.items()}


def evaluate_course(key: str, inventory: Inventory) -> Iterator[Finding]:
    course = inventory.data[SERVICE]["courses"].get(key)
    if course is None or not course["active"]:
        ref = ResourceRef("training_program.course", f"course:{key}", key)
        yield Finding(ref, CheckStatus.FAIL, f"The course {key} is not adopted and assigned, "
                      "so nobody is asked to complete it (Training > Library).")  # fmt: skip
        return
    if not course["people"]:
        ref = ResourceRef("training_program.course", f"course:{key}", course["title"])
        yield Finding(ref, CheckStatus.NOT_APPLICABLE, "Nobody on the roster is in its audience.")
        return
    for row in course["people"]:
        yield _finding(course["title"], key, row)


def _finding(title: str, key: str, row: dict) -> Finding:
    ref = ResourceRef(
        RESOURCE_TYPE, f"person:{row['person_id']}:course:{key}", f"{row['name']}: {title}"
    )
    last = row["last_completed"] or "never"
    if row["status"] == "overdue":
        why = (
            f"Not completed by {row['due_on']} ({row['days_overdue']} days overdue); "
            f"last completed: {last}."
        )
        return Finding(ref, CheckStatus.FAIL, why)
    if row["last_completed"] is None:
        # Still within the deadline after the start date: not yet required (as the
        # workforce provider's onboarding checks say).
        why = f"In onboarding: started {row['start_date']}, due by {row['due_on']}."
        return Finding(ref, CheckStatus.NOT_APPLICABLE, why)
    due = f"; next due {row['due_on']}" if row["due_on"] else ""
    return Finding(ref, CheckStatus.PASS, f"Completed {last}{due}.")
