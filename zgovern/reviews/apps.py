from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "zgovern.reviews"
    label = "reviews"
    verbose_name = "Access reviews"
