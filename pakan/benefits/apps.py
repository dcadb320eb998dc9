from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "pakan.benefits"
    verbose_name = "Social security benefits"
    default_auto_field = "django.db.models.BigAutoField"
