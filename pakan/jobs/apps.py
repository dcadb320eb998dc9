from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "pakan.jobs"
    verbose_name = "Background jobs"
