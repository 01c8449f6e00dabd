from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "zgovern.changes"
    label = "changes"
    verbose_name = "Changes"
