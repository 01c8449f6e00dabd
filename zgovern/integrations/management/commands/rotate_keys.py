"""``zgovern rotate-keys``: re-encrypt every stored secret under the first encryption key.

Rotation: put the new key first in ``ZG_ENCRYPTION_KEY`` (keeping the old one after it),
run this command, then remove the old key. It re-encrypts integration credentials and the
authenticator (TOTP) secrets of users; a secret that no configured key decrypts is left as
it is and listed, and the command exits with status 1.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zgovern.core import crypto
from zgovern.integrations import services


class Command(BaseCommand):
    help = "Re-encrypt integration credentials and TOTP secrets with the first ZG_ENCRYPTION_KEY."

    def handle(self, *args, **options) -> None:
        report = services.rotate_all_credentials()
        devices, device_failures = _rotate_totp_secrets()
        self.stdout.write(f"Integration credentials re-encrypted: {report.rotated}")
        self.stdout.write(f"Authenticator secrets re-encrypted: {devices}")
        failed = [*(f"integration {name}" for name in report.failed), *device_failures]
        if failed:
            for name in failed:
                self.stderr.write(f"  cannot decrypt with any configured key: {name}")
            raise CommandError(f"{len(failed)} secret(s) left as they were")
        self.stdout.write(self.style.SUCCESS("Every secret now uses the first key."))


def _rotate_totp_secrets() -> tuple[int, list[str]]:
    """The users' authenticator secrets (the accounts app keeps them encrypted with the same
    keys); each row is rewritten only if it still holds the ciphertext that was read."""
    from zgovern.accounts.models import TOTPDevice

    rotated, failed = 0, []
    for pk, user_email, sealed in TOTPDevice.objects.values_list(
        "pk", "user__email", "secret_encrypted"
    ):
        try:
            fresh = crypto.rotate(sealed)
        except crypto.DecryptionError:
            failed.append(f"authenticator of {user_email}")
            continue
        with transaction.atomic():
            rotated += TOTPDevice.objects.filter(pk=pk, secret_encrypted=sealed).update(
                secret_encrypted=fresh
            )
    return rotated, failed
