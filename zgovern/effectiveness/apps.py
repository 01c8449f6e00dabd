from django.apps import AppConfig


class EffectivenessConfig(AppConfig):
    name = "zgovern.effectiveness"
    label = "effectiveness"
    verbose_name = "Operating effectiveness"
