from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "zgovern.evidence"
    label = "evidence"
    verbose_name = "Evidence"
