"""``zgovern policies export ORG_SLUG DIR``: write an organisation's policy library to a
folder: ``library.pdf`` (every policy's published version, else its latest, with its
approval record) and, per policy, that version as ``<key>-v<n>.md`` (the Markdown as
approved) and ``<key>-v<n>.pdf``. Existing files of the same names are replaced."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zgovern.policies import pdf, queries
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope


class Command(BaseCommand):
    help = "Export an organisation's policy library (PDF and Markdown)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export}")
        exporting = actions.add_parser("export", help="write the library PDF and each policy")
        exporting.add_argument("org_slug", help="The organisation's slug, as in /o/<slug>/.")
        exporting.add_argument("directory", help="The folder to write (created if missing).")

    def handle(self, *args, action: str, org_slug: str, directory: str, **options) -> None:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {org_slug!r}.", returncode=1)
        folder = Path(directory)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with organization_scope(org):
                written = self._export(org, folder)
        except OSError as exc:
            raise CommandError(f"Cannot write {directory}: {exc.strerror}.", returncode=1) from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} files to {folder}."))

    def _export(self, org: Organization, folder: Path) -> int:
        entries = queries.library(org)
        (folder / "library.pdf").write_bytes(pdf.library_pdf(org.name, entries))
        for policy, version in entries:
            stem = f"{policy.key}-v{version.number}"
            (folder / f"{stem}.md").write_text(version.body, encoding="utf-8")
            (folder / f"{stem}.pdf").write_bytes(pdf.version_pdf(version))
        return 1 + 2 * len(entries)
