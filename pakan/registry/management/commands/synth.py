"""manage.py synth --people 20000 --seed 2026

Fills an empty registry with a synthetic Lao population: the official geography, the villages
the population lives in, then the people and households through the ordinary bulk import (so
the synthetic file passes the very checks a real one does). Running it again does nothing once
people are registered, so `make run` can call it every time.

With --fund it then grows the social security fund from those people (pakan.synth.fund):
employers, insured members and --months of declarations, bills and payments; a second run finds
them and adds nothing.
"""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pakan.registry.geography import load_official_geography, upsert_units
from pakan.registry.management.commands.import_registry import ProgressBar
from pakan.registry.models import Person
from pakan.synth.population import MAX_PEOPLE, villages_for, write_people_csv

DEFAULT_PEOPLE = 20_000
DEFAULT_SEED = 2026
ERRORS_SHOWN = 20


def describe(error) -> str:
    """One refused cell as a line of text, in English and Lao."""
    line = getattr(error, "line", "?")
    column = getattr(error, "column", "")
    return (f"line {line}, {column}: {getattr(error, 'reason_en', error)} / "
            f"{getattr(error, 'reason_lo', '')}")


class Command(BaseCommand):
    help = "Generate a synthetic Lao population and load it into an empty registry."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE,
                            help=f"rows to generate, 1 to {MAX_PEOPLE:,} (default "
                                 f"{DEFAULT_PEOPLE:,})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="the same seed gives the same population")
        parser.add_argument("--fund", action="store_true",
                            help="also grow the social security fund from the people: "
                                 "employers, insured members and months of history "
                                 "(pakan.synth.fund; skipped parts already there)")
        parser.add_argument("--months", type=int, default=24,
                            help="months of fund history, ending last month (default 24)")

    def handle(self, *args, people: int, seed: int, fund: bool = False, months: int = 24,
               **options):
        if not 1 <= people <= MAX_PEOPLE:
            raise CommandError(f"--people must be between 1 and {MAX_PEOPLE:,}")
        if not 1 <= months <= 240:
            raise CommandError("--months must be between 1 and 240")
        registered = Person.objects.count()
        if registered:
            self.stdout.write(f"The population is already there ({registered:,} people "
                              f"registered); nothing done to it.")
            self.stdout.write(f"ມີປະຊາກອນຢູ່ແລ້ວ ({registered:,} ຄົນ); ບໍ່ໄດ້ເຮັດຫຍັງ.")
        else:
            self.grow_population(people, seed)
        if fund:
            self.grow_fund(seed, months)

    def grow_fund(self, seed: int, months: int) -> None:
        from pakan.synth.fund import grow_fund

        self.stdout.write(f"Growing the social security fund ({months} months of history)")
        summary = grow_fund(seed, months=months, say=self.stdout.write)
        history = summary.history
        self.stdout.write(self.style.SUCCESS(
            f"Fund: {history.get('declarations', 0):,} declarations, "
            f"{history.get('payments', 0):,} payments, {history.get('voluntary', 0):,} "
            f"voluntary members, {history.get('inspections', 0):,} inspections added "
            f"({sum(summary.seconds.values()):.1f} s)."))

    def grow_population(self, people: int, seed: int) -> None:
        places = load_official_geography() + upsert_units(villages_for(people, seed))
        self.stdout.write(f"{places:,} places loaded (country, provinces, districts, villages).")

        path = settings.VAR_DIR / f"synth-{seed}-{people}.csv"
        self.stdout.write(f"Generating {people:,} people (seed {seed}) into {path}")
        started = time.monotonic()
        summary = write_people_csv(path, people, seed, progress=ProgressBar(sys.stderr))
        self.stdout.write(
            f"{summary.rows:,} rows, {summary.households:,} households, "
            f"{summary.villages_used:,} villages, {summary.near_duplicates:,} near-duplicates "
            f"({time.monotonic() - started:.1f} s).")

        try:
            from pakan.registry.importing import import_file
        except ImportError as missing:
            raise CommandError(f"the registry import is not available ({missing}); the file "
                               f"is at {path}") from missing
        self.stdout.write("Importing into the registry")
        started = time.monotonic()
        outcome = import_file(path, "people", user=None, progress=ProgressBar(sys.stderr))
        if not outcome.accepted:
            for error in outcome.errors[:ERRORS_SHOWN]:
                self.stdout.write(describe(error))
            raise CommandError(f"the registry refused the synthetic file {path} "
                               f"({len(outcome.errors):,} errors listed)")
        self.stdout.write(self.style.SUCCESS(
            f"{outcome.rows:,} people imported ({time.monotonic() - started:.1f} s)."))
        queued = getattr(outcome, "duplicates_queued", 0)
        if queued:
            self.stdout.write(f"{queued:,} likely duplicates queued for review.")
