from django.apps import AppConfig


class ValuationConfig(AppConfig):
    name = "pakan.valuation"
    verbose_name = "Actuarial valuation and costing"
    default_auto_field = "django.db.models.BigAutoField"
