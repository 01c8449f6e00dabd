"""The auditor's working papers within one audit: samples drawn from the period's
populations, comments with mentions, and the grants that let an outside auditor into one
audit until a date.

A sample keeps the population's item keys as they were when it was drawn, the seed and
the size, so that anyone can draw it again (``random.Random(seed).sample(population,
size)``) and get the same items, whatever changed in the records since.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class PopulationKind(models.TextChoices):
    NEW_HIRES = "new_hires", "New hires"
    TERMINATIONS = "terminations", "Terminations"
    CHANGES = "changes", "Production changes"
    INCIDENTS = "incidents", "Incidents"
    ACCESS_CHANGES = "access_changes", "Access changes"
    VENDOR_REVIEWS = "vendor_reviews", "Vendor reviews"


class SampleMethod(models.TextChoices):
    RANDOM = "random", "Seeded random"
    MANUAL = "manual", "Chosen by hand"


class Sample(TenantModel):
    url_param = "sample_id"

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="samples")
    population = models.CharField(max_length=32, choices=PopulationKind.choices)
    method = models.CharField(max_length=8, choices=SampleMethod.choices)
    size = models.PositiveIntegerField()
    seed = models.BigIntegerField(null=True, blank=True)  # random samples only
    period_start = models.DateField()
    period_end = models.DateField()
    population_keys = models.JSONField(default=list)  # in the listed order, at sampling time
    chosen_keys = models.JSONField(default=list)  # in the drawn order
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_label = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"sample {self.pk} of {self.get_population_display().lower()}"


class AuditorGrant(TenantModel):
    """Access of one auditor to one audit, read-only, until ``expires_at``. ``user`` is
    empty until an invited address signs up; the grant is matched by ``email`` meanwhile,
    so an auditor who joins through the invitation is limited from the first request."""

    url_param = "grant_id"

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(max_length=254)  # lower-cased
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "email"], name="grant_org_email")]

    def __str__(self) -> str:
        return f"{self.email} on audit {self.audit_id}"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class CommentTarget(models.TextChoices):
    CONTROL = "control", "Control"
    EVIDENCE = "evidence", "Evidence item"
    SAMPLE = "sample", "Sample"
    REQUEST = "request", "Request (PBC)"


class Comment(TenantModel):
    url_param = "comment_id"

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="comments")
    target_kind = models.CharField(max_length=16, choices=CommentTarget.choices)
    target_id = models.PositiveBigIntegerField()
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_label = models.CharField(max_length=300)
    mentions = models.JSONField(default=list, blank=True)  # emails of the mentioned members
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["audit", "target_kind", "target_id"], name="comment_target")
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.target_kind} {self.target_id}"
