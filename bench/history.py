"""Benchmark the continuous record: a year of 6-hourly runs kept as status intervals.

    .venv/bin/python bench/history.py            # 10,000 resources, 365 days, 4 runs a day
    .venv/bin/python bench/history.py --small    # 1,000 resources, 90 days
    ZG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zgovern \
        .venv/bin/python bench/history.py        # on PostgreSQL (a fresh test database)

Every run observes every resource under one check through the real recorder
(:func:`zgovern.monitoring.recorder.record`, the code a check run uses), with 1% of the
resources changing status each day. It prints the rows stored against the rows one row
per run and resource would need, the recorder's time per run, and the time of the two
questions an audit asks: a resource's status at a moment, and how long the check was
failing during a period.

It never touches ./var: ZG_VAR_DIR points at a temporary directory, and SQLite runs on a
fresh file there. With ZG_DATABASE_URL set to PostgreSQL a fresh test database is created
beside the named one and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = "bench.users.mfa"
RUNS_PER_DAY = 4
QUERY_SAMPLES = 200


@dataclass(frozen=True)
class Size:
    resources: int
    days: int
    change_per_day: float = 0.01
    failing_at_start: float = 0.10


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_database() -> str | None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return None
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return original


def organisation():
    """A bench organisation and an integration whose runs own the resources."""
    from django.utils import timezone

    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.integrations.models import Integration
    from zgovern.tenancy import services
    from zgovern.tenancy.scoping import organization_scope

    owner = User.objects.create_user("bench@bench.example", "bench-password-1")
    org = services.create_organization("Bench", owner, Actor.system("bench"))
    with organization_scope(org):
        integration = Integration.objects.create(
            organization=org, provider="bench", name="Bench", enabled=False,
            next_run_at=timezone.now(),
        )  # fmt: skip
    return org, integration


def simulate(org, integration, size: Size, rng: random.Random):
    """Every run of the period through the recorder; returns (start, end, run times)."""
    from django.utils import timezone

    from zgovern.integrations.base import Finding, ResourceRef
    from zgovern.monitoring import recorder
    from zgovern.tenancy.scoping import organization_scope

    refs = [
        ResourceRef("bench.user", f"user/{n:06d}", f"user-{n:06d}") for n in range(size.resources)
    ]
    failing = {n for n in range(size.resources) if rng.random() < size.failing_at_start}
    changes_per_run = size.resources * size.change_per_day / RUNS_PER_DAY
    runs = size.days * RUNS_PER_DAY
    start = timezone.now() - timedelta(days=size.days)
    times: list[float] = []
    carry = 0.0
    with organization_scope(org):
        for index in range(runs):
            carry += changes_per_run
            flips, carry = int(carry), carry - int(carry)
            for n in rng.sample(range(size.resources), flips):
                failing ^= {n}
            findings = [
                Finding(
                    ref, "fail" if n in failing else "pass", "no MFA" if n in failing else "MFA"
                )
                for n, ref in enumerate(refs)
            ]
            observation = recorder.Observation(CHECK, findings, complete=True)
            began = time.perf_counter()
            recorder.record(
                org, provider="bench", integration_id=integration.pk,
                observations=[observation], at=start + timedelta(hours=6 * index),
            )  # fmt: skip
            times.append(time.perf_counter() - began)
            if index % (RUNS_PER_DAY * 30) == 0:
                print(
                    f"  day {index // RUNS_PER_DAY:>3}: {times[-1] * 1000:.0f} ms per run",
                    flush=True,
                )
    return start, start + timedelta(hours=6 * (runs - 1)), times


def time_queries(org, start, end, rng: random.Random) -> tuple[float, float]:
    """Median milliseconds of a point-in-time status and of a failing-duration query."""
    from zgovern.monitoring import queries
    from zgovern.monitoring.models import Resource
    from zgovern.tenancy.scoping import organization_scope

    with organization_scope(org):
        ids = list(Resource.objects.filter(organization=org).values_list("pk", flat=True))
        span = (end - start).total_seconds()
        point = []
        for _ in range(QUERY_SAMPLES):
            at = start + timedelta(seconds=rng.uniform(0, span))
            began = time.perf_counter()
            queries.status_at(org, rng.choice(ids), CHECK, at)
            point.append(time.perf_counter() - began)
        duration = []
        for _ in range(10):
            a = start + timedelta(seconds=rng.uniform(0, span / 2))
            began = time.perf_counter()
            queries.failing_duration(org, CHECK, a, a + timedelta(days=90))
            duration.append(time.perf_counter() - began)
    return statistics.median(point) * 1000, statistics.median(duration) * 1000


def report(org, size: Size, times: list[float], point_ms: float, duration_ms: float) -> None:
    from zgovern.monitoring.models import CheckInterval, Resource
    from zgovern.tenancy.scoping import organization_scope

    with organization_scope(org):
        stored = CheckInterval.objects.filter(organization=org).count()
        open_ = CheckInterval.objects.filter(organization=org, ended_at__isnull=True).count()
        resources = Resource.objects.filter(organization=org).count()
    naive = len(times) * size.resources
    print()
    print(f"runs                      {len(times):>12,} ({size.days} days, every 6 hours)")
    print(f"resources                 {resources:>12,}")
    print(f"interval rows stored      {stored:>12,} ({open_:,} open)")
    print(f"rows at one per run       {naive:>12,}")
    print(f"saving                    {naive / max(stored, 1):>11,.0f}x")
    mean, p95 = statistics.mean(times) * 1000, sorted(times)[int(len(times) * 0.95)] * 1000
    total = sum(times)
    print(f"recorder per run          {mean:>9.0f} ms mean, {p95:.0f} ms p95, {total:.0f} s in all")
    print(f"status at a moment        {point_ms:>9.2f} ms (median of {QUERY_SAMPLES})")
    print(f"failing time over 90 days {duration_ms:>9.2f} ms (median of 10)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1,000 resources over 90 days")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    size = Size(resources=1_000, days=90) if args.small else Size(resources=10_000, days=365)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="zgovern-bench-") as tmp:
        setup_django(tmp)
        from django.db import connection

        original = fresh_database()
        try:
            print(f"{connection.vendor}: {size.resources:,} resources, {size.days} days, "
                  f"{size.change_per_day:.0%} changing status a day")  # fmt: skip
            org, integration = organisation()
            start, end, times = simulate(org, integration, size, rng)
            point_ms, duration_ms = time_queries(org, start, end, rng)
            report(org, size, times, point_ms, duration_ms)
        finally:
            if original is not None:
                connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
