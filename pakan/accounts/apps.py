from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pakan.accounts"
    verbose_name = "Accounts"
