"""`manage.py load_nsps_framework [--file PATH]`: load the strategy, its goals and activities."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pakan.monitoring.framework_file import DEFAULT_FRAMEWORK_FILE, FrameworkFileError
from pakan.monitoring.services import load_framework_file


class Command(BaseCommand):
    help = (
        "Load the National Social Protection Strategy framework (goals, activities, institutions,"
        " principles, challenges). Safe to run again: it only creates what is missing and fills"
        " blank fields, never overwriting text edited in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_FRAMEWORK_FILE,
            help="framework YAML file (default: the copy shipped with the app)",
        )

    def handle(self, *args, **options):
        try:
            report = load_framework_file(options["file"])
        except FrameworkFileError as error:
            raise CommandError(
                f"Nothing was loaded; fix these problems first / ບໍ່ໄດ້ນຳເຂົ້າຫຍັງເລີຍ:\n{error}"
            ) from error
        self.stdout.write(report.summary())
