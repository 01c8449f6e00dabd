from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "zgovern.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
