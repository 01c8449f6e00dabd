"""Collect a Google Workspace inventory: every user of the customer with their 2-Step
Verification state, whether they are suspended or an administrator, and their last sign-in.

``Inventory.data["users"]``: one record per user (see :func:`user_record`); a field Google
left out is ``None`` (unknown), never a crash, and a user without an id is skipped.
``Inventory.failures["users"]``: the sign-in or the listing failed; nothing is kept of a
listing that failed half way, as a partial list would read as removed accounts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from zgovern.integrations.base import Inventory, ProviderError
from zgovern.integrations.google_workspace.client import GoogleClient, HttpOptions
from zgovern.integrations.google_workspace.schemas import GoogleConfig, GoogleCredentials

log = logging.getLogger(__name__)

SERVICES = ("users",)
NEVER = "1970-01-01T00:00:00.000Z"  # Google's lastLoginTime of a user who never signed in


def collect(
    config: GoogleConfig,
    credentials: GoogleCredentials,
    services: Iterable[str] = SERVICES,
    *,
    options: HttpOptions | None = None,
) -> Inventory:
    """Collect ``services``; never raises for a Google failure (see the module doc)."""
    wanted = list(dict.fromkeys(services))
    unknown = [s for s in wanted if s not in SERVICES]
    if unknown:
        raise ValueError(f"unknown Google Workspace services {unknown}; known: users")
    inventory = Inventory()
    if not wanted:
        return inventory
    client = GoogleClient(config, credentials, options or HttpOptions())
    try:
        client.sign_in()
        inventory.data["users"] = _listed(client)
    except ProviderError as error:
        inventory.failures["users"] = error
    except Exception as error:  # a bug or an answer nobody foresaw: the service fails
        log.exception("collecting Google Workspace users failed")
        inventory.failures["users"] = ProviderError(
            f"google: listing users failed ({type(error).__name__}: {error})",
            permanent=False, service="users",
        )  # fmt: skip
    finally:
        inventory.calls["google"] = client.calls
        client.close()
    return inventory


def _listed(client: GoogleClient) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for raw in client.users():
        record = user_record(raw)
        if record is not None:
            seen.setdefault(record["id"], record)
    return list(seen.values())


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def user_record(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The fields the checks and the identity graph read; ``None`` without an id."""
    user_id = str(raw.get("id") or "").strip()
    if not user_id:
        return None
    name = raw.get("name") if isinstance(raw.get("name"), dict) else {}
    last_login = raw.get("lastLoginTime")
    return {
        "id": user_id,
        "email": str(raw.get("primaryEmail") or "").lower(),
        "name": str(name.get("fullName") or ""),
        "admin": bool(raw.get("isAdmin")) or bool(raw.get("isDelegatedAdmin")),
        "super_admin": bool(raw.get("isAdmin")),
        "suspended": bool(raw.get("suspended")),
        "suspension_reason": str(raw.get("suspensionReason") or ""),
        "archived": bool(raw.get("archived")),
        "enrolled_2sv": _flag(raw.get("isEnrolledIn2Sv")),
        "enforced_2sv": _flag(raw.get("isEnforcedIn2Sv")),
        "last_login": None if last_login in (None, "", NEVER) else str(last_login),
        "created": raw.get("creationTime"),
        "org_unit": str(raw.get("orgUnitPath") or ""),
    }
