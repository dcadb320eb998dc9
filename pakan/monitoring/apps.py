from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "pakan.monitoring"
    verbose_name = "NSPS monitoring"
