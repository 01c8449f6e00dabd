from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "zgovern.controls"
    label = "controls"
    verbose_name = "Controls and remediation"
