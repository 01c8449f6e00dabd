"""``zgovern audit export ORG_SLUG AUDIT_ID [--output FILE]``: build an audit's bundle now,
in this process, with a progress bar, and copy it to FILE (default: the current directory).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress

from zgovern.audits import services
from zgovern.audits.models import Bundle, BundleStatus
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope


class Command(BaseCommand):
    help = "Export an audit's bundle."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export}")
        export = actions.add_parser("export", help="build and save an audit bundle")
        export.add_argument("org_slug", help="The organisation's slug, as in /o/<slug>/.")
        export.add_argument("audit_id", help="The audit's id.")
        export.add_argument("--output", "-o", help="Where to write the ZIP.")

    def handle(self, *args, action: str, org_slug: str, audit_id: str, **options) -> None:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {org_slug!r}.", returncode=1)
        try:
            bundle = services.request_bundle(org, Actor.system("cli"), audit_id, enqueue=False)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from None
        with Progress(transient=True) as progress:
            task = progress.add_task("building", total=None)
            built = services.build_bundle(bundle.pk, "command line")
            progress.update(task, completed=1, total=1)
        with organization_scope(org):
            built = Bundle.objects.get(organization=org, pk=bundle.pk)
            if built.status != BundleStatus.READY:
                raise CommandError(f"The bundle failed: {built.error}", returncode=1)
            source = services.bundle_path(built)
        target = Path(options.get("output") or source.name)
        shutil.copyfile(source, target)
        self.stdout.write(
            f"{target}: {built.files} files, {built.size} bytes, sha256 {built.sha256}\n"
            f"signed by {built.key_fingerprint}"
        )
