"""The demo change records: a handful, one unapproved and one self-approved, loaded once."""

from __future__ import annotations

from django_scopes import scopes_disabled

from zgovern.changes import demo
from zgovern.changes.models import ChangeRecord
from zgovern.changes.tests.conftest import actions
from zgovern.core.demo import DemoContext
from zgovern.tenancy.scoping import organization_scope


def test_demo_records_are_loaded_once(org_a):
    context = DemoContext(organization=org_a)
    with organization_scope(org_a):
        demo.load(context)
        demo.load(context)
    with scopes_disabled():
        rows = list(ChangeRecord.objects.filter(organization=org_a))
    assert len(rows) == len(demo.CHANGES)
    reasons = {row.flagged_reason for row in rows if not row.approved}
    assert reasons == {"merged without an approving review",
                       "approved only by its author (adam-acme)"}  # fmt: skip
    assert actions(org_a).count("change.recorded") == len(demo.CHANGES)
