from django.apps import AppConfig


class SocialSecurityConfig(AppConfig):
    name = "pakan.socialsecurity"
    verbose_name = "Social security (NSSF)"
    default_auto_field = "django.db.models.BigAutoField"
