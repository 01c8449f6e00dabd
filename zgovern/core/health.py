"""What /healthz reports: database reachable, worker alive, version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from zgovern import __version__
from zgovern.core.models import WorkerHeartbeat
from zgovern.core.services import WORKER


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def worker_status() -> dict[str, Any]:
    row = WorkerHeartbeat.objects.filter(name=WORKER).first()
    if row is None:
        return {"status": "never seen", "last_heartbeat": None}
    age = timezone.now() - row.beat_at
    fresh = age <= timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return {
        "status": "ok" if fresh else "stale",
        "last_heartbeat": row.beat_at.isoformat(),
        "seconds_ago": int(age.total_seconds()),
    }


def report() -> dict[str, Any]:
    database = database_status()
    worker = worker_status() if database == "ok" else {"status": "unknown"}
    healthy = database == "ok" and worker["status"] == "ok"
    return {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "database_engine": connection.vendor,
        "worker": worker,
        "version": __version__,
    }
