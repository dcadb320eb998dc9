from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "pakan.benefits"
    verbose_name = "Social security benefits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A death recorded in the registry ends the person's awards, recovers what was paid
        # after it and opens the survivors' and funeral claims (services/deaths.py). The
        # registry only sends the signal; it knows nothing of benefits.
        from pakan.benefits.services.deaths import on_person_died
        from pakan.registry.signals import person_died

        person_died.connect(on_person_died, dispatch_uid="benefits.on_person_died")
