"""Benchmark the identity graph: 5,000 people, 20,000 accounts across four systems.

    .venv/bin/python bench/people.py            # 5,000 people, 4 x 5,000 accounts
    .venv/bin/python bench/people.py --small    # a tenth of that
    ZG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zgovern \
        .venv/bin/python bench/people.py        # on PostgreSQL (a fresh test database)

Times, on a fresh database:

- the first sync of each system through ``record_accounts`` (create + link), then a
  second, unchanged sync (what every scheduled run does);
- a full graph link: every account's automatic link recomputed from scratch;
- the workforce checks' collection and the MFA and offboarding evaluations (plus the two
  onboarding checks) — the target is under 5 s for link + checks;
- memory: the tracemalloc peak of one system's sync at growing sizes, beyond the records
  handed in, to show the working set is bounded by the page (1,000 accounts), with only
  the set of ids seen growing with the list.

It never touches ./var: ZG_VAR_DIR points at a temporary directory.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 5.0
SYSTEMS = ("okta", "google", "github", "aws")


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


def build_roster(people: int):
    """An organisation with ``people`` people (5% leavers, 2% recent joiners), background
    checks and training for 90%, and a GitHub alias for every tenth person."""
    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.identity.models import PersonAlias
    from zgovern.integrations.models import Integration
    from zgovern.people.models import BackgroundCheck, Person, TrainingCompletion
    from zgovern.tenancy.services import create_organization

    owner = User.objects.create_user("owner@bench.example", "bench-password-123")
    org = create_organization("Bench people", owner, Actor.system("bench"))
    today = date.today()
    rows = []
    for i in range(people):
        leaver = i % 20 == 0
        start = today - timedelta(days=10 if i % 50 == 1 else 400 + i % 900)
        rows.append(Person(
            organization=org, full_name=f"Person {i}", work_email=f"p{i}@bench.example",
            employment_type="contractor" if i % 7 == 0 else "employee", source="csv",
            start_date=start, end_date=today - timedelta(days=30) if leaver else None,
            status="terminated" if leaver else "active",
        ))  # fmt: skip
    people_rows = Person.objects.bulk_create(rows, batch_size=1000)
    checks = [BackgroundCheck(organization=org, person=p, status="clear",
                              completed_on=p.start_date) for i, p in enumerate(people_rows)
              if i % 10]  # fmt: skip
    BackgroundCheck.objects.bulk_create(checks, batch_size=1000)
    trainings = [TrainingCompletion(organization=org, person=p, course_key="security-awareness",
                                    course_title="Security awareness", completed_on=p.start_date)
                 for i, p in enumerate(people_rows) if i % 10 != 3]  # fmt: skip
    TrainingCompletion.objects.bulk_create(trainings, batch_size=1000)
    aliases = [PersonAlias(organization=org, person=p, alias=f"gh-{i}")
               for i, p in enumerate(people_rows) if i % 10 == 0]  # fmt: skip
    PersonAlias.objects.bulk_create(aliases, batch_size=1000)
    holders = {
        s: Integration.objects.create(organization=org, provider="aws", name=s) for s in SYSTEMS
    }
    return org, holders


def records_for(system: str, count: int, people: int):
    """``count`` users of ``system``: 1 in 50 matches nobody, GitHub logins match aliases
    for every tenth person, 1 in 9 without MFA, 1 in 31 unknown."""
    from zgovern.identity.records import AccountRecord

    out = []
    for i in range(count):
        p = i % people
        email = f"p{p}@bench.example" if i % 50 else f"stranger{i}@elsewhere.example"
        username = email
        if system == "github":
            username, email = (f"gh-{p}" if p % 10 == 0 else f"login-{i}"), ""
        mfa = "disabled" if i % 9 == 0 else ("unknown" if i % 31 == 0 else "enabled")
        out.append(AccountRecord(
            external_id=f"{system}-{i}", username=username, email=email, mfa=mfa,
            privileged=i % 40 == 0, last_login_at=datetime(2026, 1, 1, tzinfo=UTC),
        ))  # fmt: skip
    return out


def timed(label: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"  {label:<52} {elapsed:7.2f} s")
    return result, elapsed


def run(people: int, per_system: int) -> None:
    from django.db import connection

    from zgovern.identity import sync
    from zgovern.identity.models import Account
    from zgovern.identity.services import record_accounts
    from zgovern.integrations.workforce import checks
    from zgovern.integrations.workforce.provider import PROVIDER
    from zgovern.tenancy.scoping import organization_scope

    org, holders = build_roster(people)
    at = datetime.now(UTC)
    print(f"{people:,} people, {per_system * len(SYSTEMS):,} accounts in {len(SYSTEMS)} systems "
          f"({connection.vendor})")  # fmt: skip
    records = {s: records_for(s, per_system, people) for s in SYSTEMS}
    first = again = 0.0
    for system in SYSTEMS:
        _, took = timed(f"first sync of {system} (create + link)", record_accounts,
                        holders[system], system, records[system], at)  # fmt: skip
        first += took
    for system in SYSTEMS:
        later = at + timedelta(hours=6)
        _, took = timed(f"unchanged re-sync of {system}", record_accounts,
                        holders[system], system, records[system], later)  # fmt: skip
        again += took
    with organization_scope(org):
        Account.objects.filter(organization=org).update(person=None, link_method="")
        linked, link_s = timed("full graph link (every account, from scratch)", sync.relink, org)
        inventory, collect_s = timed("workforce collection (accounts + people)",
                                     PROVIDER.collect_org, org, ["accounts", "people"])  # fmt: skip
        mfa, mfa_s = timed("MFA check (one finding per active account)",
                           lambda: list(checks.mfa(inventory)))  # fmt: skip
        off, off_s = timed("offboarding check", lambda: list(checks.offboarding(inventory)))
        onb, _ = timed("onboarding checks (background + training)", lambda: (
            list(checks.background_check(inventory)) + list(checks.security_training(inventory))
        ))  # fmt: skip
    failing = sum(f.status == "fail" for f in off)
    total = link_s + collect_s + mfa_s + off_s
    print(f"  -> {linked:,} accounts linked; {len(mfa):,} MFA findings "
          f"({sum(f.status != 'pass' for f in mfa):,} not passing); {len(off):,} leavers "
          f"({failing:,} failing); {len(onb):,} onboarding findings")  # fmt: skip
    print(f"  first syncs {first:.2f} s, unchanged re-syncs {again:.2f} s")
    verdict = "OK" if total < TARGET_S else "OVER TARGET"
    print(f"  link + collection + MFA + offboarding: {total:.2f} s "
          f"(target < {TARGET_S:.0f} s) {verdict}")  # fmt: skip
    memory(org, holders["okta"], people, per_system)


def memory(org, holder, people: int, per_system: int) -> None:
    """The peak a sync allocates beyond its input, at growing list sizes."""
    from zgovern.identity.services import record_accounts

    print("memory of one system's sync (tracemalloc peak beyond the records given):")
    at = datetime.now(UTC) + timedelta(days=1)
    for count in (per_system // 4, per_system // 2, per_system, per_system * 2):
        records = records_for("okta", count, people)
        gc.collect()
        tracemalloc.start()
        record_accounts(holder, "okta", records, at)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        at += timedelta(hours=1)
        print(f"  {count:>6,} accounts: peak {peak / 1e6:6.1f} MB "
              f"({peak / count:,.0f} bytes per account)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    people, per_system = (500, 500) if args.small else (5_000, 5_000)
    with tempfile.TemporaryDirectory(prefix="zg-bench-people-") as tmp:
        setup_django(tmp)
        original = fresh_database()
        try:
            run(people, per_system)
        finally:
            if original is not None:
                from django.db import connection

                connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
