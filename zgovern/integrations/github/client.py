"""GitHub's REST API, through the shared :class:`~zgovern.integrations.http.HttpClient`
(retries, ``Retry-After`` and GitHub's exhausted-rate-limit 403, ``Link`` pagination, 401
and 403 naming the scope).

Every method returns GitHub's JSON as it is (lists of dicts); reading fields that may be
missing is the sync's job. Scopes are named as a classic token's scope, with the
fine-grained permission in brackets, so the person fixing the token knows what to add.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from zgovern.integrations.base import ProviderError
from zgovern.integrations.github.schemas import GithubConfig, GithubCredentials
from zgovern.integrations.http import HttpClient

API_VERSION = "2022-11-28"
PER_PAGE = 100
OWNER_ONLY = "an organisation owner's token (the 2fa_disabled filter is owner-only)"
# The scope each kind of path needs, most specific first (matched against the path
# without a GHES base path such as /api/v3).
SCOPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/repos/[^/]+/[^/]+/branches/"), "repo [Administration: read]"),
    (re.compile(r"^/repos/[^/]+/[^/]+/rules/"), "repo [Metadata: read]"),
    (re.compile(r"^/repos/[^/]+/[^/]+/commits/"), "repo [Commit statuses, Checks: read]"),
    (re.compile(r"^/repos/"), "repo [Contents, Pull requests: read]"),
    (re.compile(r"^/orgs/[^/]+/repos"), "repo [Metadata: read]"),
    (re.compile(r"^/orgs/"), "read:org [Members: read]"),
)


class GithubHttp(HttpClient):
    """The shared client, knowing two things about GitHub: the scope a path needs (by
    pattern, so per-repository paths are named too), and that a secondary rate limit is
    a 403 (or 429) with ``Retry-After`` while the remaining count is not zero; such a
    403 is a wait, not a missing scope, so it is retried like a 429 (see GitHub's "Rate
    limits for the REST API")."""

    base_path: str = ""

    def scope_for(self, url: str) -> str:
        path = httpx.URL(url).path if "://" in url else url
        if self.base_path and path.startswith(self.base_path + "/"):
            path = path[len(self.base_path) :]
        return next((scope for pattern, scope in SCOPES if pattern.match(path)), "")

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = super()._send(method, url, **kwargs)
        if response.status_code == 403 and response.headers.get("retry-after"):
            return httpx.Response(
                429, headers=response.headers, content=response.content,
                request=response.request,
            )  # fmt: skip
        return response


class GithubClient:
    """One organisation's API session; ``calls`` counts the requests made."""

    def __init__(
        self,
        config: GithubConfig,
        credentials: GithubCredentials,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.org = config.organization
        prefix = urlsplit(config.api_url).path.rstrip("/")
        headers = {
            "Authorization": f"Bearer {credentials.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "zGovern",
        }
        extra = {"sleep": sleep} if sleep is not None else {}
        self.http = GithubHttp(
            base_url=config.api_url, service="github", headers=headers,
            transport=transport, **extra,
        )  # fmt: skip
        self.http.base_path = prefix

    @property
    def calls(self) -> int:
        return self.http.calls

    def close(self) -> None:
        self.http.close()

    def organization(self) -> dict[str, Any]:
        return _object(self.http.get_json(f"/orgs/{self._o}"))

    def members(self, *, role: str = "all", two_factor_disabled: bool = False) -> list[dict]:
        params = {"role": role, "per_page": PER_PAGE}
        if two_factor_disabled:
            params["filter"] = "2fa_disabled"
            return self._owner_only(lambda: self._all(f"/orgs/{self._o}/members", params))
        return self._all(f"/orgs/{self._o}/members", params)

    def outside_collaborators(self, *, two_factor_disabled: bool = False) -> list[dict]:
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if two_factor_disabled:
            params["filter"] = "2fa_disabled"
            path = f"/orgs/{self._o}/outside_collaborators"
            return self._owner_only(lambda: self._all(path, params))
        return self._all(f"/orgs/{self._o}/outside_collaborators", params)

    def repositories(self) -> list[dict]:
        return self._all(f"/orgs/{self._o}/repos", {"type": "all", "per_page": PER_PAGE})

    def branch_protection(self, repo: str, branch: str) -> dict[str, Any] | None:
        """The branch's classic protection, or None when it has none (GitHub's 404)."""
        path = f"/repos/{self._o}/{_seg(repo)}/branches/{_seg(branch)}/protection"
        return _unless_404(lambda: _object(self.http.get_json(path)))

    def branch_rules(self, repo: str, branch: str) -> list[dict]:
        """Every active ruleset rule applying to the branch (repository and organisation
        rulesets alike); an empty list when none apply."""
        path = f"/repos/{self._o}/{_seg(repo)}/rules/branches/{_seg(branch)}"
        return _unless_404(lambda: self._all(path, {"per_page": PER_PAGE})) or []

    def merged_pulls(self, repo: str, base: str, since: datetime) -> Iterator[dict]:
        """Pull requests into ``base`` merged at or after ``since``. Closed pull requests
        come most recently updated first, so paging stops at the first one updated before
        ``since``: nothing merged later can follow it."""
        path = f"/repos/{self._o}/{_seg(repo)}/pulls"
        params = {"state": "closed", "base": base, "sort": "updated", "direction": "desc",
                  "per_page": PER_PAGE}  # fmt: skip
        for page in self.http.pages(path, params):
            for pull in _items(page, path):
                updated = parse_time(pull.get("updated_at"))
                if updated is not None and updated < since:
                    return
                merged = parse_time(pull.get("merged_at"))
                if merged is not None and merged >= since:
                    yield pull

    def reviews(self, repo: str, number: int) -> list[dict]:
        path = f"/repos/{self._o}/{_seg(repo)}/pulls/{int(number)}/reviews"
        return self._all(path, {"per_page": PER_PAGE})

    def combined_status(self, repo: str, sha: str) -> dict[str, Any]:
        path = f"/repos/{self._o}/{_seg(repo)}/commits/{_seg(sha)}/status"
        return _object(self.http.get_json(path))

    def check_runs(self, repo: str, sha: str) -> list[dict]:
        path = f"/repos/{self._o}/{_seg(repo)}/commits/{_seg(sha)}/check-runs"
        runs: list[dict] = []
        for page in self.http.pages(path, {"per_page": PER_PAGE}):
            body = _object(page)
            runs.extend(r for r in body.get("check_runs") or [] if isinstance(r, dict))
        return runs

    # -- helpers --------------------------------------------------------------------

    @property
    def _o(self) -> str:
        return _seg(self.org)

    def _all(self, path: str, params: dict[str, Any]) -> list[dict]:
        """Every item of a paged list, to the last page."""
        items: list[dict] = []
        for page in self.http.pages(path, params):
            items.extend(_items(page, path))
        return items

    def _owner_only(self, fetch: Callable[[], list[dict]]) -> list[dict]:
        try:
            return fetch()
        except ProviderError as error:
            if " HTTP 422" in error.message:  # "Only owners can use this filter."
                raise ProviderError(
                    f"{error.message}; it needs {OWNER_ONLY}",
                    permanent=True, service="github", permission=OWNER_ONLY,
                ) from error  # fmt: skip
            raise


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from GitHub ("2026-11-20T10:00:00Z"), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _seg(value: str) -> str:
    """One path segment, quoted (branch names may hold '/')."""
    return quote(str(value), safe="")


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProviderError("github: expected a JSON object", permanent=False, service="github")
    return body


def _items(page: Any, path: str) -> list[dict]:
    if not isinstance(page, list):
        raise ProviderError(f"github: {path} did not answer a list", permanent=False,
                            service="github")  # fmt: skip
    return [item for item in page if isinstance(item, dict)]


def _unless_404(fetch: Callable[[], Any]) -> Any:
    try:
        return fetch()
    except ProviderError as error:
        if " HTTP 404" in error.message:
            return None
        raise
