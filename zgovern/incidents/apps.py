from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "zgovern.incidents"
    label = "incidents"
    verbose_name = "Incidents"
