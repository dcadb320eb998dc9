from pathlib import Path

from django.core.management.base import BaseCommand

from pakan.registry.geography import load_official_geography, read_village_csv, upsert_units


class Command(BaseCommand):
    help = "Load the country, provinces and districts; optionally villages from a CSV."

    def add_arguments(self, parser):
        parser.add_argument("--villages", type=Path, help="CSV: village_code, district_code, "
                            "village_name_en, village_name_lo")

    def handle(self, *args, villages=None, **options):
        count = load_official_geography()
        if villages:
            count += upsert_units(read_village_csv(villages))
        self.stdout.write(f"{count} places loaded")
