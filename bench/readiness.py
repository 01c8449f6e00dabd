"""Benchmark readiness: the assessment and the dashboard request at scale.

    .venv/bin/python bench/readiness.py            # 200 controls, 50,000 evidence items,
                                                   # 1,000,000 check intervals (~10k open)
    .venv/bin/python bench/readiness.py --small    # a quick run at a tenth of that
    ZG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zgovern \
        .venv/bin/python bench/readiness.py        # on PostgreSQL (a fresh test database)

Builds two organisations, each with SOC 2 and ISO 27001 adopted: a small one (20 controls,
1,000 check results) and a large one (the sizes above), then times ``assess_organization``
and the dashboard request (Django's test client, signed in as the owner: the server-side
time of the whole request) as the median of several runs, and prints the number of SQL
queries of each at both sizes: they must be equal, whatever the size.

Tables are analysed after loading on PostgreSQL (autovacuum does so in production), not
on SQLite, where nothing in zGovern runs ANALYZE.

It never touches ./var: ZG_VAR_DIR points at a temporary directory, and SQLite runs on a
fresh file there. With ZG_DATABASE_URL set to PostgreSQL a fresh test database is created
beside the named one and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150.0
EVIDENCE_KINDS = ("access_review", "config_snapshot", "change_record", "training_record",
                  "vendor_assessment", "restore_test", "alert_sample", "risk_register")  # fmt: skip


@dataclass(frozen=True)
class Size:
    label: str
    controls: int
    evidence: int
    intervals: int
    open_intervals: int


SMALL = Size("small", controls=20, evidence=500, intervals=1_000, open_intervals=500)
LARGE = Size("large", controls=200, evidence=50_000, intervals=1_000_000, open_intervals=10_000)
QUICK_LARGE = Size("large", controls=200, evidence=5_000, intervals=100_000, open_intervals=5_000)


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_database() -> str | None:
    """Migrate a fresh database. On PostgreSQL that is a new test database beside the named
    one; the named one's name is returned so the test database can be dropped at the end."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return None
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return original


# -- building an organisation ----------------------------------------------------------


def build(size: Size, slug: str):
    """An organisation with SOC 2 (Security + Availability) and ISO 27001, ``size.controls``
    controls mapped to criteria with checks and evidence requirements, and the evidence and
    check intervals of ``size``. Returns (organisation, owner)."""
    from django.db import transaction

    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.frameworks import services as frameworks
    from zgovern.frameworks.models import Category
    from zgovern.tenancy.models import Organization
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.tenancy.services import create_organization

    actor = Actor.system("bench")
    owner = User.objects.create_user(f"owner@{slug}.example", "bench-password-123")
    org = create_organization(f"Bench {slug}", owner, actor)
    Organization.objects.filter(pk=org.pk).update(slug=slug)
    org.slug = slug
    with organization_scope(org), transaction.atomic():
        for key in ("soc2", "iso27001"):
            frameworks.adopt_framework(org, actor, frameworks.builtin(key))
        availability = Category.objects.get(organization=org, key="availability")
        frameworks.set_category_scope(org, actor, availability.pk, in_scope=True, reason="SLA")
        if size.controls >= 87:
            frameworks.adopt_default_controls(org, actor)
        _custom_controls(org, size.controls)
        _evidence(org, size.evidence)
        _intervals(org, size.intervals, size.open_intervals)
    return org, owner


def _custom_controls(org, wanted: int) -> None:
    """Top the organisation up to ``wanted`` controls, each mapped to three criteria, with
    two checks (one from the default set when there is one) and one evidence requirement."""
    from zgovern.controls.models import (
        Control,
        ControlCheck,
        ControlCriterion,
        EvidenceRequirement,
    )
    from zgovern.frameworks.models import Criterion

    missing = wanted - Control.objects.filter(organization=org).count()
    criteria = list(
        Criterion.objects.filter(organization=org, assessable=True).values_list("pk", flat=True)
    )
    default_checks = sorted(
        set(ControlCheck.objects.filter(organization=org).values_list("check_id", flat=True))
    ) or ["custom.check.0"]
    controls = Control.objects.bulk_create(
        [Control(organization=org, key=f"custom-{i}", name=f"Custom control {i}",
                 severity=("low", "medium", "high", "critical")[i % 4]) for i in range(missing)]
    )  # fmt: skip
    links, checks, requirements = [], [], []
    for i, control in enumerate(controls):
        for k in range(3):
            criterion_id = criteria[(i * 7 + k * 13) % len(criteria)]
            links.append(
                ControlCriterion(organization=org, control=control, criterion_id=criterion_id)
            )
        checks.append(ControlCheck(organization=org, control=control,
                                   check_id=default_checks[i % len(default_checks)]))  # fmt: skip
        checks.append(ControlCheck(organization=org, control=control, check_id=f"custom.check.{i}"))
        requirements.append(EvidenceRequirement(
            organization=org, control=control, kind=EVIDENCE_KINDS[i % len(EVIDENCE_KINDS)],
            description=f"Evidence for custom control {i}", freshness_days=90,
        ))  # fmt: skip
    ControlCriterion.objects.bulk_create(links, ignore_conflicts=True)
    ControlCheck.objects.bulk_create(checks, ignore_conflicts=True)
    EvidenceRequirement.objects.bulk_create(requirements, ignore_conflicts=True)


def _evidence(org, count: int, batch: int = 5_000) -> None:
    """``count`` items over the last two years, each linked to one control."""
    from django.utils import timezone

    from zgovern.controls.models import Control, ControlEvidence, EvidenceRequirement
    from zgovern.evidence.models import EvidenceItem

    kinds = dict(
        EvidenceRequirement.objects.filter(organization=org).values_list("control_id", "kind")
    )
    control_ids = list(Control.objects.filter(organization=org).values_list("pk", flat=True))
    now = timezone.now()
    for start in range(0, count, batch):
        n = min(batch, count - start)
        picks = [control_ids[(start + i) % len(control_ids)] for i in range(n)]
        items = EvidenceItem.objects.bulk_create([
            EvidenceItem(
                organization=org, kind=kinds.get(cid, EVIDENCE_KINDS[0]), title=f"Item {start + i}",
                source="record", sha256=f"{start + i:064x}",
                collected_at=now - timedelta(hours=(start + i) * 7 % (730 * 24)),
            )
            for i, cid in enumerate(picks)
        ])  # fmt: skip
        ControlEvidence.objects.bulk_create(
            [ControlEvidence(organization=org, control_id=cid, evidence=item)
             for cid, item in zip(picks, items, strict=True)]
        )  # fmt: skip


def _intervals(org, total: int, open_count: int, batch: int = 20_000) -> None:
    """``open_count`` (resource, check) pairs with a current status and enough closed
    history intervals before it to make ``total`` rows; one in 25 currently fails."""
    from django.utils import timezone

    from zgovern.controls.models import ControlCheck
    from zgovern.monitoring.models import CheckInterval, Resource

    check_ids = sorted(
        set(ControlCheck.objects.filter(organization=org).values_list("check_id", flat=True))
    )
    resource_count = -(-open_count // len(check_ids))
    resources = Resource.objects.bulk_create([
        Resource(organization=org, provider="aws", resource_type="bench", external_id=f"r{i}",
                 name=f"resource {i}") for i in range(resource_count)
    ])  # fmt: skip
    pairs = [(r, c) for r in resources for c in check_ids][:open_count]
    history = (total - open_count) // len(pairs)
    now = timezone.now()
    rows = []
    for index, (resource, check_id) in enumerate(pairs):
        for h in range(history, 0, -1):  # closed intervals, six hours each, oldest first
            start = now - timedelta(hours=6 * (h + 1))
            rows.append(CheckInterval(
                organization=org, check_id=check_id, resource=resource,
                status="fail" if h % 3 == 0 else "pass", started_at=start,
                ended_at=start + timedelta(hours=6), confirmed_at=start,
            ))  # fmt: skip
        rows.append(CheckInterval(
            organization=org, check_id=check_id, resource=resource,
            status="fail" if index % 25 == 0 else "pass",
            started_at=now - timedelta(hours=6), confirmed_at=now,
        ))  # fmt: skip
        if len(rows) >= batch:
            CheckInterval.objects.bulk_create(rows)
            rows = []
    CheckInterval.objects.bulk_create(rows)


# -- measuring -------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    assess_ms: float
    assess_cpu_ms: float
    assess_queries: int
    dashboard_ms: float
    dashboard_cpu_ms: float
    dashboard_queries: int


def measure(org, owner, runs: int) -> Measure:
    from django.test import Client

    from zgovern.readiness.engine import assess_organization
    from zgovern.tenancy.scoping import organization_scope

    with organization_scope(org):
        assess_organization(org)  # warm caches
        assess_queries = count_queries(lambda: assess_organization(org))
        assess = _medians(lambda: assess_organization(org), runs)
    client = Client()
    client.force_login(owner)
    url = f"/o/{org.slug}/"
    assert client.get(url).status_code == 200
    page_queries = count_queries(lambda: client.get(url))
    page = _medians(lambda: client.get(url), runs)
    return Measure(*assess, assess_queries, *page, page_queries)


def count_queries(action) -> int:
    """SQL statements ``action`` runs (an execute wrapper: independent of DEBUG and of
    the size of Django's query log)."""
    from django.db import connection

    executed = []

    def counter(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        action()
    return len(executed)


def _medians(action, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms. On a busy machine the
    wall time includes waiting for a CPU; the CPU time does not (on SQLite it includes the
    database's work, on PostgreSQL not)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def counts(org) -> dict[str, int]:
    from zgovern.controls.models import Control, ControlEvidence
    from zgovern.evidence.models import EvidenceItem
    from zgovern.monitoring.models import CheckInterval
    from zgovern.tenancy.scoping import organization_scope

    with organization_scope(org):
        return {
            "controls": Control.objects.filter(organization=org).count(),
            "evidence": EvidenceItem.objects.filter(organization=org).count(),
            "links": ControlEvidence.objects.filter(organization=org).count(),
            "intervals": CheckInterval.objects.filter(organization=org).count(),
            "open": CheckInterval.objects.filter(organization=org, ended_at__isnull=True).count(),
        }


def report(rows: list[tuple[Size, dict, Measure]]) -> bool:
    print()
    assess, page = "assess ms (cpu)", "dashboard ms (cpu)"
    print(f"{'size':<6} {'controls':>8} {'evidence':>9} {'intervals':>10} {'open':>7} | "
          f"{assess:>16} {'queries':>7} | {page:>19} {'queries':>7}")  # fmt: skip
    for size, n, m in rows:
        assess = f"{m.assess_ms:.1f} ({m.assess_cpu_ms:.1f})"
        page = f"{m.dashboard_ms:.1f} ({m.dashboard_cpu_ms:.1f})"
        print(f"{size.label:<6} {n['controls']:>8,} {n['evidence']:>9,} {n['intervals']:>10,} "
              f"{n['open']:>7,} | {assess:>16} {m.assess_queries:>7} | "
              f"{page:>19} {m.dashboard_queries:>7}")  # fmt: skip
    (_, _, small), (_, _, large) = rows
    constant = (small.assess_queries, small.dashboard_queries) == (
        large.assess_queries,
        large.dashboard_queries,
    )
    fast = large.dashboard_ms < TARGET_MS
    print()
    print(f"query count constant across sizes: {'yes' if constant else 'NO'}")
    print(f"dashboard median {large.dashboard_ms:.1f} ms at the large size "
          f"(target < {TARGET_MS:.0f} ms): {'met' if fast else 'MISSED'}")  # fmt: skip
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: the machine is busy (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
              "CPUs): wall times include waiting for a CPU; see the CPU times")  # fmt: skip
    return constant and fast


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a quick run at a tenth of the size")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per figure (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zgovern-bench-") as tmp:
        setup_django(tmp)
        from django.db import connection

        original_db = fresh_database()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # a throwaway file: skip fsync while loading
                cursor.execute("PRAGMA synchronous=OFF")
        try:
            print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
            rows = []
            for size in (SMALL, QUICK_LARGE if args.small else LARGE):
                started = time.perf_counter()
                org, owner = build(size, f"bench-{size.label}")
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:  # as autovacuum would after a load
                        cursor.execute("ANALYZE")
                built = time.perf_counter() - started
                n = counts(org)
                print(f"built {size.label}: {n} in {built:.1f} s")
                rows.append((size, n, measure(org, owner, args.runs)))
            ok = report(rows)
        finally:
            if original_db is not None:
                connection.creation.destroy_test_db(original_db, verbosity=0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
