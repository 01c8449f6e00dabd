from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "zgovern.findings"
    label = "findings"
    verbose_name = "Findings"
