"""Fixtures for the AWS provider tests: moto runs in-process, and nothing can reach AWS."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _aws_environment():
    """moto without its 1,300 default AMI snapshots; fake credentials in the environment so
    no test can ever use real ones."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.delenv("AWS_PROFILE", raising=False)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        yield
