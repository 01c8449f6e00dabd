"""``zgovern readiness ORG_SLUG [--format json|table]``: an organisation's readiness now.

``table`` (the default) prints, per framework, the score, the projection, categories,
controls by status and the gaps worst first; ``json`` prints the same data as
``GET /api/v1/readiness``. An unknown organisation exits with status 1.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from rich.console import Console
from rich.table import Table

from zgovern.readiness import overview
from zgovern.readiness.overview import FrameworkView
from zgovern.readiness.serialize import overview_data
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

MAX_REASONS = 3


class Command(BaseCommand):
    help = "Print an organisation's readiness: scores, categories, gaps and projection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug", help="The organisation's slug, as in /o/<slug>/.")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, org_slug: str, format: str, **options) -> None:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {org_slug!r}.", returncode=1)
        with organization_scope(org):
            result = overview.build(org)
        if format == "json":
            self.stdout.write(json.dumps(overview_data(result), cls=DjangoJSONEncoder, indent=2))
            return
        console = Console(file=self.stdout, width=120, force_terminal=False, highlight=False)
        console.print(f"Readiness of {org.name} ({org.slug}) on {result.today:%Y-%m-%d}")
        console.print(f"Overdue remediation tasks: {result.overdue_tasks}")
        if not result.frameworks:
            console.print("No framework is adopted yet.")
        for fw in result.frameworks:
            _print_framework(console, fw)


def _print_framework(console: Console, fw: FrameworkView) -> None:
    r = fw.readiness
    console.print()
    console.print(
        f"[bold]{r.framework.name}[/bold]: {r.score:.0%} ready, {r.criteria_ready} of "
        f"{r.criteria_in_scope} criteria in scope ready"
    )
    console.print(f"Projection ({fw.projection.status.replace('_', ' ')}): {fw.projection.message}")
    categories = Table("Category", "Ready", "In scope", "Readiness", title="Categories")
    for c in r.categories:
        categories.add_row(c.category.name, str(c.criteria_ready), str(c.criteria_in_scope),
                           f"{c.score:.0%}")  # fmt: skip
    console.print(categories)
    statuses = Table("Status", "Controls", title="Controls by status")
    for s in fw.statuses:
        statuses.add_row(s.label, str(s.count))
    console.print(statuses)
    gaps = Table("#", "Control", "Severity", "Status", "Why", title="Gaps, worst first")
    for gap in fw.gaps:
        why = "\n".join(gap.reasons[:MAX_REASONS])
        gaps.add_row(str(gap.rank), f"{gap.control.name}\n({gap.control.key}, id {gap.control.id})",
                     gap.control.severity, gap.label, why)  # fmt: skip
    console.print(gaps)
