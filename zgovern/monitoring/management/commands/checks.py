"""``zgovern checks``: run the automated checks, import a scanner's findings, validate.

    zgovern checks run ORG [--integration NAME] [--check ID ...] [--json]
    zgovern checks import-ocsf ORG FILE [--integration NAME]
    zgovern checks validate

``run`` runs the organisation's enabled integrations (or the named one, enabled or not)
now, with a progress bar, and prints each run's outcome; ``--json`` prints the runs and
every finding as JSON on stdout instead (the progress bar goes to stderr). It exits with
status 1 when a run failed, timed out or could not start because it is already running.
``import-ocsf`` records an OCSF findings file (as Prowler writes it). ``validate`` checks
every provider's checks.yaml and the OCSF mapping, printing located problems.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.frameworks.yamlsource import LibraryError
from zgovern.integrations import registry as providers
from zgovern.integrations.models import Integration
from zgovern.monitoring import ocsf, registry, runner, services
from zgovern.monitoring.models import CheckInterval, CheckRun, RunStatus, RunTrigger
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

ACTOR = Actor.system("command line")
BAD_ENDINGS = (RunStatus.FAILED, RunStatus.TIMED_OUT)


class Command(BaseCommand):
    help = "Run automated checks now, import OCSF findings, or validate the check metadata."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{run,import-ocsf,validate}"
        )
        run = actions.add_parser("run", help="run an organisation's checks now")
        run.add_argument("org", metavar="ORG", help="the organisation's slug")
        run.add_argument("--integration", metavar="NAME", help="only this integration")
        run.add_argument(
            "--check", metavar="ID", action="append", help="only this check (repeatable)"
        )
        run.add_argument("--json", action="store_true", help="print the results as JSON")
        imports = actions.add_parser(
            "import-ocsf", aliases=["import_ocsf"], help="import OCSF findings"
        )
        imports.add_argument("org", metavar="ORG", help="the organisation's slug")
        imports.add_argument("file", metavar="FILE", help="a JSON array of OCSF findings")
        imports.add_argument(
            "--integration", metavar="NAME", help="record them as this integration's"
        )
        actions.add_parser("validate", help="check every provider's checks.yaml")

    def handle(self, *args, action: str, **options: Any) -> None:
        if action == "validate":
            return self._validate()
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {options['org']!r}.")
        with organization_scope(org):
            if action == "run":
                return self._run(org, options)
            return self._import(org, options)

    # -- run ----------------------------------------------------------------------------

    def _run(self, org: Organization, options: dict[str, Any]) -> None:
        plan = _plan(org, options["integration"], options["check"] or [])
        # The bar goes to the command's own streams (Django wraps them; rich wants the file).
        stream = self.stderr if options["json"] else self.stdout
        console = Console(file=getattr(stream, "_out", stream))
        results = []
        with _progress(console) as progress:
            for integration, check_ids in plan:
                task = progress.add_task(integration.name, total=None, stage="starting")

                def report(stage: str, done: int, total: int, task=task) -> None:
                    progress.update(task, completed=done, total=total, stage=stage)

                run = runner.run_integration(
                    integration.pk, RunTrigger.CLI, checks=check_ids or None, progress=report
                )
                results.append((integration, run))
        if options["json"]:
            self.stdout.write(json.dumps([_as_json(i, r) for i, r in results], indent=2))
        else:
            for integration, run in results:
                self._print_run(integration, run)
        if any(run is None or run.status in BAD_ENDINGS for _, run in results):
            raise CommandError("Not every run succeeded.")

    def _print_run(self, integration: Integration, run: CheckRun | None) -> None:
        if run is None:
            self.stdout.write(self.style.WARNING(f"{integration.name}: already running elsewhere"))
            return
        line = (
            f"{integration.name}: {run.get_status_display()} "
            f"in {run.duration_seconds or 0:.1f} s: "
            f"{run.passed} pass, {run.failed} fail, {run.errored} error "
            f"({run.resources_seen} resources, run #{run.pk})"
        )
        style = self.style.ERROR if run.status in BAD_ENDINGS else self.style.SUCCESS
        self.stdout.write(style(line))
        for error in run.errors:
            needs = f" (needs {error['permission']})" if error.get("permission") else ""
            self.stdout.write(f"  {error['scope']}: {error['message']}{needs}")

    # -- import -------------------------------------------------------------------------

    def _import(self, org: Organization, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        try:
            run = services.import_ocsf(org, ACTOR, data, integration_name=options["integration"])
        except ocsf.NotOcsf as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"{path} is not an OCSF findings file; nothing was recorded."
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {sum(run.counts().values())} findings of {len(run.checks)} checks "
                f"({run.passed} pass, {run.failed} fail, {run.skipped} skipped) as run #{run.pk}."
            )
        )

    # -- validate -----------------------------------------------------------------------

    def _validate(self) -> None:
        problems: list[str] = []
        registry.clear()
        for provider in providers.all_providers():
            try:
                specs = registry.provider_checks(provider)
            except LibraryError as exc:
                problems.extend(str(problem) for problem in exc.problems)
                continue
            self.stdout.write(f"{provider.key}: {len(specs)} checks")
        try:
            ocsf.mappings.cache_clear()
            for product, table in ocsf.mappings().items():
                self.stdout.write(f"OCSF mapping {product}: {len(table)} scanner checks")
        except LibraryError as exc:
            problems.extend(str(problem) for problem in exc.problems)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) found")
        self.stdout.write(self.style.SUCCESS("OK: no problems found"))


def _plan(
    org: Organization, name: str | None, check_ids: list[str]
) -> list[tuple[Integration, list[str]]]:
    """The integrations to run, each with the requested checks it has (all when none)."""
    rows = Integration.objects.filter(organization=org)
    chosen = list(rows.filter(name=name) if name else rows.filter(enabled=True))
    if not chosen:
        raise CommandError(
            f"No integration named {name!r}." if name else "No enabled integrations."
        )
    if not check_ids:
        return [(integration, []) for integration in chosen]
    known = registry.all_checks()
    unknown = [c for c in check_ids if c not in known]
    if unknown:
        raise CommandError(f"Unknown check {', '.join(map(repr, unknown))}.")
    plan = [(i, [c for c in check_ids if known[c].provider == i.provider]) for i in chosen]
    plan = [(i, ids) for i, ids in plan if ids]
    if not plan:
        raise CommandError("None of the chosen integrations has those checks.")
    return plan


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _as_json(integration: Integration, run: CheckRun | None) -> dict[str, Any]:
    if run is None:
        return {"integration": integration.name, "status": "already_running"}
    findings = CheckInterval.objects.filter(
        organization=integration.organization,
        check_id__in=run.checks,
        confirmed_at=run.started_at,
        resource__integration=integration,
    ).select_related("resource")
    return {
        "integration": integration.name,
        "run_id": run.pk,
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "duration_seconds": run.duration_seconds,
        "counts": {str(k): v for k, v in run.counts().items()},
        "errors": run.errors,
        "findings": [
            {
                "check_id": f.check_id,
                "resource_type": f.resource.resource_type,
                "resource": f.resource.external_id,
                "name": f.resource.name,
                "status": f.status,
                "reason": f.reason,
            }
            for f in findings.order_by("check_id", "resource__external_id")
        ],
    }
