"""The pre-audit findings scan: one :class:`FindingsScan` per run over a period, and one
:class:`Finding` per finding key, kept across scans.

A finding's ``key`` is stable (category, subject, what is wrong), so a later scan updates
the same row in place, keeps the remediation task it created, and marks it ``resolved``
when the exception no longer appears. Each category yields a ``summary`` finding (the
auditor's sentence over the population) and one ``exception`` per item.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class Category(models.TextChoices):
    MFA = "mfa", "MFA"
    ACCESS_REVIEWS = "access_reviews", "Access reviews"
    POLICIES = "policies", "Policies"
    VENDORS = "vendors", "Vendors"
    CHANGES = "changes", "Change management"
    INCIDENTS = "incidents", "Incident response"
    TRAINING = "training", "Training"
    ENCRYPTION = "encryption", "Encryption"
    BACKGROUND_CHECKS = "background_checks", "Background checks"
    OFFBOARDING = "offboarding", "Offboarding"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Kind(models.TextChoices):
    SUMMARY = "summary", "Summary"
    EXCEPTION = "exception", "Exception"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class FindingsSettings(TenantModel):
    """The windows the scan tests that IdentitySettings does not hold (revocation and
    onboarding windows live there). Defaults are the policy templates' values."""

    review_cadence_months = models.PositiveSmallIntegerField(default=3)
    vendor_reassessment_months = models.PositiveSmallIntegerField(default=12)
    training_months = models.PositiveSmallIntegerField(default=12)
    plan_test_months = models.PositiveSmallIntegerField(default=12)
    production_systems = models.JSONField(default=list, blank=True)  # [] means ["aws"]
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="findings_settings_per_org")
        ]

    def __str__(self) -> str:
        return f"findings settings of {self.organization_id}"


class FindingsScan(TenantModel):
    url_param = "scan_id"

    framework = models.ForeignKey(
        "frameworks.Framework", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audit = models.ForeignKey(
        "audits.Audit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_label = models.CharField(max_length=300, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # {category: exceptions}
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=1000, blank=True)
    stored = models.PositiveIntegerField(default=0)  # findings open after the scan

    class Meta:
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="findings_scan_recent")
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"findings scan {self.period_start}..{self.period_end}"


class Finding(TenantModel):
    url_param = "finding_id"

    key = models.CharField(max_length=300)
    category = models.CharField(max_length=24, choices=Category.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    controls = models.JSONField(default=list, blank=True)  # control keys
    criteria = models.JSONField(default=list, blank=True)  # "soc2:CC6.1"
    control_keys = models.CharField(max_length=500, blank=True)  # ",a,b," for filtering
    system = models.CharField(max_length=100, blank=True)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.CharField(max_length=100, blank=True)
    subject_label = models.CharField(max_length=300, blank=True)
    period_from = models.DateTimeField(null=True, blank=True)
    period_until = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    wording = models.TextField()
    fingerprint = models.CharField(max_length=64, blank=True)  # of what a scan wrote
    evidence = models.JSONField(default=list, blank=True)  # [{"type", "id", "label"}]
    task = models.ForeignKey(
        "controls.RemediationTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    first_scan = models.ForeignKey(
        FindingsScan, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_scan = models.ForeignKey(
        FindingsScan, null=True, on_delete=models.SET_NULL, related_name="findings"
    )
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="finding_key_per_org")
        ]
        indexes = [
            models.Index(
                fields=["organization", "status", "kind", "category", "severity"],
                name="finding_open",
            ),
        ]
        ordering = ["category", "-kind", "system", "subject_label", "id"]

    def __str__(self) -> str:
        return self.wording[:80]

    @property
    def duration_days(self) -> float | None:
        if self.duration_seconds is None:
            return None
        return round(self.duration_seconds / 86400, 1)
