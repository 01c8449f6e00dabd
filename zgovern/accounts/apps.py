from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zgovern.accounts"
    label = "accounts"
    verbose_name = "Users and sign-in"
