"""The bundle's effectiveness section: summaries, exceptions, timelines and periodic
records of the audit's in-scope controls over its period."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

from django.utils import timezone

from zgovern.audits import builder
from zgovern.audits import services as audits
from zgovern.audits.sections import SECTIONS
from zgovern.core.actor import Actor
from zgovern.frameworks import services as frameworks
from zgovern.tenancy.scoping import organization_scope

SYSTEM = Actor.system("tests")


def _read(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_bundle_holds_the_period_timelines(org_a):
    entry = ("effectiveness", "Operating effectiveness", "zgovern.effectiveness.bundle:write")
    assert entry in SECTIONS
    with organization_scope(org_a):
        frameworks.adopt_framework(org_a, SYSTEM, frameworks.builtin("soc2"))
        frameworks.adopt_default_controls(org_a, SYSTEM)
        today = timezone.localdate()
        audit = audits.create_audit(
            org_a,
            SYSTEM,
            {
                "name": "SOC 2 Type 2",
                "framework": "soc2",
                "audit_type": "type2",
                "period_start": today - timedelta(days=90),
                "period_end": today,
            },
        )
        in_scope = builder.controls_in_scope(org_a, audit)
        target = io.BytesIO()
        builder.build(org_a, audit, target, sections=(entry,))
    with zipfile.ZipFile(target) as archive:
        summaries = _read(archive, "effectiveness/control-summaries.csv")
        windows = _read(archive, "effectiveness/periodic-records.csv")
        assert "effectiveness/timelines.csv" in archive.namelist()
        assert "effectiveness/exceptions.csv" in archive.namelist()
    assert [row["control"] for row in summaries] == [c.key for c in in_scope]
    reviews = next(r for r in summaries if r["control"] == "access-reviews-quarterly")
    # No campaign in the period: the ended quarter is missing, so not operating.
    assert reviews["summary"] == "Not operating"
    assert {row["record"] for row in windows} >= {"access-review"}
