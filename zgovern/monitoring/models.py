"""The continuous record of automated checks.

A resource's status under a check is kept as intervals (status from ``started_at`` until
``ended_at``), not one row per run: a year of 6-hourly runs costs rows in proportion to the
number of status changes, and "what was the status at time T" is one indexed query. The
open interval (``ended_at`` is null) is the current status.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class CheckStatus(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    ERROR = "error", "Error"
    SKIPPED = "skipped", "Skipped"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Resource(TenantModel):
    """Something a check evaluates: a user, a bucket, a repository, an account."""

    url_param = "resource_id"

    provider = models.SlugField(max_length=40)
    resource_type = models.CharField(max_length=80)
    external_id = models.CharField(max_length=500)
    name = models.CharField(max_length=300)
    account = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=40, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # The integration whose runs last saw it: a run that collected a service completely
    # closes the open intervals of its own resources it no longer sees (they are gone).
    integration = models.ForeignKey(
        "integrations.Integration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "resource_type", "external_id"],
                name="resource_identity",
            )
        ]
        ordering = ["provider", "resource_type", "name"]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.name}"


class CheckInterval(TenantModel):
    url_param = "interval_id"

    check_id = models.CharField(max_length=120)
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="intervals")
    status = models.CharField(max_length=16, choices=CheckStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # The last run that saw this status; between it and ended_at nothing was observed.
    confirmed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "check_id", "status"],
                condition=Q(ended_at__isnull=True),
                name="interval_current",
            ),
            models.Index(fields=["resource", "check_id", "started_at"], name="interval_history"),
            # "How long was this check failing during the period": by check and status.
            models.Index(
                fields=["organization", "check_id", "status", "started_at"],
                name="interval_check_status",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "check_id"],
                condition=Q(ended_at__isnull=True),
                name="one_open_interval",
            )
        ]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.check_id} on {self.resource_id}: {self.status}"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Run now"
    CLI = "cli", "Command line"
    IMPORT = "import", "Imported findings"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Partial"
    FAILED = "failed", "Failed"
    TIMED_OUT = "timed_out", "Timed out"


class CheckRun(TenantModel):
    """One run of an integration's checks (or one import of a scanner's findings): who or
    what started it, when, how long it took, how it ended, what it found and what failed.

    ``errors`` lists ``{"scope", "message", "permission"}`` objects: ``scope`` is a service,
    a check id or ``run``; ``permission`` names what was denied, when that was the cause."""

    url_param = "run_id"

    integration = models.ForeignKey(
        "integrations.Integration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
    )
    integration_name = models.CharField(max_length=100, blank=True)  # kept after deletion
    provider = models.SlugField(max_length=40)
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices)
    started_by = models.CharField(max_length=300)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    checks = models.JSONField(default=list, blank=True)  # the check ids evaluated
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errored = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    not_applicable = models.PositiveIntegerField(default=0)
    resources_seen = models.PositiveIntegerField(default=0)
    intervals_opened = models.PositiveIntegerField(default=0)
    intervals_closed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    evidence_ids = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "-started_at"], name="run_recent"),
            models.Index(fields=["integration", "-started_at"], name="run_integration"),
        ]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        name = self.integration_name or self.provider
        return f"{name} run of {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status != RunStatus.RUNNING

    def counts(self) -> dict[str, int]:
        return {
            CheckStatus.PASS: self.passed,
            CheckStatus.FAIL: self.failed,
            CheckStatus.ERROR: self.errored,
            CheckStatus.SKIPPED: self.skipped,
            CheckStatus.NOT_APPLICABLE: self.not_applicable,
        }
