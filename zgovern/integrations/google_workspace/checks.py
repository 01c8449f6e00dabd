"""The Google Workspace checks: id -> evaluator over the collected users (see :mod:`sync`);
their metadata is in ``checks.yaml``. A user Google described without a 2-Step
Verification field is an ERROR for that user, never a pass."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))
PASS, FAIL, ERROR = "pass", "fail", "error"


def user_ref(user: dict[str, Any]) -> ResourceRef:
    return ResourceRef("google_workspace.user", user["id"], user.get("email") or user["id"])


def describe(user: dict[str, Any]) -> str:
    role = (
        " (super admin)" if user.get("super_admin") else (" (admin)" if user.get("admin") else "")
    )
    return f"user {user.get('email') or user['id']}{role}"


def can_sign_in(user: dict[str, Any]) -> bool:
    return not user.get("suspended") and not user.get("archived")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def two_step_verification(inventory: Inventory) -> Iterator[Finding]:
    """Every user who can sign in is enrolled in 2-Step Verification."""
    for user in inventory.data.get("users", []):
        if not can_sign_in(user):
            continue
        who, enrolled = describe(user), user.get("enrolled_2sv")
        if enrolled is None:
            yield Finding(user_ref(user), ERROR, f"{who}: Google did not say whether 2SV is on")
        elif enrolled:
            yield Finding(user_ref(user), PASS, f"{who} is enrolled in 2-Step Verification")
        else:
            yield Finding(user_ref(user), FAIL, f"{who} is not enrolled in 2-Step Verification")


def two_step_enforced(inventory: Inventory) -> Iterator[Finding]:
    """2-Step Verification is enforced for every user who can sign in (their
    organisational unit or group enforces it), so no one can turn it off."""
    for user in inventory.data.get("users", []):
        if not can_sign_in(user):
            continue
        who, enforced = describe(user), user.get("enforced_2sv")
        unit = f" (organisational unit {user['org_unit']})" if user.get("org_unit") else ""
        if enforced is None:
            yield Finding(
                user_ref(user), ERROR, f"{who}: Google did not say whether 2SV is enforced"
            )
        elif enforced:
            yield Finding(user_ref(user), PASS, f"2-Step Verification is enforced for {who}")
        else:
            yield Finding(
                user_ref(user), FAIL, f"2-Step Verification is not enforced for {who}{unit}"
            )


def suspended_users(inventory: Inventory) -> Iterator[Finding]:
    """Suspended and archived users, with why; one still holding an administrator role
    fails, as restoring the user would restore that access."""
    for user in inventory.data.get("users", []):
        if can_sign_in(user):
            continue
        state = "archived" if user.get("archived") and not user.get("suspended") else "suspended"
        reason = user.get("suspension_reason")
        why = f" ({reason})" if reason else ""
        who = f"user {user.get('email') or user['id']}"
        if user.get("admin"):
            text = f"{who} is {state}{why} but still holds an administrator role"
            yield Finding(user_ref(user), FAIL, text)
        else:
            yield Finding(user_ref(user), PASS, f"{who} is {state}{why}")


EVALUATORS: dict[str, Evaluator] = {
    "google_workspace.users.two_step_verification": two_step_verification,
    "google_workspace.users.two_step_enforced": two_step_enforced,
    "google_workspace.users.suspended": suspended_users,
}


def evaluators() -> dict[str, Evaluator]:
    return dict(EVALUATORS)
