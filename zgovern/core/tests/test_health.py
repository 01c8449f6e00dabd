"""/healthz reports database, worker and version; the heartbeat task keeps it fresh."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from huey import RedisHuey, SqliteHuey

from zgovern import __version__
from zgovern.core import services, tasks
from zgovern.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_without_a_worker_is_degraded():
    body = Client().get("/healthz").json()
    assert body["database"] == "ok"
    assert body["worker"]["status"] == "never seen"
    assert body["status"] == "degraded"
    assert body["version"] == __version__


def test_heartbeat_task_makes_worker_ok():
    tasks.heartbeat()  # immediate mode in tests: runs in-process
    tasks.heartbeat()
    body = Client().get("/healthz").json()
    assert body["worker"]["status"] == "ok"
    assert body["status"] == "ok"
    assert WorkerHeartbeat.objects.get(name="worker").count == 2


def test_stale_heartbeat_is_reported(settings):
    services.beat()
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=10))
    body = Client().get("/healthz").json()
    assert body["worker"]["status"] == "stale"
    assert body["status"] == "degraded"


def test_queue_round_trip_through_configured_storage(settings, tmp_path):
    """A task enqueued on the real storage (Redis when ZG_REDIS_URL is set, otherwise
    SQLite) is dequeued and executed by a worker."""
    if settings.REDIS_URL:
        queue = RedisHuey("zgovern-test-roundtrip", url=settings.REDIS_URL)
    else:
        queue = SqliteHuey("zgovern-test-roundtrip", filename=str(tmp_path / "q.sqlite3"))
    queue.flush()
    beat = queue.task()(services.beat)
    beat("roundtrip")
    assert queue.pending_count() == 1
    task = queue.dequeue()
    queue.execute(task)
    assert queue.pending_count() == 0
    assert WorkerHeartbeat.objects.filter(name="roundtrip").exists()
    queue.flush()


def test_healthz_needs_no_login_and_sends_security_headers():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_static_assets_are_served_from_the_package():
    """htmx and the stylesheet come from our own server: the UI works offline."""
    for path in ("/static/zgovern/htmx.min.js", "/static/zgovern/app.css"):
        response = Client().get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content)
        assert len(body) > 1000, path
