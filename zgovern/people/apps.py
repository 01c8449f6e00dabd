from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zgovern.people"
    label = "people"
    verbose_name = "People"
