"""What an Okta integration is configured with: the organisation's URL (config) and an
API token (credentials, stored encrypted). Unknown fields are refused."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
HOST_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-")


def https_origin(value: str, example: str) -> str:
    """``value`` as ``https://host`` (a trailing slash dropped); ``ValueError`` naming the
    problem for anything else (another scheme, a path, a port, credentials, a query)."""
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        raise ValueError(f"use the https address of your organisation, such as {example}")
    if parts.path or parts.query or parts.fragment or parts.username or parts.port:
        raise ValueError(f"give only the address, such as {example}, without a path or port")
    if "." not in host or not set(host) <= HOST_CHARS:
        raise ValueError(f"{host!r} is not a host name")
    return f"https://{host}"


class OktaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_url: str = Field(
        max_length=300, description="Your Okta organisation, e.g. https://acme.okta.com"
    )
    inactive_days: int = Field(
        default=90, ge=7, le=3650,
        description="Active users not signed in for this many days should be suspended",
    )  # fmt: skip

    @field_validator("org_url")
    @classmethod
    def _org_url(cls, value: str) -> str:
        return https_origin(value, "https://acme.okta.com")


class OktaCredentials(BaseModel):
    """An Okta API token (SSWS) of a read-only administrator. Never shown in a repr."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    api_token: SecretStr = Field(min_length=20, max_length=200, repr=False)

    @field_validator("api_token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        if not TOKEN.match(value.get_secret_value()):
            raise ValueError("an Okta API token has only letters, digits, '-' and '_'")
        return value
