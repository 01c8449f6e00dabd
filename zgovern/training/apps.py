from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "zgovern.training"
    label = "training"
    verbose_name = "Training"
