from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pakan.registry"
    verbose_name = "Registry"
