"""What a provider hands the identity graph: one :class:`AccountRecord` per user it lists.

A provider that lists users (Okta, Google Workspace, GitHub, AWS IAM) exposes
``account_service`` (the service whose collection holds the users) and
``accounts(inventory) -> list[AccountRecord]``; the run stores them through
:func:`zgovern.identity.services.record_accounts` in the same transaction as its results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AccountRecord:
    external_id: str
    username: str
    email: str = ""
    display_name: str = ""
    status: str = "active"  # identity.models.AccountStatus: active or suspended
    mfa: str = "unknown"  # identity.models.MfaState
    privileged: bool = False
    last_login_at: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
