"""Okta's management API, read only, through the shared :class:`HttpClient` (retries, 429
with ``Retry-After``/``X-Rate-Limit-Reset``, ``Link`` pagination, 401/403 naming the scope).

Each method yields what Okta answers, unchanged; :mod:`sync` picks the fields it needs and
tolerates any that are missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from zgovern.integrations.http import HttpClient
from zgovern.integrations.okta.schemas import OktaConfig, OktaCredentials

PAGE_SIZE = 200  # the most /api/v1/users returns per page
# Path prefix -> the OAuth scope (or admin permission) the call needs, named on 401/403.
SCOPES = {
    "/api/v1/users": "okta.users.read",
    "/api/v1/policies": "okta.policies.read",
    "/api/v1/iam": "okta.roles.read",
}
# /api/v1/users leaves deactivated users out unless asked for them by status.
DEPROVISIONED = 'status eq "DEPROVISIONED"'


@dataclass(frozen=True)
class HttpOptions:
    """How the provider reaches Okta: tests replay recorded answers through ``transport``
    and record the waits through ``sleep``."""

    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)


class OktaClient:
    def __init__(
        self, config: OktaConfig, credentials: OktaCredentials, options: HttpOptions
    ) -> None:
        token = credentials.api_token.get_secret_value()
        self.http = HttpClient(
            base_url=config.org_url, service="okta",
            headers={"Authorization": f"SSWS {token}", "Accept": "application/json"},
            scopes=SCOPES, transport=options.transport, sleep=options.sleep,
        )  # fmt: skip

    def close(self) -> None:
        self.http.close()

    def users(self) -> Iterator[dict[str, Any]]:
        """Every user: the default listing (all but deactivated), then the deactivated."""
        for params in ({"limit": PAGE_SIZE}, {"limit": PAGE_SIZE, "filter": DEPROVISIONED}):
            for page in self.http.pages("/api/v1/users", params):
                yield from _objects(page)

    def factors(self, user_id: str) -> list[dict[str, Any]]:
        return list(_objects(self.http.get_json(f"/api/v1/users/{user_id}/factors")))

    def sign_on_policies(self) -> Iterator[dict[str, Any]]:
        for page in self.http.pages("/api/v1/policies", {"type": "OKTA_SIGN_ON"}):
            yield from _objects(page)

    def policy_rules(self, policy_id: str) -> list[dict[str, Any]]:
        rules = []
        for page in self.http.pages(f"/api/v1/policies/{policy_id}/rules"):
            rules.extend(_objects(page))
        return rules

    def admin_user_ids(self) -> set[str]:
        """Ids of users holding an administrator role (directly or through a group)."""
        found: set[str] = set()
        pages = self.http.pages("/api/v1/iam/assignees/users", {"limit": 100}, cursor=_next_after)
        for page in pages:
            values = page.get("value") if isinstance(page, dict) else None
            found.update(str(v["id"]) for v in _objects(values or []) if v.get("id"))
        return found


def _objects(page: Any) -> Iterator[dict[str, Any]]:
    """The JSON objects of a list answer, skipping anything else Okta might put there."""
    if isinstance(page, list):
        yield from (item for item in page if isinstance(item, dict))


def _next_after(body: Any) -> dict[str, str] | None:
    """The role-assignment listing pages through ``_links.next.href`` in its body."""
    try:
        href = body["_links"]["next"]["href"]
    except (KeyError, TypeError):
        return None
    after = parse_qs(urlsplit(str(href)).query).get("after")
    return {"after": after[0]} if after else None
