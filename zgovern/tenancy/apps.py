from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "zgovern.tenancy"
    label = "tenancy"
    verbose_name = "Organisations and memberships"
