from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "zgovern.fieldwork"
    label = "fieldwork"
    verbose_name = "Audit fieldwork"
