"""The HTTP client every SaaS provider (Okta, Google Workspace, GitHub, BambooHR) talks
through, so that they all fail and page the same way.

- **Errors carry permanence.** 401 and 403 are permanent :class:`ProviderError` s naming the
  scope the call needs; 404 is permanent; 429 and 5xx are retried (``Retry-After``
  honoured, else exponential backoff) and become a transient error when retries run out; a
  network failure is transient; a body that is not JSON is a transient error naming the
  URL, never a crash.
- **Pagination to the end.** :meth:`HttpClient.pages` follows the ``Link: rel="next"``
  header (Okta, GitHub) or a cursor the caller reads from each body (Google's
  ``nextPageToken``), yielding one page at a time so memory stays flat in the number of
  pages.
- **Tests replay recorded responses** through ``transport`` (an ``httpx`` transport), so
  the code under test is the real client, not a stand-in.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from zgovern.integrations.base import ProviderError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0  # seconds: longer waits become a transient error for the next run
MAX_PAGES = 10_000  # a provider that never stops paging is a provider error, not a hang

Cursor = Callable[[Any], Mapping[str, Any] | None]  # body -> params of the next page


@dataclass
class HttpClient:
    """One provider's HTTP session. ``service`` names the provider's service in errors;
    ``scopes`` maps a path prefix to the scope or permission it needs (for 401/403)."""

    base_url: str
    service: str
    headers: Mapping[str, str] = field(default_factory=dict)
    scopes: Mapping[str, str] = field(default_factory=dict)
    transport: httpx.BaseTransport | None = None
    timeout: float = 30.0
    max_retries: int = 4
    sleep: Callable[[float], None] = time.sleep
    calls: int = 0
    _client: httpx.Client | None = None

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.base_url, headers=dict(self.headers), timeout=self.timeout,
                transport=self.transport, follow_redirects=False,
            )  # fmt: skip
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON body of ``GET path``; :class:`ProviderError` otherwise."""
        return _json(self.request("GET", path, params=params))

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One call with retries; returns a 2xx response or raises ``ProviderError``."""
        for attempt in range(self.max_retries + 1):
            response = self._send(method, url, **kwargs)
            if not _retryable(response):
                return self._checked(response, url)
            wait = _retry_after(response, attempt)
            if attempt == self.max_retries or wait > MAX_RETRY_AFTER:
                break
            self.sleep(wait)
        raise ProviderError(
            f"{self.service}: {url} answered HTTP {response.status_code} after "
            f"{attempt + 1} attempts; the next run will try again",
            permanent=False, service=self.service,
        )  # fmt: skip

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, cursor: Cursor | None = None
    ) -> Iterator[Any]:
        """Each page's JSON body, from ``path`` to the last page: by ``Link: rel=next``
        unless ``cursor`` is given, in which case ``cursor(body)`` gives the next page's
        params (``None`` at the end)."""
        url: str | None = path
        query: Mapping[str, Any] | None = params
        for _ in range(MAX_PAGES):
            response = self.request("GET", url, params=query)
            body = _json(response)
            yield body
            if cursor is not None:
                following = cursor(body)
                if not following:
                    return
                query = {**(params or {}), **following}
            else:
                url = response.links.get("next", {}).get("url")
                query = None  # the next link carries its own query
                if not url:
                    return
        raise ProviderError(
            f"{self.service}: {path} returned more than {MAX_PAGES} pages",
            permanent=False, service=self.service,
        )  # fmt: skip

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.calls += 1
        try:
            return self.client().request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise ProviderError(
                f"{self.service}: {url} timed out ({exc})", permanent=False, service=self.service
            ) from exc
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"{self.service}: could not reach {url} ({exc})",
                permanent=False, service=self.service,
            ) from exc  # fmt: skip

    def _checked(self, response: httpx.Response, url: str) -> httpx.Response:
        status = response.status_code
        if status < 400:
            return response
        scope = self.scope_for(url)
        if status in (401, 403):
            what = "rejected the credentials" if status == 401 else "denied the request"
            needs = f"; it needs {scope}" if scope else ""
            raise ProviderError(
                f"{self.service}: {url} {what} (HTTP {status}){needs}: {_detail(response)}",
                permanent=True, service=self.service, permission=scope or None,
            )  # fmt: skip
        raise ProviderError(
            f"{self.service}: {url} answered HTTP {status}: {_detail(response)}",
            permanent=400 <= status < 500, service=self.service,
        )  # fmt: skip

    def scope_for(self, url: str) -> str:
        path = httpx.URL(url).path if "://" in url else url
        best = ""
        for prefix in self.scopes:
            if path.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return self.scopes.get(best, "")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderError(
            f"{response.request.url} did not answer JSON "
            f"({response.headers.get('content-type', 'no content type')})",
            permanent=False,
        ) from exc


def _retryable(response: httpx.Response) -> bool:
    # GitHub answers an exhausted rate limit with 403 and a zero remaining count.
    exhausted = response.headers.get("x-ratelimit-remaining") == "0"
    return response.status_code in RETRY_STATUSES or (response.status_code == 403 and exhausted)


def _retry_after(response: httpx.Response, attempt: int) -> float:
    """Seconds to wait: ``Retry-After`` (seconds or an HTTP date), else GitHub's and
    Okta's rate-limit reset headers, else exponential backoff."""
    header = response.headers.get("retry-after")
    if header:
        header = header.strip()
        if header.isdigit():
            return float(header)
        try:
            when = email.utils.parsedate_to_datetime(header)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            pass
    reset = response.headers.get("x-ratelimit-reset") or response.headers.get("x-rate-limit-reset")
    if reset and reset.isdigit() and response.status_code in (403, 429):
        return max(0.0, int(reset) - time.time())
    return float(min(2**attempt, 30))


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("errorSummary", "message", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:200]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"][:200]
    return response.reason_phrase
