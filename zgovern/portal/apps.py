from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zgovern.portal"
    label = "portal"
    verbose_name = "Employee portal"
