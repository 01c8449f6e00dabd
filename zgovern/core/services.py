"""Writes to process-level state (not tenant data)."""

from __future__ import annotations

from datetime import timedelta

from django.db import models, transaction
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


def admit_hit(model: type[models.Model], ip: str, limit: int, window: int) -> bool:
    """Count one request from ``ip`` in ``model`` (a table of ``ip``, ``at`` rows that
    rate-limits a public page) unless ``limit`` were counted in the last ``window``
    seconds. True when counted, False when refused; rows older than the window are
    forgotten. A brake, not an exact count: two requests racing may both be counted."""
    now = timezone.now()
    start = now - timedelta(seconds=window)
    with transaction.atomic():
        model.objects.filter(ip=ip, at__lt=start).delete()
        if model.objects.filter(ip=ip, at__gte=start).count() >= limit:
            return False
        model.objects.create(ip=ip, at=now)
    return True
