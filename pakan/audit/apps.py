from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pakan.audit"
    verbose_name = "Audit trail"
