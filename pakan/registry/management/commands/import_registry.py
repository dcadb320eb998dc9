"""manage.py import_registry FILE --kind people|households

Runs the same import as the upload page, in this process, as a system run (every place is
allowed). Shows a progress bar, lists every error in English and Lao, and exits with status 1
when the file is refused, so scripts can tell.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pakan.registry.import_checks import KINDS, PEOPLE
from pakan.registry.importing import import_file, write_error_report

BAR_WIDTH = 40
REDRAW_SECONDS = 0.2


class ProgressBar:
    """A one-line bar on a terminal; plain lines now and then when output is not a terminal."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self.last_drawn = 0.0
        self.last_percent = -1

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if not finished and now - self.last_drawn < REDRAW_SECONDS:
            return
        self.last_drawn = now
        fraction = done / total if total else 0.0
        percent = int(fraction * 100)
        if self.interactive:
            filled = int(fraction * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r[{bar}] {percent:3d}% {done:,}/{total:,} rows")
            if finished:
                self.stream.write("\n")
        elif percent // 10 != self.last_percent // 10 or finished:
            self.stream.write(f"{percent:3d}% {done:,}/{total:,} rows\n")
        self.last_percent = percent
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line when the import stopped before 100% (a refused file)."""
        if self.interactive and self.last_percent < 100:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import people or households from a CSV or XLSX file: the whole file or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=sorted(KINDS), default=PEOPLE)
        parser.add_argument(
            "--report", type=Path, help="also write the errors to this .csv or .xlsx file"
        )

    def handle(self, *args, file: Path, kind: str, report: Path | None = None, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        started = time.monotonic()
        bar = ProgressBar(sys.stderr)
        outcome = import_file(file, kind, user=None, progress=bar, original_name=file.name)
        bar.close()
        seconds = time.monotonic() - started
        summary_en, summary_lo = outcome.summary()
        if outcome.accepted:
            self.stdout.write(self.style.SUCCESS(summary_en))
            self.stdout.write(summary_lo)
            if outcome.duplicates_queued:
                self.stdout.write(
                    f"{outcome.duplicates_queued:,} likely duplicates queued for review."
                )
            self.stdout.write(f"{seconds:.1f} s")
            return
        for error in outcome.errors:
            place = f"line {error.line}" + (f", column {error.column}" if error.column else "")
            value = f" [{error.value}]" if error.value else ""
            self.stdout.write(f"{place}{value}: {error.reason_en} / {error.reason_lo}")
        if outcome.error_count > len(outcome.errors):
            self.stdout.write(
                f"... {outcome.error_count - len(outcome.errors):,} more errors not listed."
            )
        if report is not None:
            fmt = "xlsx" if report.suffix.lower() == ".xlsx" else "csv"
            write_error_report(outcome.errors, report, fmt, total=outcome.error_count)
            self.stdout.write(f"Error report written to {report}")
        self.stdout.write(summary_lo)
        raise CommandError(summary_en)
