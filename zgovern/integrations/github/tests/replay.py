"""Replays recorded GitHub responses (``recorded/*.json``, shaped as GitHub documents them)
through an ``httpx.MockTransport``, so the code under test is the real client.

:class:`World` answers each request from its routes (path and the query parameters that
matter -> a recorded file, a status and headers); a test changes what one route answers
with :meth:`World.answer`, and reads what was asked in ``World.requests``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from zgovern.integrations.github.schemas import GithubConfig, GithubCredentials

RECORDED = Path(__file__).with_name("recorded")
API = "https://api.github.com"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # the window of 7 days starts 2026-11-21 12:00
CONFIG = GithubConfig(organization="acme")
CREDENTIALS = GithubCredentials(token="ghp_" + "x" * 36)

Answer = tuple[int, Any, dict[str, str]]


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


def _link(path: str, page: int) -> dict[str, str]:
    return {"Link": f'<{API}{path}?per_page=100&page={page}>; rel="next", '
                    f'<{API}{path}?per_page=100&page={page}>; rel="last"'}  # fmt: skip


def _routes() -> dict[str, Answer]:
    members = "/orgs/acme/members"
    pulls = "/repos/acme/api/pulls"
    routes: dict[str, Answer] = {
        "/orgs/acme": (200, recorded("org.json"), {}),
        f"{members}": (200, recorded("members_page1.json"), _link(members, 2)),
        f"{members}?page=2": (200, recorded("members_page2.json"), {}),
        f"{members}?role=admin": (200, recorded("members_admin.json"), {}),
        f"{members}?filter=2fa_disabled": (200, recorded("members_2fa_disabled.json"), {}),
        "/orgs/acme/outside_collaborators": (200, recorded("outside_collaborators.json"), {}),
        "/orgs/acme/outside_collaborators?filter=2fa_disabled": (
            200, recorded("outside_collaborators_2fa_disabled.json"), {}),
        "/orgs/acme/repos": (200, recorded("repos.json"), {}),
        f"{pulls}": (200, recorded("pulls_api_page1.json"), _link(pulls, 2)),
        f"{pulls}?page=2": (200, recorded("pulls_api_page2.json"), _link(pulls, 3)),
        f"{pulls}?page=3": (500, {"message": "paging went past the window"}, {}),
    }  # fmt: skip
    for repo in ("api", "web", "scripts", "docs"):
        branch = f"/repos/acme/{repo}/branches/main/protection"
        routes[branch] = (404, recorded("protection_404.json"), {})
        routes[f"/repos/acme/{repo}/rules/branches/main"] = (200, recorded("rules_empty.json"), {})
        if repo != "api":
            routes[f"/repos/acme/{repo}/pulls"] = (200, recorded("pulls_empty.json"), {})
    routes["/repos/acme/api/branches/main/protection"] = (
        200, recorded("protection_api_main.json"), {})  # fmt: skip
    routes["/repos/acme/docs/branches/main/protection"] = (
        200, recorded("protection_docs_main.json"), {})  # fmt: skip
    routes["/repos/acme/web/rules/branches/main"] = (200, recorded("rules_web_main.json"), {})
    for number in (41, 40, 38):
        routes[f"{pulls}/{number}/reviews"] = (
            200, recorded(f"reviews_api_{number}.json"), {})  # fmt: skip
    for letter in "abc":
        sha = letter * 40
        routes[f"/repos/acme/api/commits/{sha}/status"] = (
            200, recorded(f"status_{letter * 3}.json"), {})  # fmt: skip
        routes[f"/repos/acme/api/commits/{sha}/check-runs"] = (
            200, recorded(f"check_runs_{letter * 3}.json"), {})  # fmt: skip
    return routes


class World:
    """The recorded organisation ``acme``: five members (eric without 2FA; olivia and adam
    owners), two outside collaborators (carl without 2FA), repositories api (classic
    protection), web (rulesets), scripts (no protection: 404), docs (protected but force
    pushes allowed, no reviews) and legacy (archived); merged pull requests into api."""

    def __init__(self) -> None:
        self.routes = _routes()
        self.requests: list[httpx.Request] = []
        self._queued: dict[str, list[Answer]] = {}

    def answer(self, route: str, status: int, body: Any = None, headers=None) -> None:
        """Answer ``route`` with this from now on."""
        self.routes[route] = (status, body if body is not None else {}, headers or {})

    def queue(self, route: str, status: int, body: Any = None, headers=None) -> None:
        """Answer ``route`` with this once, before its usual answer."""
        self._queued.setdefault(route, []).append((status, body or {}, headers or {}))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.route_of(request)
        queued = self._queued.get(route)
        status, body, headers = queued.pop(0) if queued else self.routes.get(
            route, (404, {"message": "Not Found"}, {}))  # fmt: skip
        return httpx.Response(status, json=body, headers=headers)

    @staticmethod
    def route_of(request: httpx.Request) -> str:
        """The path plus the query parameters a route depends on."""
        params = request.url.params
        keys = [
            f"{k}={params[k]}" for k in ("role", "filter") if k in params and params[k] != "all"
        ]
        if params.get("page", "1") != "1":
            keys.append(f"page={params['page']}")
        return request.url.path + ("?" + "&".join(keys) if keys else "")

    def paths(self) -> list[str]:
        return [self.route_of(r) for r in self.requests]


def no_sleep() -> tuple[Callable[[float], None], list[float]]:
    waits: list[float] = []
    return waits.append, waits
