"""The demo policies (idempotent) and the export command."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from zgovern.core import demo
from zgovern.policies import queries
from zgovern.policies.models import Acknowledgement, Policy, PolicyVersion
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope

pytestmark = pytest.mark.django_db


def _counts(org):
    with scopes_disabled():
        return (
            Policy.objects.filter(organization=org).count(),
            PolicyVersion.objects.filter(organization=org).count(),
            Acknowledgement.objects.filter(organization=org).count(),
            ActivityLog.objects.filter(organization=org, action__startswith="policy.").count(),
        )


def test_the_demo_publishes_drafts_and_flags_and_is_idempotent(org_a, alice):
    demo.populate(org_a, {Role.OWNER: alice})
    first = _counts(org_a)
    demo.populate(org_a, {Role.OWNER: alice})
    assert _counts(org_a) == first
    with organization_scope(org_a):
        states = {p.key: p.current_version() for p in Policy.objects.all()}
        assert states["encryption"] is None
        overdue = Policy.objects.get(key="access-control")
        assert overdue.review_task is not None
        full = queries.matrix(org_a)
    conduct = next(r for r in full.rates if r.published.policy.key == "code-of-conduct")
    assert 0 < conduct.done < conduct.audience and conduct.exceptions


def test_export_writes_the_library_and_each_policy(org_a, alice, tmp_path: Path):
    demo.populate(org_a, {Role.OWNER: alice})
    call_command("policies", "export", org_a.slug, str(tmp_path / "out"))
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "library.pdf" in names and "acceptable-use-v1.md" in names
    assert "acceptable-use-v1.pdf" in names
    assert (tmp_path / "out" / "library.pdf").read_bytes().startswith(b"%PDF")


def test_export_of_an_unknown_organisation_fails_cleanly(db, tmp_path: Path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organisation"):
        call_command("policies", "export", "nope", str(tmp_path))
