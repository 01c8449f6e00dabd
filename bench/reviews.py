"""Benchmark access reviews: a campaign over 10,000 accounts.

    .venv/bin/python bench/reviews.py            # 2,000 people, 10,000 accounts
    .venv/bin/python bench/reviews.py --small    # a tenth of that
    ZG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zgovern \
        .venv/bin/python bench/reviews.py        # on PostgreSQL (a fresh test database)

Times, on a fresh database:

- starting a campaign (the snapshot of every account into review items, with flags and
  reviewers per manager);
- the campaign page as the owner (first page, a flag filter, a decision filter, a search,
  and a page deep in the list), and the items API page, with the number of queries each;
- deciding one item, and completing the campaign once every item is decided (the
  evidence package: the CSV of 10,000 decisions and the summary).

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
SYSTEMS = ("okta", "github")


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def build(people: int, accounts: int):
    """An organisation, ``people`` people (every 20th a leaver, every 7th a contractor, a
    manager per 10) and ``accounts`` accounts over two systems, synced through the
    identity service."""
    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.identity.records import AccountRecord
    from zgovern.identity.services import record_accounts
    from zgovern.integrations.models import Integration
    from zgovern.people.models import Person
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.tenancy.services import create_organization

    owner = User.objects.create_user("owner@bench.example", "bench-password-123")
    org = create_organization("Bench reviews", owner, Actor.system("bench"))
    today = date.today()
    with organization_scope(org):
        rows = [
            Person(
                organization=org, full_name=f"Person {i}", work_email=f"p{i}@bench.example",
                employment_type="contractor" if i % 7 == 0 else "employee", source="csv",
                start_date=today - timedelta(days=400),
                end_date=today - timedelta(days=30) if i % 20 == 0 else None,
                status="terminated" if i % 20 == 0 else "active",
            )
            for i in range(people)
        ]  # fmt: skip
        people_rows = Person.objects.bulk_create(rows, batch_size=1000)
        for i, person in enumerate(people_rows):
            if i % 10:
                person.manager = people_rows[i - i % 10]
        Person.objects.bulk_update(people_rows, ["manager"], batch_size=1000)
        per_system = accounts // len(SYSTEMS)
        now = datetime.now(UTC)
        for system in SYSTEMS:
            holder = Integration.objects.create(organization=org, provider="aws", name=system)
            records = [
                AccountRecord(
                    external_id=f"{system}-{i}", username=f"{system}-user-{i}",
                    email=f"p{i % people}@bench.example" if i % 50 else "",
                    privileged=i % 40 == 0,
                    last_login_at=now - timedelta(days=200 if i % 13 == 0 else 3),
                )
                for i in range(per_system)
            ]  # fmt: skip
            record_accounts(holder, system, records, now)
    return org, owner


def timed(label: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"  {label:<58} {elapsed:7.3f} s")
    return result, elapsed


def page(client, url: str, label: str, params: dict | None = None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response, _ = timed(label, client.get, url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    print(f"  {'':<58} {len(queries):4d} queries")


def run(people: int, accounts: int) -> None:
    from django.test import Client

    from zgovern.core.actor import Actor
    from zgovern.reviews import services
    from zgovern.reviews.models import ReviewItem
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.tenancy.tests.conftest import api_client, issue_token

    org, owner = timed(f"set-up: {people:,} people, {accounts:,} accounts synced", build,
                       people, accounts)[0]  # fmt: skip
    actor = Actor(kind="user", label=owner.email, user=owner)
    with organization_scope(org):
        campaign, _ = timed(
            f"start a campaign over {accounts:,} accounts (per manager)",
            services.start_campaign, org, actor, title="Bench review", systems=list(SYSTEMS),
            due_date=date.today() + timedelta(days=14), default_reviewer=owner.pk,
            reviewer_mode="manager",
        )  # fmt: skip
        items = ReviewItem.objects.filter(campaign=campaign).count()
    print(f"  {'':<58} {items:,} items")
    client = Client()
    client.force_login(owner)
    url = f"/o/{org.slug}/reviews/{campaign.pk}/"
    timed("warm-up: first request (imports, templates)", client.get, f"/o/{org.slug}/reviews/")
    page(client, url, "campaign page, first 50 items")
    page(client, url, "campaign page, flag = dormant", {"flag": "dormant"})
    page(client, url, "campaign page, decision = undecided", {"decision": "undecided"})
    page(client, url, "campaign page, search 'user-77'", {"q": "user-77"})
    page(client, url, "campaign page, page 150", {"page": 150})
    page(client, f"/o/{org.slug}/reviews/", "campaigns list")
    api = api_client(issue_token(org, owner, read_only=False, name="bench"))
    page(api, f"/api/v1/reviews/campaigns/{campaign.pk}/items", "API items, limit 500",
         {"limit": 500, "flag": "privileged"})  # fmt: skip
    with organization_scope(org):
        first = ReviewItem.objects.filter(campaign=campaign).order_by("pk").first()
        timed("decide one item (APPROVE)", services.decide, org, actor, first.pk,
              decision="approve")  # fmt: skip
        decided_at = datetime.now(UTC)
        ReviewItem.objects.filter(campaign=campaign).update(
            decision="approve", decided_by=owner, decided_at=decided_at
        )  # bench set-up: decide the rest at once
        timed(f"complete: evidence package of {items:,} decisions",
              services.complete_campaign, org, actor, campaign.pk)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the size")
    args = parser.parse_args()
    people, accounts = (200, 1_000) if args.small else (2_000, 10_000)
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        fresh_database()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        print(f"access reviews on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        run(people, accounts)


if __name__ == "__main__":
    main()
