"""An Okta organisation replayed from the recorded answers in ``recorded/`` (shaped as
Okta's management API documents them), through an ``httpx.MockTransport``.

The recorded bodies are served as Okta serves them: users in two pages joined by a
``Link: rel="next"`` header, deactivated users only when asked for by status, role
assignees paged through ``_links.next`` in the body. Tests add faults: ``queue`` answers
a path with given responses first (a 429, a 500), ``deny`` answers it with an error for
good.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import httpx

from zgovern.integrations.okta.client import HttpOptions

RECORDED = Path(__file__).with_name("recorded")
ORG_URL = "https://acme.okta.com"
CONFIG = {"org_url": ORG_URL}
CREDENTIALS = {"api_token": "00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab"}
FIRST_PAGE_LAST_ID = "00u1car0000000000004"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


def error(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=recorded(f"error_{status}.json"), headers=headers)


class OktaWorld:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []
        self.queued: dict[str, deque[httpx.Response]] = defaultdict(deque)
        self.denied: dict[str, int] = {}

    def queue(self, path: str, *responses: httpx.Response) -> None:
        self.queued[path].extend(responses)

    def deny(self, path: str, status: int = 403) -> None:
        self.denied[path] = status

    def options(self) -> HttpOptions:
        return HttpOptions(transport=httpx.MockTransport(self.handle), sleep=self.waits.append)

    def calls(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path == path)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        assert request.headers["authorization"] == f"SSWS {CREDENTIALS['api_token']}"
        if self.queued.get(path):
            return self.queued[path].popleft()
        for prefix, status in self.denied.items():
            if path.startswith(prefix):
                return error(status)
        return self.answer(path, request.url.params)

    def answer(self, path: str, params: httpx.QueryParams) -> httpx.Response:
        parts = path.strip("/").split("/")
        if path == "/api/v1/users":
            return self._users(params)
        if len(parts) == 5 and parts[:3] == ["api", "v1", "users"] and parts[4] == "factors":
            return self._file(f"factors_{parts[3]}.json")
        if path == "/api/v1/policies" and params.get("type") == "OKTA_SIGN_ON":
            return self._file("policies.json")
        if len(parts) == 5 and parts[:3] == ["api", "v1", "policies"] and parts[4] == "rules":
            return self._file(f"rules_{parts[3]}.json")
        if path == "/api/v1/iam/assignees/users":
            return self._file("roles_2.json" if params.get("after") else "roles_1.json")
        return httpx.Response(404, json={"errorCode": "E0000007", "errorSummary": "Not found"})

    def _users(self, params: httpx.QueryParams) -> httpx.Response:
        if params.get("filter") == 'status eq "DEPROVISIONED"':
            return self._file("users_deprovisioned.json")
        if params.get("after") == FIRST_PAGE_LAST_ID:
            return self._file("users_2.json")
        following = f"{ORG_URL}/api/v1/users?after={FIRST_PAGE_LAST_ID}&limit=200"
        link = f'<{ORG_URL}/api/v1/users?limit=200>; rel="self", <{following}>; rel="next"'
        return self._file("users_1.json", {"Link": link})

    def _file(self, name: str, headers: dict[str, str] | None = None) -> httpx.Response:
        path = RECORDED / name
        if not path.exists():
            return httpx.Response(404, json={"errorCode": "E0000007", "errorSummary": "Not found"})
        return httpx.Response(200, content=path.read_bytes(), headers={
            "Content-Type": "application/json", **(headers or {}),
        })  # fmt: skip
