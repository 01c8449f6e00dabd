"""Change records: one row per pull request merged into a repository's default branch.

This is the population an auditor samples for SOC 2 CC8.1. A record is keyed by
(organisation, repository, number), so a sync that sees the same pull request again updates
it in place. ``approved`` means someone other than the author approved it; a record that
is not approved carries a ``flagged_reason`` a person can read.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class ChecksState(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Unknown"  # no status or check run reported, or not looked up


class ChangeRecord(TenantModel):
    url_param = "change_id"

    source = models.SlugField(max_length=40)  # "github", or "demo"
    integration = models.ForeignKey(
        "integrations.Integration", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="change_records",
    )  # fmt: skip
    repository = models.CharField(max_length=200)  # "owner/name"
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=100)
    approvers = models.JSONField(default=list, blank=True)  # logins, sorted
    merged_at = models.DateTimeField()
    merged_by = models.CharField(max_length=100, blank=True)
    checks = models.CharField(
        max_length=16, choices=ChecksState.choices, default=ChecksState.UNKNOWN
    )
    approved = models.BooleanField(default=False)
    flagged_reason = models.CharField(max_length=300, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "repository", "number"], name="change_per_pull_request"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "merged_at"], name="change_merged_at"),
        ]
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.repository}#{self.number}"

    @property
    def checks_passed(self) -> bool | None:
        """True, False, or None when unknown."""
        return {ChecksState.PASSED: True, ChecksState.FAILED: False}.get(self.checks)
