from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "zgovern.vendors"
    label = "vendors"
    verbose_name = "Vendors"
