from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "zgovern.integrations"
    label = "integrations"
    verbose_name = "Integrations"
