from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zgovern.core"
    label = "core"
    verbose_name = "zGovern core"
