"""What a BambooHR integration is configured with: the company's BambooHR subdomain
(config) and an API key (credentials, stored encrypted). Unknown fields are refused."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

KEY = re.compile(r"^[A-Za-z0-9]{16,128}$")


class BambooConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_domain: str = Field(
        max_length=63, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
        description="Your BambooHR subdomain: acme for https://acme.bamboohr.com",
    )  # fmt: skip

    @field_validator("company_domain", mode="before")
    @classmethod
    def _domain(cls, value: object) -> object:
        """Accept the whole address people copy from the browser."""
        if isinstance(value, str):
            text = value.strip().lower().removeprefix("https://").removeprefix("http://")
            return text.split("/", 1)[0].removesuffix(".bamboohr.com")
        return value


class BambooCredentials(BaseModel):
    """A BambooHR API key; its user must be allowed to see job and employment fields."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    api_key: SecretStr = Field(min_length=16, max_length=128, repr=False)

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        if not KEY.match(value.get_secret_value()):
            raise ValueError("a BambooHR API key has only letters and digits")
        return value
