"""Benchmark the audit request list: importing the auditor's list and proposing answers.

    .venv/bin/python bench/pbc.py            # 2,000 requests, 5,000 evidence items
    .venv/bin/python bench/pbc.py --small    # a tenth of that

Times, on a fresh SQLite database (ZG_VAR_DIR points at a temporary directory):

- the first import of the request list (validated whole, then created), and the same file
  imported again (matched by reference, nothing changed);
- the list page's query of overdue requests;
- proposed answers for a sample of requests against the evidence library (criteria
  through controls, and wording against the newest 5,000 items): mean and worst time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "access", "review", "quarterly", "incident", "log", "backup", "restore", "change",
    "approval", "vendor", "assessment", "training", "awareness", "policy", "encryption",
    "firewall", "onboarding", "offboarding", "background", "check", "mfa", "password",
    "rotation", "penetration", "test", "risk", "register",
)  # fmt: skip
REFS = ("CC6.1", "CC6.2", "CC6.3", "CC7.2", "CC7.3", "CC8.1", "CC9.2", "CC1.4")


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def world(items: int):
    """An organisation with SOC 2 and its controls, an audit, and ``items`` evidence items
    (a third linked to controls)."""

    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.tenancy.scoping import organization_scope
    from zgovern.tenancy.services import create_organization

    actor = Actor.system("bench")
    owner = User.objects.create_user("owner@bench.example", "x" * 16)
    org = create_organization("Bench requests", owner, actor)
    with organization_scope(org):
        return _fill(org, owner, actor, items)


def _fill(org, owner, actor, items: int):
    from django.utils import timezone

    from zgovern.audits import services as audits
    from zgovern.controls.models import Control, ControlEvidence
    from zgovern.evidence.models import EvidenceItem
    from zgovern.frameworks import services as frameworks

    frameworks.adopt_framework(org, actor, frameworks.builtin("soc2"))
    frameworks.adopt_default_controls(org, actor)
    audit = audits.create_audit(
        org,
        actor,
        {
            "name": "Bench",
            "framework": "soc2",
            "audit_type": "type1",
            "period_end": timezone.localdate(),
        },
    )
    rng = random.Random(7)
    now = timezone.now()
    rows = [
        EvidenceItem(
            organization=org,
            kind=rng.choice(WORDS),
            source="record",
            title=" ".join(rng.sample(WORDS, 4)),
            description=" ".join(rng.sample(WORDS, 8)),
            sha256=f"{i:064x}",
            record={"i": i},
            collected_at=now,
        )
        for i in range(items)
    ]
    EvidenceItem.objects.bulk_create(rows, batch_size=1000)
    controls = list(Control.objects.filter(organization=org))
    ids = list(EvidenceItem.objects.filter(organization=org).values_list("pk", flat=True))
    links = {(rng.choice(controls).pk, pk) for pk in ids[: items // 3]}
    ControlEvidence.objects.bulk_create(
        [ControlEvidence(organization=org, control_id=c, evidence_id=e) for c, e in links],
        batch_size=1000,
    )
    return org, owner, audit, actor


def request_list(count: int, owner_email: str) -> bytes:
    rng = random.Random(11)
    lines = ["reference,title,description,criteria,due_date,assignee_email"]
    for i in range(count):
        title = " ".join(rng.sample(WORDS, 3))
        refs = "; ".join(rng.sample(REFS, 2))
        lines.append(
            f"PBC-{i:05d},{title},Please provide {title} for the period,{refs},,{owner_email}"
        )
    return ("\n".join(lines) + "\n").encode()


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"  {label:<52} {elapsed:7.2f} s")
    return result, elapsed


def run(requests: int, items: int) -> None:
    from zgovern.pbc import queries, services, suggest
    from zgovern.pbc.models import AuditRequest
    from zgovern.tenancy.scoping import organization_scope

    print(f"{requests:,} requests, {items:,} evidence items")
    org, owner, audit, actor = world(items)
    data = request_list(requests, owner.email)
    with organization_scope(org):
        report, _ = timed(
            "first import", lambda: services.import_requests(org, actor, audit.pk, "list.csv", data)
        )
        print(f"  -> {report.created:,} created")
        report, _ = timed(
            "same file again",
            lambda: services.import_requests(org, actor, audit.pk, "list.csv", data),
        )
        print(f"  -> {report.unchanged:,} unchanged, {report.created + report.updated} written")
        timed(
            "overdue requests (list filter)",
            lambda: list(queries.requests(org, audit, timeliness="overdue")),
        )
        sample = list(AuditRequest.objects.filter(audit=audit).order_by("?")[:50])
        times = []
        for req in sample:
            start = time.perf_counter()
            found = suggest.suggest(org, req)
            times.append(time.perf_counter() - start)
        print(
            f"  proposed answers, {len(sample)} requests: "
            f"mean {statistics.mean(times) * 1000:.0f} ms,"
            f" worst {max(times) * 1000:.0f} ms ({len(found)} proposals for the last)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the default sizes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        if args.small:
            run(200, 500)
        else:
            run(2000, 5000)


if __name__ == "__main__":
    main()
