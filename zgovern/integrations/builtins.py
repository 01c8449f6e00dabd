"""The built-in check providers: checks over zGovern's own records (accounts and people,
training, policies, access reviews, vendors, risks, incidents) rather than an outside API.

Each owning module offers an ``ensure_…`` service that creates its integration once and
attaches its checks to the organisation's controls; this list runs them together, so an
organisation turns all of them on with one action. Named by dotted path so that this
module, upstream of the records modules, imports none of them.
"""

from __future__ import annotations

from importlib import import_module

from zgovern.core.actor import Actor
from zgovern.tenancy.scoping import organization_scope

SETUP: tuple[str, ...] = (
    "zgovern.identity.services:ensure_workforce_integration",
    "zgovern.training.services:ensure_training_checks",
    "zgovern.policies.services:ensure_policy_checks",
    "zgovern.integrations.records.services:ensure_records_checks",
)


def ensure_all(org, actor: Actor) -> None:
    """Create every built-in integration the organisation lacks (a second call changes
    nothing)."""
    with organization_scope(org):
        for dotted in SETUP:
            module, _, function = dotted.partition(":")
            getattr(import_module(module), function)(org, actor)
