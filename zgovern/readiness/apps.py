from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "zgovern.readiness"
    label = "readiness"
    verbose_name = "Readiness"
