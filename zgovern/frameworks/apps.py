from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "zgovern.frameworks"
    label = "frameworks"
    verbose_name = "Frameworks and controls library"
