"""The Admin SDK Directory API, read only, through the shared :class:`HttpClient`.

Signing in: a service account with domain-wide delegation signs a JWT (RS256, with
``cryptography``) asserting it acts as ``admin_email`` for the read-only user scope, and
exchanges it at the key's token URI for an access token — through the same kind of
client, so tests replay the exchange like any other call. Google answers an exhausted
quota with 403 ``rateLimitExceeded`` as often as with 429; :class:`QuotaAs429` turns the
former into the latter so the shared client waits and retries instead of reporting a
missing permission.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from zgovern.integrations.base import ProviderError
from zgovern.integrations.google_workspace.schemas import (
    GoogleConfig,
    GoogleCredentials,
    ServiceAccountKey,
)
from zgovern.integrations.http import HttpClient

API = "https://admin.googleapis.com"
USERS_PATH = "/admin/directory/v1/users"
SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
PAGE_SIZE = 500  # the most users.list returns per page
ASSERTION_SECONDS = 3600  # the longest lifetime Google accepts
# Only what the checks and the identity graph read, to keep each page small.
USER_FIELDS = (
    "nextPageToken,users(id,primaryEmail,name/fullName,isAdmin,isDelegatedAdmin,suspended,"
    "suspensionReason,archived,isEnrolledIn2Sv,isEnforcedIn2Sv,lastLoginTime,creationTime,"
    "orgUnitPath)"
)
KEPT_HEADERS = frozenset({"retry-after", "content-type", "date"})
QUOTA_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})


@dataclass(frozen=True)
class HttpOptions:
    """How the provider reaches Google: tests replay recorded answers through
    ``transport``, record the waits through ``sleep`` and fix the clock through ``clock``."""

    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)
    clock: Callable[[], float] = field(default=time.time)


class QuotaAs429(httpx.BaseTransport):
    """Passes every call to ``inner``; a 403 whose reason is an exhausted quota comes back
    as a 429, which the shared client retries."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code != 403:
            return response
        response.read()
        if _reasons(response) & QUOTA_REASONS:
            # The body is already decoded: keep only the headers that still describe it.
            kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
            return httpx.Response(429, headers=kept, content=response.content)
        return response

    def close(self) -> None:
        self.inner.close()


def _reasons(response: httpx.Response) -> set[str]:
    try:
        errors = response.json()["error"]["errors"]
        return {str(e.get("reason")) for e in errors if isinstance(e, dict)}
    except (ValueError, KeyError, TypeError):
        return set()


class GoogleClient:
    def __init__(
        self, config: GoogleConfig, credentials: GoogleCredentials, options: HttpOptions
    ) -> None:
        self.config = config
        self.key = credentials.key()
        self.options = options
        transport = QuotaAs429(options.transport or httpx.HTTPTransport())
        common = {"service": "users", "transport": transport, "sleep": options.sleep}
        self.auth = HttpClient(base_url=self.key.token_uri, scopes={"/": SCOPE}, **common)
        self.http = HttpClient(base_url=API, scopes={USERS_PATH: SCOPE}, **common)

    @property
    def calls(self) -> int:
        return self.auth.calls + self.http.calls

    def close(self) -> None:
        self.auth.close()
        self.http.close()

    def sign_in(self) -> None:
        """Get an access token for ``admin_email``; a refusal names the delegation needed."""
        assertion = signed_assertion(self.key, self.config.admin_email, self.options.clock())
        grant = {
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": assertion,
        }
        try:
            body = self.auth.request("POST", self.key.token_uri, data=grant).json()
            token = body["access_token"]
        except ProviderError as error:
            raise ProviderError(
                f"google: the service account {self.key.client_email} could not act as "
                f"{self.config.admin_email} ({error.message}); in the Admin console, give its "
                f"client ID {self.key.client_id or '?'} domain-wide delegation of {SCOPE}, "
                "and check the address is an administrator's",
                permanent=error.permanent, service="users",
                permission=SCOPE if error.permanent else None,
            ) from None  # fmt: skip
        except (ValueError, KeyError, TypeError):
            raise ProviderError(
                "google: the token endpoint answered without an access token",
                permanent=False, service="users",
            ) from None  # fmt: skip
        self.http.client().headers["Authorization"] = f"Bearer {token}"

    def users(self, max_results: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every user of the customer (suspended and archived included), page by page."""
        params = {
            "customer": self.config.customer_id, "maxResults": max_results,
            "projection": "basic", "orderBy": "email", "fields": USER_FIELDS,
        }  # fmt: skip
        for page in self.http.pages(USERS_PATH, params, cursor=_next_page):
            users = page.get("users") if isinstance(page, dict) else None
            if isinstance(users, list):
                yield from (user for user in users if isinstance(user, dict))


def _next_page(body: Any) -> dict[str, str] | None:
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return {"pageToken": token} if isinstance(token, str) and token else None


def signed_assertion(key: ServiceAccountKey, subject: str, now: float) -> str:
    """The JWT a service account presents for an access token acting as ``subject``."""
    header = {"alg": "RS256", "typ": "JWT", "kid": key.private_key_id}
    issued = int(now)
    claims = {
        "iss": key.client_email, "sub": subject, "scope": SCOPE, "aud": key.token_uri,
        "iat": issued, "exp": issued + ASSERTION_SECONDS,
    }  # fmt: skip
    signing_input = f"{_b64(header)}.{_b64(claims)}".encode()
    signature = key.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode()}.{_b64url(signature)}"


def _b64(data: dict[str, Any]) -> str:
    return _b64url(json.dumps(data, separators=(",", ":")).encode())


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
