"""The built-in policy programme provider: checks over the policy library, the roster and
the acknowledgements. It calls no outside API: the runner calls ``collect_org`` in its own
thread, inside the organisation's scope (``in_process``). No configuration, no
credentials; :func:`zgovern.policies.services.ensure_policy_checks` adds it once.
"""

from __future__ import annotations

from zgovern.integrations.base import BuiltInProvider
from zgovern.integrations.policy_program import checks


def _collectors() -> dict:
    # Imported late: the policies app reads the roster and must not load at import time.
    from zgovern.policies import checkdata

    return {"policies": checkdata.policy_rows, "acknowledgements": checkdata.acknowledgement_rows}


PROVIDER = BuiltInProvider(
    "policy_program", "Policy programme (built in)", "Reads zGovern's policy library", checks,
    _collectors,
)  # fmt: skip
