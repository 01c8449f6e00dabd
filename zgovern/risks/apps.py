from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "zgovern.risks"
    label = "risks"
    verbose_name = "Risks"
