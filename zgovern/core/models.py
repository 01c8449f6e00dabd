"""State of the process itself, not of any organisation."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row, refreshed by the background worker's periodic task; /healthz reads it."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
