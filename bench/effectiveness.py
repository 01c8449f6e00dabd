"""Benchmark operating-effectiveness summaries at scale.

    .venv/bin/python bench/effectiveness.py           # 100 controls, 10,000 resources,
                                                      # a year of 6-hourly runs and history
    .venv/bin/python bench/effectiveness.py --small   # 20 controls, 1,000 resources

Builds one organisation (bulk_create): 100 controls each naming 2 of 20 aws checks, 10,000
resources spread over the checks, each with a year of status intervals flipping between
pass and fail every 20-40 days, a successful run every 6 hours for the year, and a
quarterly evidence requirement with evidence on half the controls. Then times the summaries
of all controls over the year (:func:`zgovern.effectiveness.loader.timelines`) and the Type 2
readiness (:func:`zgovern.effectiveness.type2.assess`), the median of 3 runs each, with
their SQL query counts.

It never touches ./var: ZG_VAR_DIR points at a temporary directory, and SQLite runs on a
fresh file there.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS = [f"aws.bench.check_{n:02d}" for n in range(20)]
END = date(2026, 10, 31)
START = END - timedelta(days=364)
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(controls: int, resources: int):
    from zgovern.accounts.models import User
    from zgovern.controls.models import Control, ControlCheck, ControlEvidence, EvidenceRequirement
    from zgovern.core.actor import Actor
    from zgovern.evidence.models import EvidenceItem
    from zgovern.integrations.models import Integration
    from zgovern.monitoring.models import CheckInterval, CheckRun, Resource
    from zgovern.tenancy.services import create_organization

    rng = random.Random(9)
    owner = User.objects.create_user("owner@bench.example", "bench-password-123")
    org = create_organization("Bench", owner, Actor.system("bench"))
    made = Control.objects.bulk_create(
        Control(organization=org, key=f"bench-{n:03d}", name=f"Bench {n}") for n in range(controls)
    )
    ControlCheck.objects.bulk_create(
        ControlCheck(organization=org, control=c, check_id=CHECKS[(i + k) % 20])
        for i, c in enumerate(made)
        for k in (0, 7)
    )
    requirements = [c for i, c in enumerate(made) if i % 2 == 0]
    EvidenceRequirement.objects.bulk_create(
        EvidenceRequirement(organization=org, control=c, kind="review", description="Review",
                            freshness_days=91)
        for c in requirements
    )  # fmt: skip
    begin = datetime(START.year, START.month, START.day, tzinfo=UTC)
    items = EvidenceItem.objects.bulk_create(
        EvidenceItem(organization=org, kind="review", title=f"Review {q}", source="record",
                     sha256="0" * 64, record={}, collected_at=begin + timedelta(days=91 * q + 30))
        for q in range(4)
    )  # fmt: skip
    ControlEvidence.objects.bulk_create(
        ControlEvidence(organization=org, control=c, evidence=item)
        for c in requirements[::2]
        for item in items
    )
    integration = Integration.objects.create(organization=org, provider="aws", name="AWS")
    CheckRun.objects.bulk_create(
        (
            CheckRun(organization=org, integration=integration, provider="aws",
                     trigger="schedule", started_by="schedule", started_at=moment,
                     finished_at=moment, status="succeeded", checks=[])
            for moment in (begin + timedelta(hours=6 * n) for n in range(4 * 366))
        ),
        batch_size=2000,
    )  # fmt: skip
    rows = Resource.objects.bulk_create(
        (
            Resource(organization=org, provider="aws", resource_type="aws.bench.thing",
                     external_id=f"r{n}", name=f"r{n}")
            for n in range(resources)
        ),
        batch_size=5000,
    )  # fmt: skip
    intervals = []
    for n, resource in enumerate(rows):
        moment, status = begin, "pass"
        while moment < NOW:
            nxt = moment + timedelta(days=rng.randint(20, 40), hours=rng.randint(0, 23))
            ended = nxt if nxt < NOW else None
            intervals.append(
                CheckInterval(organization=org, check_id=CHECKS[n % 20], resource=resource,
                              status=status, started_at=moment, ended_at=ended,
                              confirmed_at=ended or moment)
            )  # fmt: skip
            moment, status = nxt, ("fail" if status == "pass" and rng.random() < 0.1 else "pass")
    CheckInterval.objects.bulk_create(intervals, batch_size=5000)
    return org, made, len(intervals)


def timed(func, repeat: int = 3) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            func()
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    controls, resources = (20, 1_000) if args.small else (100, 10_000)
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        from zgovern.effectiveness import loader, type2
        from zgovern.tenancy.scoping import organization_scope

        started = time.perf_counter()
        org, made, count = build(controls, resources)
        print(f"built {controls} controls, {resources:,} resources, {count:,} intervals "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        with organization_scope(org):
            lines = loader.timelines(org, made, START, END, NOW)
            seconds, queries = timed(lambda: loader.timelines(org, made, START, END, NOW))
            kinds = {}
            for line in lines.values():
                kinds[line.summary] = kinds.get(line.summary, 0) + 1
            print(f"summaries of {controls} controls over {START}..{END}: "
                  f"{seconds * 1000:.0f} ms, {queries} queries; {kinds}")  # fmt: skip
            seconds, queries = timed(lambda: type2.assess(org, now=NOW))
            print(f"type 2 readiness: {seconds * 1000:.0f} ms, {queries} queries")


if __name__ == "__main__":
    main()
