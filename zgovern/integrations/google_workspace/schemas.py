"""What a Google Workspace integration is configured with: the administrator the service
account acts as and the customer (config), and the service account's JSON key
(credentials, stored encrypted). Unknown fields are refused; the key is checked whole
(its type, its addresses and that its private key loads) before it is stored."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
# Where a key may send its signed assertion: Google's token endpoints only.
TOKEN_HOSTS = frozenset({"oauth2.googleapis.com", "accounts.google.com"})
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"


class GoogleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    admin_email: str = Field(
        max_length=254,
        description="An administrator the service account acts as (domain-wide delegation)",
    )
    customer_id: str = Field(
        default="my_customer", max_length=40, pattern=r"^(my_customer|C[0-9A-Za-z]{4,20})$",
        description="Your customer ID (Admin console > Account settings), or my_customer",
    )  # fmt: skip

    @field_validator("admin_email")
    @classmethod
    def _admin_email(cls, value: str) -> str:
        value = value.strip().lower()
        if not EMAIL.match(value):
            raise ValueError("enter the email address of a Google Workspace administrator")
        return value


@dataclass(frozen=True)
class ServiceAccountKey:
    client_email: str
    client_id: str
    private_key_id: str
    private_key: rsa.RSAPrivateKey
    token_uri: str


class GoogleCredentials(BaseModel):
    """The JSON key file of a service account with domain-wide delegation."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    service_account_key: SecretStr = Field(
        min_length=100, max_length=10_000, repr=False,
        description="The service account's JSON key file, pasted whole",
    )  # fmt: skip

    @field_validator("service_account_key")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        parse_key(value.get_secret_value())
        return value

    def key(self) -> ServiceAccountKey:
        # Validated whole when the credentials were read: skip the slow RSA consistency check.
        return parse_key(self.service_account_key.get_secret_value(), check_rsa=False)


def parse_key(text: str, *, check_rsa: bool = True) -> ServiceAccountKey:
    """The key file's parts; ``ValueError`` saying what is wrong (never quoting the key)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError("not a JSON key file: paste the whole file") from None
    if not isinstance(data, dict) or data.get("type") != "service_account":
        raise ValueError('not a service account key file (its "type" must be service_account)')
    email = data.get("client_email")
    if not isinstance(email, str) or not EMAIL.match(email):
        raise ValueError('the key file has no valid "client_email"')
    token_uri = str(data.get("token_uri") or DEFAULT_TOKEN_URI)
    parts = urlsplit(token_uri)
    if parts.scheme != "https" or parts.hostname not in TOKEN_HOSTS:
        raise ValueError(f'"token_uri" must be Google\'s (such as {DEFAULT_TOKEN_URI})')
    return ServiceAccountKey(
        client_email=email,
        client_id=str(data.get("client_id") or ""),
        private_key_id=str(data.get("private_key_id") or ""),
        private_key=_private_key(data.get("private_key"), check_rsa),
        token_uri=token_uri,
    )


def _private_key(pem: object, check_rsa: bool) -> rsa.RSAPrivateKey:
    if not isinstance(pem, str) or "PRIVATE KEY" not in pem:
        raise ValueError('the key file has no "private_key"')
    try:
        key = serialization.load_pem_private_key(
            pem.encode(), password=None, unsafe_skip_rsa_key_validation=not check_rsa
        )
    except (ValueError, TypeError):
        raise ValueError('the "private_key" of the key file cannot be read') from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError('the "private_key" of the key file is not an RSA key')
    return key
