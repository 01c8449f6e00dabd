"""Daily readiness snapshots: the history the projection of the audit-ready date reads."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class ReadinessSnapshot(TenantModel):
    url_param = "snapshot_id"

    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.CASCADE, related_name="snapshots"
    )
    day = models.DateField()
    score = models.FloatField()  # 0.0 .. 1.0
    criteria_in_scope = models.PositiveIntegerField()
    criteria_ready = models.PositiveIntegerField()
    controls_by_status = models.JSONField(default=dict)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "framework", "day"], name="one_snapshot_per_day"
            )
        ]
        ordering = ["framework_id", "day"]

    def __str__(self) -> str:
        return f"{self.framework_id} on {self.day}: {self.score:.0%}"
