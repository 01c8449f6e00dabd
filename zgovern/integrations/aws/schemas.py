"""What an AWS integration is configured with: regions and member accounts (config), and
an access key (credentials, stored encrypted). Unknown fields are refused."""

from __future__ import annotations

import re
from functools import lru_cache

import boto3
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ROLE_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region botocore knows, in every partition (commercial, China, GovCloud, …)."""
    session = boto3.session.Session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        for service in ("ec2", "sts"):
            regions.update(session.get_available_regions(service, partition_name=partition))
    return frozenset(regions)


class MemberAccount(BaseModel):
    """A member account scanned through ``sts:AssumeRole``."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=r"^\d{12}$", description="12-digit AWS account id")
    role_arn: str = Field(max_length=2048, description="Role to assume in the account")
    external_id: str | None = Field(
        default=None, min_length=2, max_length=1224, pattern=r"^[\w+=,.@:/-]+$"
    )

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, value: str) -> str:
        if not ROLE_ARN.match(value):
            raise ValueError(
                f"{value!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/Name)"
            )
        return value

    @model_validator(mode="after")
    def _same_account(self) -> MemberAccount:
        match = ROLE_ARN.match(self.role_arn)
        if match and match.group(1) != self.account_id:
            raise ValueError(f"role_arn belongs to account {match.group(1)}, not {self.account_id}")
        return self


class AwsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[str] = Field(
        min_length=1, max_length=64, description="Regions to scan; the first is the home region"
    )
    accounts: list[MemberAccount] = Field(default_factory=list, max_length=500)
    include_own_account: bool = Field(
        default=True, description="Also scan the account the access key belongs to"
    )

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        known = known_regions()
        unknown = [r for r in value if r not in known]
        if unknown:
            raise ValueError(f"unknown AWS region {', '.join(map(repr, unknown))}")
        if len(set(value)) != len(value):
            raise ValueError("a region is listed twice")
        return value

    @model_validator(mode="after")
    def _something_to_scan(self) -> AwsConfig:
        ids = [a.account_id for a in self.accounts]
        if len(set(ids)) != len(ids):
            raise ValueError("an account is listed twice")
        if not self.include_own_account and not self.accounts:
            raise ValueError("nothing to scan: add a member account or include your own")
        return self


class AwsCredentials(BaseModel):
    """An IAM access key. Values never appear in a repr (logs, tracebacks)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    access_key_id: str = Field(pattern=r"^[A-Z0-9]{16,128}$", repr=False)
    secret_access_key: str = Field(min_length=16, max_length=256, repr=False)
    session_token: str | None = Field(default=None, min_length=16, max_length=4096, repr=False)
