from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "zgovern.trust"
    label = "trust"
    verbose_name = "Trust Center"
