"""What a GitHub integration is configured with: the organisation and, for GitHub
Enterprise Server, the API base URL (config), and a token (credentials, stored encrypted).
Unknown fields are refused."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_API_URL = "https://api.github.com"
# GitHub logins: letters, digits and single hyphens, not at either end, up to 39 characters.
LOGIN = r"^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$"


class GithubConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization: str = Field(
        pattern=LOGIN, max_length=39, description="The organisation's login, e.g. acme"
    )
    api_url: str = Field(
        default=DEFAULT_API_URL,
        max_length=300,
        description="REST API base URL; for GitHub Enterprise Server https://HOST/api/v3",
    )
    change_window_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="Pull requests merged within this many days are checked and recorded",
    )
    check_statuses: bool = Field(
        default=True,
        description="Look up the commit statuses and check runs of each merge commit",
    )

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("must be an https:// URL, e.g. https://github.example.com/api/v3")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("must not carry a query, a fragment or credentials")
        return value.strip().rstrip("/")


class GithubCredentials(BaseModel):
    """A personal access token (classic or fine-grained) or a GitHub App installation
    token. The value never appears in a repr (logs, tracebacks)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    token: str = Field(min_length=20, max_length=400, pattern=r"^[A-Za-z0-9_.-]+$", repr=False)
