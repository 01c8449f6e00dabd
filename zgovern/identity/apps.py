from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "zgovern.identity"
    label = "identity"
    verbose_name = "Identity"
