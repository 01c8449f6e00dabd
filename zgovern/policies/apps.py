from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "zgovern.policies"
    label = "policies"
    verbose_name = "Policies"
