"""Benchmark alerts: a run that turns many checks from pass to fail, and the digest.

    .venv/bin/python bench/alerts.py            # 2,000 resources failing at once
    .venv/bin/python bench/alerts.py --small    # 200

Times, on a fresh SQLite database (ZG_VAR_DIR points at a temporary directory), with
the task queue run inline and mail kept in memory:

- looking at one run whose check newly fails on N resources: N alerts written and each
  delivered by email (the owner's default is immediate);
- the same run looked at again (every event already alerted: nothing written or sent);
- N findings queued for the digest, then the daily digest: one email carrying them all.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["ZG_HUEY_IMMEDIATE"] = "1"
    os.environ["ZG_EMAIL_URL"] = "locmem:"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def world(count: int):
    """An organisation whose check ``bench.check`` passed on ``count`` resources and now
    fails on all of them, and the run that saw it."""
    from django.utils import timezone

    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.monitoring.models import CheckInterval, CheckRun, Resource
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.tenancy.services import create_organization

    owner = User.objects.create_user("owner@bench.example", "x" * 16)
    org = create_organization("Bench alerts", owner, Actor.system("bench"))
    then, now = timezone.now() - timedelta(hours=6), timezone.now()
    with organization_scope(org):
        Resource.objects.bulk_create(
            Resource(organization=org, provider="bench", resource_type="bucket",
                     external_id=f"b{i}", name=f"bucket-{i}")
            for i in range(count)
        )  # fmt: skip
        ids = list(Resource.objects.filter(organization=org).values_list("pk", flat=True))
        rows = []
        for pk in ids:
            rows.append(
                CheckInterval(
                    organization=org,
                    check_id="bench.check",
                    resource_id=pk,
                    status="pass",
                    started_at=then,
                    ended_at=now,
                    confirmed_at=then,
                )
            )
            rows.append(
                CheckInterval(
                    organization=org,
                    check_id="bench.check",
                    resource_id=pk,
                    status="fail",
                    started_at=now,
                    confirmed_at=now,
                )
            )
        CheckInterval.objects.bulk_create(rows, batch_size=1000)  # fmt: skip
        run = CheckRun.objects.create(
            organization=org, provider="bench", trigger="cli", started_by="bench",
            started_at=now, checks=["bench.check"],
        )  # fmt: skip
    return org, owner, run


def timed(label: str, action) -> object:
    start = time.perf_counter()
    result = action()
    print(f"{label:<58} {time.perf_counter() - start:8.2f} s   ({result})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="200 resources instead of 2,000")
    count = 200 if parser.parse_args().small else 2000
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        from django.core import mail

        from zgovern.alerts import digest, services, sources
        from zgovern.alerts.models import Kind
        from zgovern.tenancy.scoping import organization_scope

        mail.outbox = []
        org, owner, run = world(count)
        with organization_scope(org):
            timed(
                f"run with {count:,} new failures: alerts written",
                lambda: sources.check_failures(run),
            )
            print(f"{'  emails sent':<58} {len(mail.outbox):8,}")
            timed("the same run again: alerts written", lambda: sources.check_failures(run))
            for i in range(count):
                services.notify(org, Kind.FINDING, f"f{i}", f"Finding {i}", "", [owner])
        mail.outbox = []
        timed(f"daily digest of {count:,} queued findings: emails", digest.send_digests)
        print(f"{'  digest size (characters)':<58} {len(mail.outbox[0].body):8,}")


if __name__ == "__main__":
    main()
