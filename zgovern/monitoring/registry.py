"""The check registry: every registered provider's checks, by id.

Providers come from :mod:`zgovern.integrations.registry` (the one explicit list); each
provider's ``checks.yaml`` is loaded and validated against its evaluators on first use and
kept for the life of the process (:func:`clear` forgets it, for tests that register a
provider of their own).
"""

from __future__ import annotations

from zgovern.integrations import registry as providers
from zgovern.integrations.base import Evaluator, Provider
from zgovern.monitoring.checkspec import CheckSpec, load_checks

# provider key -> (the provider object the specs were loaded for, its checks)
_loaded: dict[str, tuple[Provider, tuple[CheckSpec, ...]]] = {}


def provider_checks(provider: Provider) -> tuple[CheckSpec, ...]:
    """``provider``'s checks in file order; raises ``LibraryError`` when its file is bad."""
    cached = _loaded.get(provider.key)
    if cached is not None and cached[0] is provider:
        return cached[1]
    specs = load_checks(provider)
    _loaded[provider.key] = (provider, specs)
    return specs


def all_checks() -> dict[str, CheckSpec]:
    """Every registered check by id, providers in registry order."""
    return {
        spec.id: spec
        for provider in providers.all_providers()
        for spec in provider_checks(provider)
    }


def get(check_id: str) -> CheckSpec | None:
    return all_checks().get(check_id)


def evaluator(provider: Provider, check_id: str) -> Evaluator:
    return provider.evaluators()[check_id]


def clear() -> None:
    _loaded.clear()
