"""A Google Workspace customer replayed from the recorded answers in ``recorded/``
(shaped as the Directory API and Google's token endpoint document them).

The service account's key is made once per test session (a real RSA key, so the client's
signature is verified here exactly as Google would); the token endpoint answers only a
correctly signed assertion for the right subject and scope, and the users listing only
that token. Tests add faults with ``queue`` (answer a path with given responses first)
and ``deny`` (answer it with an error for good).
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict, deque
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from zgovern.integrations.google_workspace.client import SCOPE, HttpOptions

RECORDED = Path(__file__).with_name("recorded")
ADMIN = "admin@acme.example"
CONFIG = {"admin_email": ADMIN, "customer_id": "C03az79cb"}
CLIENT_EMAIL = "zgovern-reader@acme-security.iam.gserviceaccount.com"
NOW = 1_795_000_000.0
TOKEN = "ya29.c.c0ASRK0GZtestonlyreplayedtokenvalueAbCdEfGhIjKlMnOpQrStUvWxYz"


@lru_cache(maxsize=1)
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_file(**overrides: Any) -> str:
    """A service account key file as the Cloud console downloads it."""
    pem = (
        private_key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    data = {
        "type": "service_account",
        "project_id": "acme-security",
        "private_key_id": "1f2e3d4c5b6a79880123456789abcdef01234567",
        "private_key": pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "113344556677889900112",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/zgovern-reader",
        "universe_domain": "googleapis.com",
    }
    data.update(overrides)
    return json.dumps(data, indent=2)


def credentials() -> dict[str, str]:
    return {"service_account_key": key_file()}


def recorded(name: str) -> httpx.Response:
    return httpx.Response(200, content=(RECORDED / name).read_bytes(), headers={
        "Content-Type": "application/json; charset=UTF-8",
    })  # fmt: skip


def error(name: str, status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    body = (RECORDED / name).read_bytes()
    return httpx.Response(status, content=body, headers={
        "Content-Type": "application/json; charset=UTF-8", **(headers or {}),
    })  # fmt: skip


class GoogleWorld:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []
        self.queued: dict[str, deque[httpx.Response]] = defaultdict(deque)
        self.denied: dict[str, httpx.Response] = {}
        self.claims: list[dict[str, Any]] = []

    def queue(self, path: str, *responses: httpx.Response) -> None:
        self.queued[path].extend(responses)

    def deny(self, path: str, response: httpx.Response) -> None:
        self.denied[path] = response

    def options(self) -> HttpOptions:
        return HttpOptions(
            transport=httpx.MockTransport(self.handle), sleep=self.waits.append, clock=lambda: NOW
        )

    def calls(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path == path)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if self.queued.get(path):
            return self.queued[path].popleft()
        if path in self.denied:
            return self.denied[path]
        if request.url.host == "oauth2.googleapis.com" and path == "/token":
            return self._token(request)
        if request.url.host == "admin.googleapis.com" and path == "/admin/directory/v1/users":
            return self._users(request)
        return httpx.Response(404, json={"error": {"code": 404, "message": "Not Found"}})

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        claims = verified_claims(form["assertion"])
        self.claims.append(claims)
        assert (claims["iss"], claims["sub"], claims["scope"]) == (CLIENT_EMAIL, ADMIN, SCOPE)
        assert claims["aud"] == "https://oauth2.googleapis.com/token"
        assert claims["exp"] - claims["iat"] == 3600 and claims["iat"] == int(NOW)
        return recorded("token.json")

    def _users(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        params = request.url.params
        assert params["customer"] == CONFIG["customer_id"] and "isEnrolledIn2Sv" in params["fields"]
        if params.get("pageToken") == "Q0FFU0FCZ0FJQUE9":
            return recorded("users_2.json")
        return recorded("users_1.json")


def verified_claims(assertion: str) -> dict[str, Any]:
    """The claims of a JWT after checking its RS256 signature with the key's public half."""
    header, claims, signature = assertion.split(".")
    private_key().public_key().verify(
        _unb64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    assert json.loads(_unb64(header)) == {
        "alg": "RS256",
        "typ": "JWT",
        "kid": "1f2e3d4c5b6a79880123456789abcdef01234567",
    }
    return json.loads(_unb64(claims))


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
