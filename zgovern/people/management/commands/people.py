"""``zgovern people import ORG_SLUG FILE``: import a roster file (CSV or XLSX) into an
organisation's people, as the upload page does.

Prints how many people were added, updated and left unchanged. A bad file imports nothing:
every problem is printed, located by line and column, and the command exits with status 1.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.people import services
from zgovern.people.roster import RosterError
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope


class Command(BaseCommand):
    help = "Import a roster file into an organisation's people."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import}")
        importing = actions.add_parser("import", help="import a CSV or XLSX roster")
        importing.add_argument("org_slug", help="The organisation's slug, as in /o/<slug>/.")
        importing.add_argument("file", help="The roster file (.csv or .xlsx).")

    def handle(self, *args, action: str, org_slug: str, file: str, **options) -> None:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {org_slug!r}.", returncode=1)
        path = Path(file)
        try:
            with path.open("rb") as handle:
                data = handle.read(settings.ROSTER_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.", returncode=1) from None
        try:
            with organization_scope(org):
                report = services.import_roster(org, Actor.system("cli"), path.name, data)
        except RosterError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(exc.message, returncode=1) from None
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name} into {org.slug}: {report.created} added, "
                f"{report.updated} updated, {report.unchanged} unchanged."
            )
        )
