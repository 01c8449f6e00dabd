"""The bundle's populations-and-samples section, and the demo."""

from __future__ import annotations

import io
import json
import random
import zipfile

from django_scopes import scopes_disabled

from zgovern.audits import builder
from zgovern.core import demo
from zgovern.fieldwork import services
from zgovern.fieldwork.models import AuditorGrant, Comment, Sample
from zgovern.fieldwork.tests.conftest import SYSTEM
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope

SECTION = (("populations", "Populations and samples", "zgovern.fieldwork.bundle:write"),)


def test_bundle_holds_every_population_and_sample(audit_org, audit, records):
    org = audit_org
    with organization_scope(org):
        sample = services.create_sample(
            org, SYSTEM, audit.pk, population="new_hires", size=2, seed=11
        )
        target = io.BytesIO()
        builder.build(org, audit, target, sections=SECTION)
    archive = zipfile.ZipFile(target)
    names = set(archive.namelist())
    for kind in (
        "new_hires",
        "terminations",
        "changes",
        "incidents",
        "access_changes",
        "vendor_reviews",
    ):
        assert {f"populations/{kind}.csv", f"populations/{kind}.xlsx"} <= names
    drawn = json.loads(archive.read(f"populations/samples/sample-{sample.pk}.json"))
    assert drawn["seed"] == 11
    redrawn = random.Random(drawn["seed"]).sample(drawn["population_keys"], drawn["size"])
    assert redrawn == drawn["chosen_keys"]
    rows = archive.read("populations/samples.csv").decode("utf-8-sig").splitlines()
    assert len(rows) == 3 and "Hana Hire" in "".join(rows) and "background check" in rows[1]


def test_demo_samples_hires_and_changes_once(alice, bob, org_a):
    users = {Role.OWNER: alice, Role.AUDITOR: bob}
    demo.populate(org_a, users)
    demo.populate(org_a, users)
    with scopes_disabled():
        samples = Sample.objects.filter(organization=org_a)
        assert sorted(samples.values_list("population", flat=True)) == ["changes", "new_hires"]
        assert all(s.seed is not None and s.chosen_keys for s in samples)
        grants = AuditorGrant.objects.filter(organization=org_a)
        assert [g.email for g in grants] == ["dana@audit-firm.example"]
        assert Comment.objects.filter(organization=org_a).count() == 1
