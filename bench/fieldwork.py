"""Benchmark audit fieldwork at the size of a mid-sized company's year.

    .venv/bin/python bench/fieldwork.py            # 5,000 people, 20,000 accounts, 10,000 changes
    .venv/bin/python bench/fieldwork.py --small    # a tenth of that

On a fresh SQLite database in a temporary directory (./var is never touched), times:

- listing each population of a one-year period (what the population page and its export
  read);
- drawing a seeded sample of 60 items from each (the population is listed again and
  stored with the sample);
- the evidence of every sampled item (the sample page);
- the bundle's populations-and-samples section over everything.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(people: int):
    """An organisation with SOC 2, an audit over the last year, and the period's records."""
    from django.utils import timezone

    from zgovern.accounts.models import User
    from zgovern.audits import services as audits
    from zgovern.changes.models import ChangeRecord
    from zgovern.core.actor import Actor
    from zgovern.frameworks import services as frameworks
    from zgovern.identity.models import Account
    from zgovern.incidents.models import Incident, Severity
    from zgovern.people.models import Person
    from zgovern.tenancy import services as tenancy
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.vendors.models import Assessment, Vendor

    system = Actor.system("bench")
    owner = User.objects.create_user("owner@bench.example", "x" * 12, full_name="Owner")
    org = tenancy.create_organization("Bench", owner, system)
    now, today = timezone.now(), timezone.localdate()
    with organization_scope(org):
        frameworks.adopt_framework(org, system, frameworks.builtin("soc2"))
        audit = audits.create_audit(
            org,
            system,
            {
                "name": "Bench",
                "framework": "soc2",
                "audit_type": "type2",
                "period_start": today - timedelta(days=364),
                "period_end": today,
            },
        )
        rows = [
            Person(
                organization=org,
                full_name=f"Person {i}",
                work_email=f"p{i}@bench.example",
                employment_type="employee",
                source="manual",
                start_date=today - timedelta(days=i % 730),
                end_date=today - timedelta(days=i % 300) if i % 5 == 0 else None,
            )
            for i in range(people)
        ]
        Person.objects.bulk_create(rows, batch_size=1000)
        persons = list(Person.objects.filter(organization=org).order_by("pk"))
        accounts = [
            Account(
                organization=org,
                system=s,
                external_id=f"{s}-{p.pk}",
                username=f"u{p.pk}",
                status="suspended" if p.end_date else "active",
                person=p,
                first_seen_at=now - timedelta(days=p.pk % 700),
                deactivated_at=now - timedelta(days=p.pk % 300) if p.end_date else None,
            )
            for p in persons
            for s in ("okta", "google", "github", "aws")
        ]
        Account.objects.bulk_create(accounts, batch_size=2000)
        changes = [
            ChangeRecord(
                organization=org,
                source="bench",
                repository="acme/api",
                number=i,
                title=f"Change {i}",
                author="dev",
                approvers=["lead"] if i % 9 else [],
                merged_at=now - timedelta(hours=i),
                checks="passed",
                approved=i % 9 > 0,
            )
            for i in range(people * 2)
        ]
        ChangeRecord.objects.bulk_create(changes, batch_size=2000)
        sev = Severity.objects.create(
            organization=org, name="SEV2", rank=2, description="x", response_target_hours=48
        )
        Incident.objects.bulk_create(
            [
                Incident(
                    organization=org,
                    title=f"Incident {i}",
                    severity=sev,
                    status="resolved",
                    detected_at=now - timedelta(hours=i * 9),
                    resolved_at=now - timedelta(hours=i * 9 - 5),
                    due_at=now - timedelta(hours=i * 9 - 48),
                )
                for i in range(people // 5)
            ]
        )
        vendors = Vendor.objects.bulk_create(
            [
                Vendor(organization=org, name=f"Vendor {i}", criticality="high")
                for i in range(people // 10)
            ]
        )
        Assessment.objects.bulk_create(
            [
                Assessment(
                    organization=org,
                    vendor=v,
                    questionnaire_key="security",
                    questionnaire_title="Security",
                    status="completed",
                    conclusion="acceptable",
                    assessed_at=now - timedelta(days=i % 360),
                )
                for i, v in enumerate(vendors)
            ]
        )
    return org, audit, system


def timed(label: str, func):
    started = time.perf_counter()
    result = func()
    print(f"  {label:<48} {time.perf_counter() - started:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    people = 500 if args.small else 5000
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        from zgovern.audits import builder
        from zgovern.fieldwork import populations, services
        from zgovern.fieldwork.models import PopulationKind, Sample
        from zgovern.tenancy.scoping import organization_scope

        print(f"fieldwork: {people:,} people, {people * 4:,} accounts, {people * 2:,} changes")
        org, audit, system = timed("set-up", lambda: build(people))
        with organization_scope(org):
            start, end = services.period(audit)
            for kind in PopulationKind.values:
                listed = timed(
                    f"list {kind}", lambda k=kind: populations.population(org, k, start, end)
                )
                size = min(60, len(listed.items))
                if not size:
                    continue
                sample = timed(
                    f"  sample {size} of {len(listed.items):,}",
                    lambda k=kind, n=size: services.create_sample(
                        org, system, audit.pk, population=k, size=n, seed=1
                    ),
                )
                timed(
                    "  evidence of the sampled items",
                    lambda s=sample: populations.evidence(org, s.population, s.chosen_keys),
                )
            section = (("populations", "Populations", "zgovern.fieldwork.bundle:write"),)
            target = io.BytesIO()
            timed(
                f"bundle section ({Sample.objects.filter(organization=org).count()} samples)",
                lambda: builder.build(org, audit, target, sections=section),
            )
            print(f"  bundle size: {target.tell() / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
