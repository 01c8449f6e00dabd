"""The ten finding categories, in the order an auditor's report lists them."""

from __future__ import annotations

from types import ModuleType

from zgovern.findings.scan import (
    access_reviews,
    background_checks,
    changes,
    encryption,
    incidents,
    mfa,
    offboarding,
    policies,
    training,
    vendors,
)

REGISTRY: tuple[ModuleType, ...] = (
    mfa,
    access_reviews,
    policies,
    vendors,
    changes,
    incidents,
    training,
    encryption,
    background_checks,
    offboarding,
)
BY_CATEGORY: dict[str, ModuleType] = {m.CATEGORY: m for m in REGISTRY}
