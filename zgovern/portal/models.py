"""What the employee portal keeps: one-time sign-in links, and the reminders sent, so
none is sent twice.

A sign-in link is stored only as the SHA-256 of its secret (:mod:`zgovern.core.tokens`):
the secret is in the email and nowhere else. A link works once, before it expires.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class SignInLink(models.Model):
    """A one-time sign-in link for a user (not an organisation's record: a user may belong
    to several)."""

    # Empty for someone on a roster who has no account yet: it is made when the link is used.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_in_links",
    )
    email = models.EmailField(max_length=254, default="")  # where the link was sent
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    requested_from = models.CharField(max_length=45, blank=True)
    used_from = models.CharField(max_length=45, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "created_at"], name="signin_link_user"),
            models.Index(fields=["email", "created_at"], name="signin_link_email"),
        ]

    def __str__(self) -> str:
        return f"sign-in link #{self.pk} for {self.email}"

    def usable(self, now=None) -> bool:
        return self.used_at is None and self.expires_at > (now or timezone.now())


class ReminderKind(models.TextChoices):
    PUBLISHED = "published", "A new policy version to acknowledge"
    PENDING = "pending", "Pending tasks"
    DIGEST = "digest", "Admin digest"


class Reminder(TenantModel):
    """One email sent. Unique per kind, recipient and key (a version for ``published``,
    the day for the others), so a retried or concurrent task sends it once."""

    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    recipient = models.EmailField(max_length=254)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=120)
    summary = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "recipient", "key"], name="reminder_once"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "recipient", "-sent_at"], name="reminder_last")
        ]
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} reminder to {self.recipient} ({self.key})"
