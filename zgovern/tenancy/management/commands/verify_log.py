"""``zgovern verify-log ORG_SLUG``: recompute an organisation's activity-log hash chain.

Exits 0 when every row matches, 1 at the first row that does not (altered, missing, or
the chain's recorded end no longer matches its last row)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zgovern.tenancy.activity import verify_chain
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope


class Command(BaseCommand):
    help = "Verify the hash chain of an organisation's activity log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug", help="The organisation's slug, as in /o/<slug>/.")

    def handle(self, *args, org_slug: str, **options) -> None:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {org_slug!r}.", returncode=2)
        with organization_scope(org):
            report = verify_chain(org)
        if not report.ok:
            raise CommandError(
                f"BROKEN at row #{report.first_broken_seq}: {report.reason} "
                f"({report.rows_checked} rows before it check out).",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"OK: {report.rows_checked} rows checked for {org.slug}.")
        )
