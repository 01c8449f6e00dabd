"""Benchmark the pre-audit findings scan: 2,000 people, 20,000 accounts, 10,000 changes and
a year of check history over 10,000 resources.

    .venv/bin/python bench/findings.py            # the sizes above
    .venv/bin/python bench/findings.py --small    # a tenth of them

Times, on a fresh database built with bulk_create:

- each category's evaluation over a 12-month period, then the full scan as the worker
  runs it (evaluate + store: findings inserted and one task per category) — target < 10 s;
- the same scan again (findings unchanged, only stamped), which is what a schedule does;
- the dashboard summary from the stored results — target < 200 ms.

It never touches ./var: ZG_VAR_DIR points at a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCAN_TARGET_S = 10.0
SUMMARY_TARGET_MS = 200.0
SYSTEMS = ("okta", "google", "github", "aws", "slack")
CHECKS = (
    "aws.iam.console_mfa",
    "workforce.accounts.mfa",
    "aws.s3.default_encryption",
    "aws.rds.snapshot_encrypted",
    "aws.ec2.ebs_encrypted",
)


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


def timed(label: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"  {label:<52} {elapsed * 1000:9.1f} ms")
    return result, elapsed


def build(people: int, accounts: int, changes: int, resources: int):
    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.tenancy.services import create_organization

    owner = User.objects.create_user("owner@bench.example", "bench-password-123")
    org = create_organization("Bench findings", owner, Actor.system("bench"))
    from zgovern.tenancy.scoping import organization_scope

    with organization_scope(org):
        rows = _people(org, people)
        _accounts(org, rows, accounts)
        _changes(org, changes)
        _history(org, resources)
        _records(org, owner, rows)
    return org


def _people(org, count: int):
    from zgovern.people.models import BackgroundCheck, Person, TrainingCompletion

    today = date.today()
    rows = Person.objects.bulk_create(
        [
            Person(
                organization=org,
                full_name=f"Person {i}",
                work_email=f"p{i}@bench.example",
                employment_type="contractor" if i % 7 == 0 else "employee",
                source="csv",
                start_date=today - timedelta(days=20 + (i * 37) % 1500),
                end_date=today - timedelta(days=(i * 13) % 360) if i % 12 == 0 else None,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    BackgroundCheck.objects.bulk_create(
        [
            BackgroundCheck(organization=org, person=p, status="clear", completed_on=p.start_date)
            for i, p in enumerate(rows)
            if i % 25
        ],
        batch_size=1000,
    )
    TrainingCompletion.objects.bulk_create(
        [
            TrainingCompletion(
                organization=org,
                person=p,
                course_key="security-awareness",
                course_title="Security awareness",
                completed_on=max(p.start_date, today - timedelta(days=(i * 7) % 400)),
            )
            for i, p in enumerate(rows)
            if i % 15
        ],
        batch_size=1000,
    )
    return rows


def _accounts(org, people, count: int) -> None:
    from zgovern.identity.models import Account

    now = datetime.now(UTC)
    out = []
    for i in range(count):
        p = people[i % len(people)]
        system = SYSTEMS[(i // len(people)) % len(SYSTEMS)]
        gone = p.end_date is not None and i % 3 != 0
        late = timedelta(days=1 + (i % 9))
        out.append(
            Account(
                organization=org,
                person=p,
                system=system,
                external_id=f"{system}-{i}",
                username=f"user{i}",
                status="removed" if gone else "active",
                deactivated_at=datetime.combine(p.end_date, datetime.min.time(), UTC) + late
                if gone
                else None,
                privileged=i % 40 == 0,
                mfa="enabled",
                first_seen_at=now - timedelta(days=500),
                is_service=i % 97 == 0,
            )
        )
    Account.objects.bulk_create(out, batch_size=2000)


def _changes(org, count: int) -> None:
    from zgovern.changes.models import ChangeRecord

    now = datetime.now(UTC)
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                organization=org,
                source="github",
                repository=f"acme/repo{i % 40}",
                number=i,
                title=f"Change {i}",
                author=f"dev{i % 50}",
                approvers=[]
                if i % 30 == 0
                else [f"dev{i % 50}"]
                if i % 45 == 0
                else [f"dev{(i + 1) % 50}"],
                merged_at=now - timedelta(minutes=i * 50),
                checks="failed" if i % 60 == 0 else "passed",
                approved=i % 30 != 0,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def _history(org, count: int) -> None:
    """Per resource, a year of 6-hourly status intervals: pass, with a fail spell for
    one resource in eight and flapping for one in fifty."""
    from zgovern.monitoring.models import CheckInterval, Resource

    now = datetime.now(UTC)
    year = now - timedelta(days=365)
    resources = Resource.objects.bulk_create(
        [
            Resource(
                organization=org,
                provider="aws",
                resource_type="aws.thing",
                external_id=f"r{i}",
                name=f"resource-{i}",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    rows = []
    for i, res in enumerate(resources):
        check = CHECKS[i % len(CHECKS)]
        cuts = [year]
        if i % 8 == 0:
            cuts += [year + timedelta(days=40 + i % 200), year + timedelta(days=50 + i % 250)]
        if i % 50 == 0:
            cuts += [year + timedelta(days=d) for d in range(300, 360, 3)]
        cuts = sorted(set(cuts))
        for n, start in enumerate(cuts):
            end = cuts[n + 1] if n + 1 < len(cuts) else None
            rows.append(
                CheckInterval(
                    organization=org,
                    resource=res,
                    check_id=check,
                    status="fail" if n % 2 else "pass",
                    started_at=start,
                    ended_at=end,
                    confirmed_at=end or now,
                )
            )
    CheckInterval.objects.bulk_create(rows, batch_size=2000)
    print(f"  ({len(rows):,} check intervals)")


def _records(org, owner, people) -> None:
    """Vendors, policies, incidents and review campaigns at realistic (small) sizes."""
    from zgovern.incidents.models import Incident, Severity
    from zgovern.policies.models import Acknowledgement, Policy, PolicyVersion
    from zgovern.reviews.models import Campaign
    from zgovern.vendors.models import Vendor

    now = datetime.now(UTC)
    Vendor.objects.bulk_create(
        [
            Vendor(
                organization=org,
                name=f"Vendor {i}",
                criticality=("critical", "high", "low")[i % 3],
                last_assessed_at=now - timedelta(days=(i * 11) % 500) if i % 10 else None,
            )
            for i in range(300)
        ]
    )
    for k in range(10):
        policy = Policy.objects.create(organization=org, key=f"policy-{k}", title=f"Policy {k}")
        version = PolicyVersion.objects.create(
            organization=org,
            policy=policy,
            number=1,
            body="text",
            status="published",
            published_at=now - timedelta(days=200),
            approved_at=now - timedelta(days=201),
        )
        Acknowledgement.objects.bulk_create(
            [
                Acknowledgement(
                    organization=org,
                    person=p,
                    version=version,
                    policy=policy,
                    acknowledged_at=now - timedelta(days=190 - i % 30),
                )
                for i, p in enumerate(people)
                if i % 20
            ],
            batch_size=2000,
        )
    severity = Severity.objects.create(
        organization=org, name="High", rank=1, description="d", response_target_hours=24
    )
    Incident.objects.bulk_create(
        [
            Incident(
                organization=org,
                title=f"Incident {i}",
                severity=severity,
                status="resolved",
                detected_at=now - timedelta(days=i * 7),
                due_at=now - timedelta(days=i * 7 - 1),
                resolved_at=now - timedelta(days=i * 7) + timedelta(hours=6 + 3 * (i % 12)),
            )
            for i in range(50)
        ]
    )
    for q in range(4):
        due = (now - timedelta(days=80 + 91 * q)).date()
        Campaign.objects.create(
            organization=org,
            title=f"Q{q}",
            systems=list(SYSTEMS[: 3 + q % 3]),
            reviewer_mode="system",
            default_reviewer=owner,
            due_date=due,
            status="completed",
            completed_at=datetime.combine(due, datetime.min.time(), UTC) + timedelta(days=q),
        )


def run(sizes: tuple[int, int, int, int]) -> None:
    from zgovern.core.actor import Actor
    from zgovern.findings import queries, services
    from zgovern.findings.scan import REGISTRY
    from zgovern.findings.scan.base import Period, add_months, windows_for
    from zgovern.tenancy.scoping import organization_scope

    people, accounts, changes, resources = sizes
    print(
        f"Building {people:,} people, {accounts:,} accounts, {changes:,} changes, "
        f"{resources:,} resources with a year of history ..."
    )
    started = time.perf_counter()
    org = build(*sizes)
    print(f"  built in {time.perf_counter() - started:.1f} s")
    today = date.today()
    start = add_months(today, -12) + timedelta(days=1)
    period = Period(start, today)
    print(f"\nEach category over {start} to {today}:")
    with organization_scope(org):
        windows = windows_for(org)
        for module in REGISTRY:
            found, _ = timed(module.CATEGORY, module.evaluate, org, period, windows)
            print(f"      {len(found):>6} exceptions of {found.population:,}")
        print("\nThe full scan (evaluate + store), as the worker runs it:")
        scan = services.request_scan(
            org, Actor.system("bench"), period_start=start, period_end=today, enqueue=False
        )
        _, first = timed("first scan (all findings new)", services.run_scan, scan.pk, "bench")
        scan = services.request_scan(
            org, Actor.system("bench"), period_start=start, period_end=today, enqueue=False
        )
        _, again = timed("second scan (unchanged)", services.run_scan, scan.pk, "bench")
        queries.summary(org)  # warm the connection
        result, summary = timed("dashboard summary (stored results)", queries.summary, org)
    print(f"\n  {result.total:,} open exceptions; by severity {dict(result.severity_rows)}")
    verdict = "PASS" if max(first, again) < SCAN_TARGET_S else "FAIL"
    print(f"  scan: {max(first, again):.2f} s (target < {SCAN_TARGET_S:.0f} s) {verdict}")
    verdict = "PASS" if summary * 1000 < SUMMARY_TARGET_MS else "FAIL"
    print(f"  summary: {summary * 1000:.1f} ms (target < {SUMMARY_TARGET_MS:.0f} ms) {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    sizes = (200, 2_000, 1_000, 1_000) if args.small else (2_000, 20_000, 10_000, 10_000)
    with tempfile.TemporaryDirectory(prefix="zg-bench-findings-") as tmp:
        setup_django(tmp)
        original = fresh_database()
        try:
            run(sizes)
        finally:
            if original is not None:
                from django.db import connection

                connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
