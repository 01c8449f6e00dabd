"""The shared SaaS HTTP client against an httpx transport that answers like the real APIs."""

from __future__ import annotations

import httpx
import pytest

from zgovern.integrations.base import ProviderError
from zgovern.integrations.http import HttpClient


def client(handler, **kwargs) -> tuple[HttpClient, list[float]]:
    waits: list[float] = []
    http = HttpClient(
        base_url="https://api.example.test", service="users",
        scopes={"/api/v1/users": "okta.users.read"},
        transport=httpx.MockTransport(handler), sleep=waits.append, **kwargs,
    )  # fmt: skip
    return http, waits


def test_follows_link_header_to_the_last_page():
    def handler(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        if after is None:
            link = '<https://api.example.test/api/v1/users?after=2>; rel="next"'
            return httpx.Response(200, json=[1, 2], headers={"Link": link})
        return httpx.Response(200, json=[3])

    http, _ = client(handler)
    assert list(http.pages("/api/v1/users", {"limit": 2})) == [[1, 2], [3]]
    assert http.calls == 2


def test_follows_a_cursor_read_from_the_body():
    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("pageToken")
        return httpx.Response(
            200, json={"users": [token], "nextPageToken": "b" if not token else None}
        )

    http, _ = client(handler)
    pages = list(
        http.pages(
            "/users",
            {"max": 1},
            cursor=lambda b: b.get("nextPageToken") and {"pageToken": b["nextPageToken"]},
        )
    )
    assert [page["users"] for page in pages] == [[None], ["b"]]


def test_429_waits_as_long_as_retry_after_says_then_succeeds():
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": 1})]
    )
    http, waits = client(lambda request: next(answers))
    assert http.get_json("/api/v1/users") == {"ok": 1}
    assert waits == [7.0]


def test_github_rate_limit_403_is_retried_not_a_permission_error():
    answers = iter([
        httpx.Response(403, headers={"x-ratelimit-remaining": "0", "retry-after": "1"}),
        httpx.Response(200, json=[]),
    ])  # fmt: skip
    http, waits = client(lambda request: next(answers))
    assert http.get_json("/orgs/acme/members") == []
    assert waits == [1.0]


def test_persistent_5xx_becomes_a_transient_error_after_the_retries():
    http, waits = client(lambda request: httpx.Response(503), max_retries=2)
    with pytest.raises(ProviderError) as caught:
        http.get_json("/api/v1/users")
    assert not caught.value.permanent and len(waits) == 2
    assert "HTTP 503 after 3 attempts" in caught.value.message


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_are_permanent_and_name_the_scope(status):
    body = {"errorSummary": "Invalid token provided"}
    http, _ = client(lambda request: httpx.Response(status, json=body))
    with pytest.raises(ProviderError) as caught:
        http.get_json("/api/v1/users/00u1/factors")
    error = caught.value
    assert error.permanent and error.permission == "okta.users.read"
    assert "okta.users.read" in error.message and "Invalid token provided" in error.message


def test_a_body_that_is_not_json_is_a_transient_error_naming_the_url():
    http, _ = client(lambda request: httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(ProviderError) as caught:
        http.get_json("/api/v1/users")
    assert not caught.value.permanent and "/api/v1/users" in caught.value.message


def test_a_network_failure_is_transient():
    def handler(request):
        raise httpx.ConnectError("connection refused")

    http, _ = client(handler)
    with pytest.raises(ProviderError) as caught:
        http.get_json("/api/v1/users")
    assert not caught.value.permanent and "could not reach" in caught.value.message
