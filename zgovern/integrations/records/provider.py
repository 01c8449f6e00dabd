"""The built-in records provider: checks over the records people keep in zGovern (vendors
and their assessments, the risk register and assessments, incidents, access-review
campaigns, the identity graph and the roster), so their flags reach the controls.

It calls no outside API: the runner calls ``collect_org`` in its own thread, inside the
organisation's scope (``in_process``). No configuration, no credentials;
:func:`zgovern.integrations.records.services.ensure_records_checks` adds it once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zgovern.integrations.base import BuiltInProvider
from zgovern.integrations.records import checks, collect

COLLECTORS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "vendors": collect.collect_vendors,
    "vendor_inventory": collect.collect_vendor_inventory,
    "risk_assessments": collect.collect_risk_assessments,
    "risks": collect.collect_risks,
    "reviews": collect.collect_reviews,
    "incidents": collect.collect_incidents,
    "accounts": collect.collect_accounts,
    "people": collect.collect_people,
}

PROVIDER = BuiltInProvider(
    "records", "Records (built in)", "Reads zGovern's own records", checks, lambda: COLLECTORS
)
