"""Signal handlers: a recorded check run is looked at for newly failing checks in the
background, so the run itself never waits on mail or webhooks."""

from __future__ import annotations

from django.dispatch import receiver

from zgovern.monitoring.signals import run_recorded


@receiver(run_recorded, dispatch_uid="alerts.run_recorded")
def on_run_recorded(sender, run, **kwargs) -> None:
    from zgovern.alerts.tasks import check_run_task  # tasks import the models: load late

    check_run_task(run.pk)
