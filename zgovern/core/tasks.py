"""Background tasks of the process itself."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zgovern.core import services


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Once a minute, so /healthz can tell whether a worker is consuming the queue."""
    services.beat()
