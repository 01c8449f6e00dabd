"""``zgovern verify BUNDLE.zip [--fingerprint SHA256:…]``: check an audit bundle offline
(every file's hash and size, and the manifest's signature); exits 1 naming what differs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zgovern.audits.verify import verify_bundle


class Command(BaseCommand):
    help = "Verify an audit bundle offline."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bundle", help="The bundle's .zip file.")
        parser.add_argument("--fingerprint", help="The organisation's key fingerprint.")

    def handle(self, *args, bundle: str, fingerprint: str | None = None, **options) -> None:
        report = verify_bundle(bundle, fingerprint)
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("The bundle does not verify.", returncode=1)
