"""Background work of the request list: the late-request digest, hourly (each audit's
contact gets at most one a day, however often this runs)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zgovern.pbc import digest


@db_periodic_task(crontab(minute="20", hour="*"))
def send_late_digests() -> int:
    return digest.send_all()
