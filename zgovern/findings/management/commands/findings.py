"""``zgovern findings ORG_SLUG [--period START:END] [--audit ID] [--json]``: run the
pre-audit findings scan inline for a period (default: the last 6 months) and print the
exceptions by category, or the scan and its open findings as JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.findings import queries, serialize, services
from zgovern.findings.models import Category, Kind, ScanStatus
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope


class Command(BaseCommand):
    help = "Run the pre-audit findings scan for an organisation and print what it found."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug", help="The organisation's slug, as in /o/<slug>/.")
        parser.add_argument("--period", default="", help="START:END as YYYY-MM-DD:YYYY-MM-DD.")
        parser.add_argument("--audit", default="", help="Use this audit's period.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, org_slug: str, period: str, audit: str, **options) -> None:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {org_slug!r}.", returncode=1)
        start, _, end = period.partition(":")
        if period and not end:
            raise CommandError("Give --period as START:END (YYYY-MM-DD:YYYY-MM-DD).", returncode=1)
        with organization_scope(org):
            try:
                scan = services.request_scan(
                    org,
                    Actor.system("cli"),
                    period_start=start or None,
                    period_end=end or None,
                    audit_id=audit or None,
                    enqueue=False,
                )
            except DomainError as exc:
                raise CommandError(exc.message, returncode=1) from None
            scan = services.run_scan(scan.pk, "cli") or scan
            if scan.status != ScanStatus.DONE:
                raise CommandError(f"The scan failed: {scan.error}", returncode=1)
            rows = list(queries.findings(org).order_by("category", "-kind", "id"))
        if options["json"]:
            payload = {
                "scan": serialize.scan(scan),
                "findings": [serialize.finding(r) for r in rows],
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        self._print(scan, rows)

    def _print(self, scan, rows) -> None:
        self.stdout.write(
            f"Findings for {scan.period_start} to {scan.period_end} "
            f"({scan.duration_seconds:.1f} s): {sum(scan.counts.values())} exceptions, "
            f"{scan.opened} new, {scan.resolved} resolved."
        )
        for category in Category:
            found = [r for r in rows if r.category == category.value]
            if not found:
                self.stdout.write(f"  {category.label}: no exceptions")
                continue
            for row in found:
                prefix = "  " if row.kind == Kind.SUMMARY else "    - "
                self.stdout.write(f"{prefix}[{row.severity}] {row.wording}")
