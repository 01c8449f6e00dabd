from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "zgovern.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from zgovern.alerts import receivers  # noqa: F401  (connects the signal handlers)
