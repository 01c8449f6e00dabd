"""Benchmark the incident log and the risk register at 10,000 rows each.

    .venv/bin/python bench/records.py              # 10,000 incidents and 10,000 risks
    .venv/bin/python bench/records.py --rows 2000  # a quicker run
    ZG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zgovern \
        .venv/bin/python bench/records.py          # on PostgreSQL (a fresh test database)

Builds one organisation with the default controls, 10,000 incidents (all four severities,
every status, a quarter with a known start, a tenth past their target) and 10,000 risks
(every score, treatment and status, a tenth accepted, some expired). Then it times, as the
median of several runs, the list pages (Django's test client, signed in as the owner: the
server-side time of the whole request) with their default order, a filter and a sort, a
deep page, the API list calls, the heat maps and response figures (reports over every
row), and the CSV and XLSX exports of every row, and prints the SQL statements each runs:
a list page's count must not grow with the rows. The target (150 ms) is the list pages'.

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
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_TARGET_MS = 150.0


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


def build(rows: int):
    """The organisation, its owner and ``rows`` incidents and risks (bulk inserted: the
    services' per-row logging is not what is measured here)."""
    from django.db import transaction

    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.frameworks import services as frameworks
    from zgovern.incidents.services import ensure_severities
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.tenancy.services import create_organization

    actor = Actor.system("bench")
    owner = User.objects.create_user("owner@bench.example", "bench-password-123")
    org = create_organization("Bench records", owner, actor)
    with organization_scope(org), transaction.atomic():
        frameworks.adopt_default_controls(org, actor)
        severities = ensure_severities(org, actor)
        _incidents(org, owner, severities, rows)
        _risks(org, owner, rows)
    return org, owner


def _incidents(org, owner, severities, rows: int) -> None:
    from django.utils import timezone

    from zgovern.incidents.models import Incident

    now = timezone.now()
    statuses = ("open", "contained", "resolved", "closed")
    batch = []
    for i in range(rows):
        severity = severities[i % len(severities)]
        status = statuses[i % 4] if i % 10 else "open"
        detected = now - timedelta(hours=1 + (i * 7) % (24 * 365))
        if i % 10 == 0:  # past the target
            detected = now - timedelta(hours=severity.response_target_hours + 1 + i % 50)
        elif status == "open":  # fresh enough to be within the target
            detected = now - timedelta(minutes=1 + i % 50)
        done = status in ("resolved", "closed")
        batch.append(Incident(
            organization=org, title=f"Incident {i:05d}: {('phishing', 'outage', 'leak')[i % 3]}",
            severity=severity, status=status, detected_at=detected,
            due_at=detected + timedelta(hours=severity.response_target_hours),
            started_at=detected - timedelta(hours=1 + i % 30) if i % 4 == 0 else None,
            reported_at=detected + timedelta(minutes=10 + i % 90),
            contained_at=detected + timedelta(minutes=30 + i % 600) if status != "open" else None,
            resolved_at=detected + timedelta(hours=1 + i % 100) if done else None,
            closed_at=detected + timedelta(hours=2 + i % 100) if status == "closed" else None,
            owner_user=owner, affected_systems="API", root_cause="Bench data." if done else "",
        ))  # fmt: skip
    Incident.objects.bulk_create(batch, batch_size=1000)


def _risks(org, owner, rows: int) -> None:
    from django.utils import timezone

    from zgovern.risks.models import Risk

    today, now = timezone.localdate(), timezone.now()
    treatments = ("mitigate", "transfer", "avoid", "", "mitigate")
    categories = ("security", "operational", "compliance", "privacy", "vendor", "financial")
    batch = []
    for i in range(rows):
        likelihood, impact = 1 + i % 5, 1 + (i // 5) % 5
        accepted = i % 10 == 0
        residual = (max(1, likelihood - 1), max(1, impact - 1)) if i % 3 else (None, None)
        batch.append(Risk(
            organization=org, title=f"Risk {i:05d}", category=categories[i % len(categories)],
            owner_user=owner, likelihood=likelihood, impact=impact,
            inherent_score=likelihood * impact,
            treatment="accept" if accepted else treatments[i % 5],
            status="accepted" if accepted else ("open", "treating", "closed")[i % 3],
            residual_likelihood=residual[0], residual_impact=residual[1],
            residual_score=residual[0] * residual[1] if residual[0] else None,
            review_date=today + timedelta(days=(i % 400) - 100),
            accepted_by=owner if accepted else None, accepted_at=now if accepted else None,
            acceptance_expires_on=today + timedelta(days=(i % 200) - 50) if accepted else None,
        ))  # fmt: skip
    Risk.objects.bulk_create(batch, batch_size=1000)


def count_queries(action) -> int:
    from django.db import connection

    executed = []

    def counter(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        action()
    return len(executed)


def median_ms(action, runs: int) -> tuple[float, float]:
    """Median wall time and CPU time of this process (SQLite's work included), in ms."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def requests(org) -> list[tuple[str, str, str]]:
    """(kind, label, path) of everything timed."""
    web, api = f"/o/{org.slug}", "/api/v1"
    return [
        ("page", "incidents: newest first", f"{web}/incidents/"),
        ("page", "incidents: past target", f"{web}/incidents/?past_target=on"),
        ("page", "incidents: SEV1 open, by due", f"{web}/incidents/?severity=SEV1&sort=due"),
        ("page", "incidents: search, page 20", f"{web}/incidents/?q=phishing&page=20"),
        ("page", "incidents: by severity, last page", f"{web}/incidents/?sort=severity&page=last"),
        ("report", "incident figures (all time)", f"{web}/incidents/figures/"),
        ("page", "risks: highest score first", f"{web}/risks/"),
        ("page", "risks: expired acceptances", f"{web}/risks/?flag=acceptance_expired"),
        ("page", "risks: vendor, by residual", f"{web}/risks/?category=vendor&sort=-residual"),
        ("page", "risks: by title, last page", f"{web}/risks/?sort=title&page=last"),
        ("report", "risk heat maps", f"{web}/risks/heat-map/"),
        ("api", "API incidents, 100 from 5,000", f"{api}/incidents?limit=100&offset=5000"),
        ("api", "API risks, 100 from 5,000", f"{api}/risks?limit=100&offset=5000&sort=title"),
        ("export", "incidents CSV (all)", f"{web}/incidents/export.csv"),
        ("export", "incidents XLSX (all)", f"{web}/incidents/export.xlsx"),
        ("export", "risks CSV (all)", f"{web}/risks/export.csv"),
        ("export", "risks XLSX (all)", f"{web}/risks/export.xlsx"),
    ]  # fmt: skip


def measure(org, owner, runs: int) -> list[tuple[str, str, float, float, int, int]]:
    from django.test import Client

    from zgovern.core.actor import Actor
    from zgovern.tenancy.models import Membership
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.tenancy.services import create_api_token

    web = Client()
    web.force_login(owner)
    with organization_scope(org):
        membership = Membership.objects.get(organization=org, user=owner)
        _, secret = create_api_token(org, membership, Actor.system("bench"), name="bench",
                                     read_only=True, expires_at=None)  # fmt: skip
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    results = []
    for kind, label, path in requests(org):
        client = api if kind == "api" else web
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.content)
        queries = count_queries(lambda c=client, p=path: c.get(p))
        wall, cpu = median_ms(lambda c=client, p=path: c.get(p), 3 if kind == "export" else runs)
        results.append((kind, label, wall, cpu, queries, size))
    return results


def report(rows: int, results) -> bool:
    print()
    print(f"{'what':<38} {'ms':>9} {'cpu ms':>9} {'queries':>7} {'bytes':>11}")
    for _kind, label, wall, cpu, queries, size in results:
        print(f"{label:<38} {wall:>9.1f} {cpu:>9.1f} {queries:>7} {size:>11,}")
    pages = [r for r in results if r[0] in ("page", "api")]
    slowest = max(pages, key=lambda r: r[2])
    fast = slowest[2] < PAGE_TARGET_MS
    print()
    print(f"slowest list page at {rows:,} rows: {slowest[1]} {slowest[2]:.1f} ms "
          f"(target < {PAGE_TARGET_MS:.0f} ms): {'met' if fast else 'MISSED'}")  # fmt: skip
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: the machine is busy (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
              "CPUs): wall times include waiting for a CPU; see the CPU times")  # fmt: skip
    return fast


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="incidents and risks each")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per page (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zgovern-bench-") as tmp:
        setup_django(tmp)
        from django.db import connection

        original_db = fresh_database()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
        try:
            print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
            started = time.perf_counter()
            org, owner = build(args.rows)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"built {args.rows:,} incidents and {args.rows:,} risks in "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
            ok = report(args.rows, measure(org, owner, args.runs))
        finally:
            if original_db is not None:
                connection.creation.destroy_test_db(original_db, verbosity=0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
