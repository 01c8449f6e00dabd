"""Load test: 1,000 employees acknowledge a newly published policy at once, against the
served app (gunicorn, as ``zgovern serve`` runs it), through the REST API's own
acknowledgement endpoint with each employee's own token.

    .venv/bin/python bench/acknowledge_load.py                 # 1,000 employees, 2 workers
    .venv/bin/python bench/acknowledge_load.py --people 200 --workers 4 --double

Steps: a fresh SQLite database in a temporary ZG_VAR_DIR (never ./var); an organisation
with N employees (each a user with the employee role, a person on the roster and an API
token, read-only as the role makes it); the Acceptable Use Policy adopted, approved and
published to everyone. Then gunicorn is started on a free port and every employee sends
``POST /api/v1/policies/versions/{id}/acknowledge`` at the same moment (asyncio + httpx,
all connections opened together). With ``--double`` each employee sends it twice at once
(a double click): exactly one must land (201) and the other be refused (409).

Printed: status counts, wall time, throughput, latency percentiles; then what the
database holds: acknowledgements (must equal N, one per person), activity-log rows, and
whether any request failed (5xx or a transport error). Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
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


def build(people: int) -> tuple[str, int, list[str]]:
    """The organisation, its employees and their tokens; returns (slug, version id, tokens)."""
    from zgovern.accounts.models import User
    from zgovern.core.actor import Actor
    from zgovern.people.models import Person
    from zgovern.policies import services as policies
    from zgovern.tenancy import services as tenancy
    from zgovern.tenancy.models import Membership
    from zgovern.tenancy.roles import Role
    from zgovern.tenancy.scoping import organization_scope

    system = Actor.system("bench")
    owner = User.objects.create_user("owner@bench.example", "bench-password-123")
    org = tenancy.create_organization("Bench acknowledgements", owner, system)
    # No password: these employees only use tokens (hashing 1,000 passwords is not the point).
    users = User.objects.bulk_create(
        [User(email=f"e{i}@bench.example", full_name=f"Employee {i}") for i in range(people)]
    )
    with organization_scope(org):
        Membership.objects.bulk_create(
            [Membership(organization=org, user=u, role=Role.EMPLOYEE) for u in users]
        )
        Person.objects.bulk_create([
            Person(organization=org, full_name=u.full_name, work_email=u.email,
                   employment_type="employee", start_date="2023-01-02", source="csv")
            for u in users
        ])  # fmt: skip
        tokens = []
        for membership in Membership.objects.filter(organization=org, role=Role.EMPLOYEE):
            _, raw = tenancy.create_api_token(
                org, membership, system, name="bench", read_only=True, expires_at=None
            )
            tokens.append(raw)
        policy = policies.adopt_template(org, system, template_key="acceptable-use")
        version = policy.versions.get()
        policies.submit_for_review(org, system, version.pk)
        policies.approve(org, system, version.pk)
        policies.publish(org, system, version.pk)
    return org.slug, version.pk, tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "zgovern.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--backlog", "4096",
        "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())


def wait_until_up(port: int, deadline_s: float = 60) -> None:
    import httpx

    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/version", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


async def fire(port: int, version_id: int, tokens: list[str], copies: int):
    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    url = f"http://127.0.0.1:{port}/api/v1/policies/versions/{version_id}/acknowledge"
    limits = httpx.Limits(max_connections=len(tokens) * copies, max_keepalive_connections=0)
    results: list[tuple[int | str, float]] = []
    gate = asyncio.Event()
    async with httpx.AsyncClient(limits=limits, timeout=300) as client:

        async def one(token: str) -> None:
            await gate.wait()
            started = time.perf_counter()
            try:
                response = await client.post(
                    url, headers={"Authorization": f"Bearer {token}", "User-Agent": "bench/1"}
                )
                results.append((response.status_code, time.perf_counter() - started))
            except httpx.HTTPError as exc:
                results.append((type(exc).__name__, time.perf_counter() - started))

        tasks = [asyncio.create_task(one(t)) for t in tokens for _ in range(copies)]
        await asyncio.sleep(0.2)
        began = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - began
    return results, wall


def check_database(slug: str, people: int) -> dict:
    from django.db.models import Count

    from zgovern.policies.models import Acknowledgement
    from zgovern.tenancy.models import ActivityLog, Organization
    from zgovern.tenancy.scoping import organization_scope

    org = Organization.objects.get(slug=slug)
    with organization_scope(org):
        acks = Acknowledgement.objects.filter(organization=org)
        twice = acks.values("person_id").annotate(n=Count("id")).filter(n__gt=1).count()
        logged = ActivityLog.objects.filter(organization=org, action="policy.acknowledged")
        return {
            "acknowledgements": acks.count(),
            "people acknowledged more than once": twice,
            "with client address and agent": acks.exclude(client_ip="")
            .filter(user_agent="bench/1")
            .count(),
            "activity rows policy.acknowledged": logged.count(),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (serve: 2)")
    parser.add_argument("--double", action="store_true", help="each employee clicks twice")
    args = parser.parse_args()
    copies = 2 if args.double else 1
    with tempfile.TemporaryDirectory(prefix="zg-bench-ack-") as tmp:
        setup_django(tmp)
        started = time.perf_counter()
        slug, version_id, tokens = build(args.people)
        print(f"setup: {args.people} employees with tokens, policy published "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        port = free_port()
        server = serve(port, args.workers)
        try:
            wait_until_up(port)
            results, wall = asyncio.run(fire(port, version_id, tokens, copies))
        finally:
            server.terminate()
            server.wait(timeout=30)
        return report(results, wall, check_database(slug, args.people), args.people, copies)


def report(results, wall: float, db: dict, people: int, copies: int) -> int:
    statuses = Counter(status for status, _ in results)
    latencies = sorted(seconds for _, seconds in results)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"requests: {len(results)} ({people} employees x {copies}) at once, "
          f"{args_workers()} gunicorn workers")  # fmt: skip
    print(f"statuses: {dict(sorted(statuses.items(), key=str))}")
    print(f"wall: {wall:.2f} s, {len(results) / wall:.0f} requests/s")
    print(f"latency: p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms")  # fmt: skip
    for name, value in db.items():
        print(f"database: {name}: {value}")
    problems = []
    if statuses.get(201, 0) != people:
        problems.append(f"{statuses.get(201, 0)} landed, expected {people}")
    if copies == 2 and statuses.get(409, 0) != people:
        problems.append(f"{statuses.get(409, 0)} duplicates refused, expected {people}")
    errors = sum(n for s, n in statuses.items() if not isinstance(s, int) or s >= 500)
    if errors:
        problems.append(f"{errors} server or transport errors")
    if db["acknowledgements"] != people or db["people acknowledged more than once"]:
        problems.append("the database does not hold exactly one acknowledgement per person")
    if db["activity rows policy.acknowledged"] != people:
        problems.append("activity rows do not match the acknowledgements")
    print("OK: every acknowledgement landed exactly once" if not problems else "FAILED:")
    for problem in problems:
        print(f"  - {problem}")
    return 1 if problems else 0


def args_workers() -> str:
    return next((sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--workers"), "2")


if __name__ == "__main__":
    sys.exit(main())
