"""The built-in workforce provider: checks over the roster and the identity graph.

It calls no outside API: the runner calls ``collect_org`` in its own thread, inside the
organisation's scope (``in_process``). It needs no configuration and no credentials;
:func:`zgovern.identity.services.ensure_workforce_integration` adds it once.
"""

from __future__ import annotations

from zgovern.integrations.base import BuiltInProvider
from zgovern.integrations.workforce import checks, collect

PROVIDER = BuiltInProvider(
    "workforce", "Workforce (built in)", "Reads zGovern's roster and accounts", checks,
    lambda: {"accounts": collect.collect_accounts, "people": collect.collect_people},
)  # fmt: skip
