"""The demo vendors: what they show, and that loading twice changes nothing."""

from __future__ import annotations

from django_scopes import scopes_disabled

from zgovern.core import demo
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope
from zgovern.vendors import queries
from zgovern.vendors.tests.conftest import actions, counts


def test_demo_is_idempotent_and_shows_the_flags(org_a, alice):
    demo.populate(org_a, {Role.OWNER: alice})
    first, logged = counts(org_a), actions(org_a)
    demo.populate(org_a, {Role.OWNER: alice})
    # other apps' demos may log on a second run; ours adds no row and no log entry
    assert {k: v for k, v in counts(org_a).items() if k != "log"} == {
        k: v for k, v in first.items() if k != "log"
    }
    assert actions(org_a) == logged
    assert first["vendors"] == 6
    with organization_scope(org_a):
        flags = {v.name: f for v, f in queries.flagged(org_a)}
    assert "assessment_stale" in flags["Okta"]
    assert "soc2_expired" in flags["GitHub"]
    assert "Amazon Web Services" not in flags
    with scopes_disabled():
        gusto = org_a.vendors_vendor_set.get(name="Gusto")
        assert gusto.assessments.get().status == "sent"
