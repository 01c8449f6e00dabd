"""Benchmark the audit bundle: 5,000 evidence files (about 500 MB) and a year of check
history, exported as a signed bundle, beside ``zip -0 -r`` storing the same files.

    .venv/bin/python bench/bundle.py            # 5,000 files of 100 kB, 2,000 resources
    .venv/bin/python bench/bundle.py --small    # 500 files, 200 resources
    .venv/bin/python bench/bundle.py --rounds 5 # medians of 5 exports and 5 zips (default 3)

The data is made once in a temporary directory (SQLite, files through the evidence
service). The export then runs in a fresh process, so the peak resident memory it prints
(``VmHWM``) is the export's own, Django included, printed beside the peak of the process
that copies the evidence files meanwhile; ``zip -0 -r`` runs over the same blob
directory. The section modules are imported before the clock starts, as in the worker.
Exports and zips take turns, three of each by default, and the ratio is of the medians.
Targets: export within 1.5x of ``zip -0``, peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ("aws.iam.console_mfa", "aws.s3.bucket_encrypted", "aws.cloudtrail.enabled")


def setup_django(tmp: str) -> None:
    os.environ["ZG_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "zgovern.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_world(files: int, file_kb: int, resources: int) -> tuple[str, int]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    org, audit = _org_and_audit()
    started = time.perf_counter()
    _evidence(org, audit, files, file_kb)
    print(f"made {files} evidence files of {file_kb} kB in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rows = _history(org, resources)
    print(f"made {rows} check-history intervals in {time.perf_counter() - started:.1f} s")
    return org.slug, audit.pk


def _org_and_audit():
    from django.utils import timezone

    from zgovern.accounts.models import User
    from zgovern.audits import services as audits
    from zgovern.core.actor import Actor
    from zgovern.frameworks import services as frameworks
    from zgovern.tenancy import services
    from zgovern.tenancy.scoping import organization_scope

    actor = Actor.system("bench")
    owner = User.objects.create_user("bench@bench.example", "bench-password-1")
    org = services.create_organization("Bench", owner, actor)
    with organization_scope(org):
        frameworks.adopt_framework(org, actor, frameworks.builtin("soc2"))
        frameworks.adopt_default_controls(org, actor)
    today = timezone.localdate()
    audit = audits.create_audit(
        org,
        actor,
        {
            "name": "Bench",
            "framework": "soc2",
            "audit_type": "type2",
            "period_start": today - timedelta(days=364),
            "period_end": today,
        },
    )
    return org, audit


def _evidence(org, audit, files: int, file_kb: int) -> None:
    """Every file linked to a control in the audit's scope, so the bundle carries all of
    them and the comparison with ``zip -0`` is over the same bytes."""
    from django.core.files.base import ContentFile

    from zgovern.audits.builder import controls_in_scope
    from zgovern.controls import services as controls
    from zgovern.core.actor import Actor
    from zgovern.evidence import services as evidence
    from zgovern.tenancy.scoping import organization_scope

    actor, rng = Actor.system("bench"), random.Random(7)
    with organization_scope(org):
        control_ids = [control.pk for control in controls_in_scope(org, audit)]
        for number in range(files):
            data = b"%PDF-1.7\n" + rng.randbytes(file_kb * 1024 - 9)
            upload = ContentFile(data, name=f"evidence-{number}.pdf")
            item = evidence.add_file(
                org, actor, kind="report", title=f"Report {number}", uploaded_file=upload
            )
            controls.link_evidence(org, actor, control_ids[number % len(control_ids)], item.pk)


def _history(org, resources: int) -> int:
    """Per resource and check: a status change about every month for a year."""
    from django.utils import timezone

    from zgovern.controls.models import Control, ControlCheck
    from zgovern.monitoring.models import CheckInterval, Resource
    from zgovern.tenancy.scoping import organization_scope

    now, rng = timezone.now(), random.Random(11)
    with organization_scope(org):
        control = Control.objects.filter(organization=org).first()
        for check in CHECKS:
            ControlCheck.objects.get_or_create(organization=org, control=control, check_id=check)
        made = Resource.objects.bulk_create(
            Resource(
                organization=org,
                provider="aws",
                resource_type="aws.iam.user",
                external_id=f"arn:bench:{n}",
                name=f"user-{n}",
            )
            for n in range(resources)
        )
        rows = []
        for res in made:
            for check in CHECKS:
                rows.extend(_intervals(org, res, check, now, rng))
        CheckInterval.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _intervals(org, res, check: str, now, rng: random.Random):
    from zgovern.monitoring.models import CheckInterval

    start = now - timedelta(days=365)
    while start < now:
        end = min(now, start + timedelta(days=rng.randint(20, 40)))
        status = "pass" if rng.random() < 0.9 else "fail"
        yield CheckInterval(
            organization=org,
            check_id=check,
            resource=res,
            status=status,
            started_at=start,
            confirmed_at=end,
            ended_at=end if end < now else None,
        )
        start = end


def export(slug: str, audit_id: int, target: str) -> None:
    """In a fresh process: build the bundle into ``target``; print time and peak memory."""
    from zgovern.audits import builder
    from zgovern.audits.models import Audit
    from zgovern.tenancy.models import Organization
    from zgovern.tenancy.scoping import organization_scope

    _record_copier_peaks()
    _load_section_modules()
    org = Organization.objects.get(slug=slug)
    with organization_scope(org):
        audit = Audit.objects.select_related("framework").get(organization=org, pk=audit_id)
        baseline = _peak_kb()
        started = time.perf_counter()
        with open(target, "w+b") as handle:
            _, entries, _ = builder.build(org, audit, handle)
        seconds = time.perf_counter() - started
    peak = _peak_kb()
    copier = max(COPIER_PEAKS, default=0)
    print(f"EXPORT {seconds:.2f} {peak / 1024:.1f} {baseline / 1024:.1f} {len(entries)} "
          f"{copier / 1024:.1f}")  # fmt: skip


COPIER_PEAKS: list[int] = []


def _load_section_modules() -> None:
    """Import what the sections use before the clock starts, as the worker that builds
    bundles has long done (PDF rendering and spreadsheet libraries take about 0.15 s to
    import)."""
    from importlib import import_module

    from zgovern.audits.sections import SECTIONS

    for _key, _title, dotted in SECTIONS:
        import_module(dotted.partition(":")[0])


def _record_copier_peaks() -> None:
    """Note the peak memory the evidence copier reports of itself (its ``ru_maxrss`` would
    count the exporting process's image it was started from)."""
    from zgovern.audits import copying

    results = copying.CopyProcess.results

    def recorded(self):
        copied = results(self)
        COPIER_PEAKS.append(self.peak_kb or 0)
        return copied

    copying.CopyProcess.results = recorded


def _peak_kb() -> int:
    """This process image's peak resident set (VmHWM). Not ``ru_maxrss``: that survives
    ``exec`` and would count the parent's memory at the time of the fork."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="exports and zips to time")
    parser.add_argument(
        "--export", nargs=4, metavar=("DIR", "SLUG", "AUDIT", "TARGET"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.export:
        setup_django(args.export[0])
        export(args.export[1], int(args.export[2]), args.export[3])
        return
    files, resources = (500, 200) if args.small else (5000, 2000)
    with tempfile.TemporaryDirectory(prefix="zg-bench-bundle-") as tmp:
        setup_django(tmp)
        slug, audit_id = make_world(files, 100, resources)
        compare(tmp, slug, audit_id, max(1, args.rounds))


def compare(tmp: str, slug: str, audit_id: int, rounds: int) -> None:
    """Export and ``zip -0`` in turns, ``rounds`` times each; print every round and the
    medians (one round alone says more about the machine's disk than about the code)."""
    from django.db import connections

    connections.close_all()
    exports, zips = [], []
    for number in range(1, rounds + 1):
        exports.append(_export_once(tmp, slug, audit_id))
        zips.append(_zip_once(tmp))
        zipped_mb = os.path.getsize(os.path.join(tmp, "plain.zip")) / 1e6
        print(f"round {number}: bundle {exports[-1]['seconds']:.2f} s, zip -0 {zips[-1]:.2f} s")
    seconds, plain = statistics.median(e["seconds"] for e in exports), statistics.median(zips)
    last = exports[-1]
    print(f"bundle: {last['entries']:.0f} files, {last['size']:.0f} MB; median {seconds:.2f} s")
    print(f"zip -0 -r of the same evidence files: median {plain:.2f} s ({zipped_mb:.0f} MB)")
    print(f"ratio of the medians, bundle / zip -0: {seconds / plain:.2f} (target <= 1.5)")
    print(
        f"peak resident memory of the export process: {max(e['peak'] for e in exports):.0f} MB "
        f"(after start-up: {last['baseline']:.0f} MB; target < 200 MB)"
    )
    copier = max(e["copier"] for e in exports)
    print(f"peak resident memory of the evidence copier process: {copier:.0f} MB")
    shutil.rmtree(os.path.join(tmp, "media", "evidence"), ignore_errors=True)


def _export_once(tmp: str, slug: str, audit_id: int) -> dict[str, float]:
    target = os.path.join(tmp, "bundle.zip")
    out = subprocess.run(
        [sys.executable, __file__, "--export", tmp, slug, str(audit_id), target],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("EXPORT"))
    seconds, peak, baseline, entries, copier = (float(value) for value in line.split()[1:])
    size = os.path.getsize(target) / 1e6
    os.unlink(target)
    return {"seconds": seconds, "peak": peak, "baseline": baseline, "entries": entries,
            "copier": copier, "size": size}  # fmt: skip


def _zip_once(tmp: str) -> float:
    zipped = os.path.join(tmp, "plain.zip")
    if os.path.exists(zipped):
        os.unlink(zipped)
    started = time.perf_counter()
    subprocess.run(["zip", "-0", "-q", "-r", zipped, "."], cwd=os.path.join(tmp, "media",
                   "evidence"), check=True)  # fmt: skip
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
