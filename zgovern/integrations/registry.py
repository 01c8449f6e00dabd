"""The one explicit list of providers. A provider not listed here does not exist."""

from __future__ import annotations

from zgovern.integrations.base import Provider

_PROVIDERS: dict[str, Provider] = {}


def _load() -> dict[str, Provider]:
    if not _PROVIDERS:
        from zgovern.integrations.aws.provider import PROVIDER as aws
        from zgovern.integrations.github.provider import PROVIDER as github
        from zgovern.integrations.google_workspace.provider import PROVIDER as google_workspace
        from zgovern.integrations.hr.provider import PROVIDER as hr
        from zgovern.integrations.okta.provider import PROVIDER as okta
        from zgovern.integrations.policy_program.provider import PROVIDER as policy_program
        from zgovern.integrations.records.provider import PROVIDER as records
        from zgovern.integrations.training_program.provider import PROVIDER as training_program
        from zgovern.integrations.workforce.provider import PROVIDER as workforce

        for provider in (aws, github, okta, google_workspace, hr, workforce, training_program):
            _PROVIDERS[provider.key] = provider
        _PROVIDERS[policy_program.key] = policy_program
        _PROVIDERS[records.key] = records
    return _PROVIDERS


def get(key: str) -> Provider:
    providers = _load()
    if key not in providers:
        raise KeyError(f"unknown provider {key!r}; known: {', '.join(sorted(providers))}")
    return providers[key]


def all_providers() -> list[Provider]:
    return list(_load().values())
