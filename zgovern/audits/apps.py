from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "zgovern.audits"
    label = "audits"
    verbose_name = "Audits"
