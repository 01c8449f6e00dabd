"""An organisation's connection to a provider (an AWS estate, a GitHub organisation …).

The configuration is plain JSON validated by the provider's ``config_schema``; the
credentials are JSON validated by its ``credentials_schema`` and kept only encrypted
(:mod:`zgovern.core.crypto`): no page, endpoint or log ever shows them again.

Scheduling lives on the row: ``next_run_at`` says when the integration is due, and a
worker that runs it first *claims* it (``claimed_by`` / ``claim_expires_at``, set by one
conditional UPDATE), so two workers never run the same integration at once and a crashed
worker's claim simply expires.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zgovern.tenancy.models import TenantModel

INTERVAL_MIN, INTERVAL_MAX, INTERVAL_DEFAULT = 1, 24, 6


class Integration(TenantModel):
    url_param = "integration_id"

    provider = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    config = models.JSONField(default=dict, blank=True)
    # Fernet token of the credentials' JSON; empty while none are set.
    credentials_encrypted = models.TextField(blank=True)
    credentials_set_at = models.DateTimeField(null=True, blank=True)
    interval_hours = models.PositiveSmallIntegerField(
        default=INTERVAL_DEFAULT,
        validators=[MinValueValidator(INTERVAL_MIN), MaxValueValidator(INTERVAL_MAX)],
    )
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_status = models.CharField(max_length=16, blank=True)
    last_run_summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="integration_name"),
            models.CheckConstraint(
                condition=Q(interval_hours__gte=INTERVAL_MIN, interval_hours__lte=INTERVAL_MAX),
                name="integration_interval_hours",
            ),
        ]
        indexes = [models.Index(fields=["enabled", "next_run_at"], name="integration_due")]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    def is_claimed(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.claimed_by) and (
            self.claim_expires_at is None or self.claim_expires_at > now
        )
