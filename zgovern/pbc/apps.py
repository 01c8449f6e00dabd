from django.apps import AppConfig


class PbcConfig(AppConfig):
    name = "zgovern.pbc"
    label = "pbc"
    verbose_name = "Audit requests and exceptions"
