"""Audit engagements, the organisation's bundle-signing key, and built audit bundles.

A bundle is built in the background (never inside a web request): the request creates a
``Bundle`` row in ``queued``; the worker that *claims* it (one conditional UPDATE from
``queued`` to ``building``) writes the ZIP, and only then marks it ``ready`` with its size
and the SHA-256 of the whole file and of its manifest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class AuditType(models.TextChoices):
    TYPE1 = "type1", "Type 1 (design at a point in time)"
    TYPE2 = "type2", "Type 2 (operating over a period)"


class AuditStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    FIELDWORK = "fieldwork", "Fieldwork"
    REPORTING = "reporting", "Reporting"
    COMPLETE = "complete", "Complete"


class Audit(TenantModel):
    url_param = "audit_id"

    name = models.CharField(max_length=200)
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="audits"
    )
    category_keys = models.JSONField(default=list, blank=True)  # in scope; empty = as scoped
    audit_type = models.CharField(max_length=8, choices=AuditType.choices)
    # A Type 1 is as of period_end; a Type 2 covers period_start..period_end (inclusive).
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    firm = models.CharField(max_length=200, blank=True)
    lead_auditor = models.CharField(max_length=200, blank=True)
    fieldwork_start = models.DateField(null=True, blank=True)
    draft_due = models.DateField(null=True, blank=True)
    final_due = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=AuditStatus.choices, default=AuditStatus.PLANNING
    )
    point_of_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_period(self) -> bool:
        if self.audit_type == AuditType.TYPE1:
            return self.period_end is not None
        return self.period_start is not None and self.period_end is not None

    @property
    def first_day(self):
        """The first day whose evidence counts (a Type 1's single day)."""
        return self.period_start if self.audit_type == AuditType.TYPE2 else self.period_end


class SigningKey(TenantModel):
    """The organisation's Ed25519 key for bundle manifests. The private half is kept only
    encrypted (``zgovern.core.crypto``); the public half is shown in settings and shipped in
    every bundle. One key is active; older ones stay so their bundles still verify."""

    public_key = models.CharField(max_length=64)  # base64 of the 32 raw bytes
    private_key_encrypted = models.TextField()
    fingerprint = models.CharField(max_length=80)  # "SHA256:<hex>" of the raw public key
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(active=True), name="one_active_signing_key"
            )
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.fingerprint


class BundleStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Bundle(TenantModel):
    url_param = "bundle_id"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="bundles")
    status = models.CharField(
        max_length=16, choices=BundleStatus.choices, default=BundleStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    storage_key = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    files = models.PositiveIntegerField(default=0)
    key_fingerprint = models.CharField(max_length=80, blank=True)
    error = models.CharField(max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"bundle {self.pk} of {self.audit_id}: {self.status}"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
