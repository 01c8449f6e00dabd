"""``zgovern demo``: load (or complete) the demo organisation and print how to sign in."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from zgovern.core import demo


class Command(BaseCommand):
    help = "Load the demo organisation 'Acme Cloud' (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        context = demo.load()
        org = context.organization
        self.stdout.write(self.style.SUCCESS(f"Demo organisation: {org.name}"))
        self.stdout.write(f"  Open {settings.BASE_URL}/o/{org.slug}/")
        self.stdout.write(f"  Every demo login uses the password: {demo.PASSWORD}")
        for email, name, role in demo.PEOPLE:
            self.stdout.write(f"  {role:<9} {email:<28} {name}")
