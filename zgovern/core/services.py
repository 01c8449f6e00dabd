"""Writes to process-level state (not tenant data)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zgovern.core.models import WorkerHeartbeat

WORKER = "worker"


def beat(name: str = WORKER) -> None:
    """Record that the background worker is alive."""
    with transaction.atomic():
        updated = WorkerHeartbeat.objects.filter(name=name).update(
            beat_at=timezone.now(), count=F("count") + 1
        )
        if not updated:
            WorkerHeartbeat.objects.create(name=name, beat_at=timezone.now(), count=1)
