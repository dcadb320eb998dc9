"""Bulk import of people and households from CSV and XLSX files, whole or not at all.

A file goes through three gates. The file as a whole (format, encoding, header: pakan.tabular).
Every row, with polars column expressions over batches (pakan.registry.import_checks), which
also look at the few registry rows the file names (villages, households already registered)
and at earlier batches (an ID twice in the file, two heads of one household). Last, one query
for national IDs already registered (pakan.registry.import_loading). Any error at any gate
refuses the whole file: the one transaction is rolled back and the answer lists each bad cell
with its line, column and reason in English and Lao, also as a CSV/XLSX report.

A good file goes straight into the registry's tables while it is read (COPY on PostgreSQL),
with ids the import gives itself (pakan.registry.import_rows), in that same transaction, so a
failure or a killed worker half way leaves nothing behind. Polars checks the next batch in a
second thread while the database takes the current one. The audit trail records one event per
import and table, with the range of ids and the file line of each (pakan.audit).

The page (start_import -> a background job), the job runner (run_import_job) and the command
line (manage.py import_registry) all end up in import_file.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pakan.accounts.scope import require_change_permission, scope_path
from pakan.audit.services import record_import
from pakan.jobs.models import Job
from pakan.jobs.services import create_job, dispatch
from pakan.registry import import_messages  # noqa: F401 - adds the registry codes to the catalogue
from pakan.registry.deduplication import queue_likely_duplicates
from pakan.registry.import_checks import (
    HOUSEHOLDS,
    KINDS,
    PEOPLE,
    Check,
    KindSpec,
    RegistryFacts,
    RepeatCheck,
    RowChecker,
    checks_for,
    parse,
    repeat_checks,
    with_missing_columns,
    with_registry,
)
from pakan.registry.import_loading import HOUSEHOLD, PERSON, Loader, table_of
from pakan.registry.import_rows import HouseholdRows, IdRange, PeopleRows
from pakan.registry.models import Household, Person
from pakan.tabular.export import write_table
from pakan.tabular.messages import RowError, TableRefused, preview, render
from pakan.tabular.reading import LINE_COLUMN, TableSource, check_header, open_table

__all__ = [
    "HOUSEHOLDS",
    "MAX_REPORTED_ERRORS",
    "PEOPLE",
    "ImportOutcome",
    "RowError",
    "import_file",
    "run_import_job",
    "start_import",
    "write_error_report",
]

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
MAX_REPORTED_ERRORS = 10_000
BATCH_ROWS = 100_000
# The first batch is checked and sent in two parts, the first this small: the database waits
# for the first rows while polars checks them, so the less it waits the better.
FIRST_PART_ROWS = 10_000
REPORT_HEADER = ("line", "column", "value", "reason_en", "reason_lo")
RUNNER = "pakan.registry.importing.run_import_job"
UPLOAD_DIRECTORY = "imports"
RESULT_ERRORS_SHOWN = 200
T = TypeVar("T")


@dataclass
class ImportOutcome:
    accepted: bool
    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    created_people: int = 0
    created_households: int = 0
    duplicates_queued: int = 0
    first_person_id: int | None = None
    last_person_id: int | None = None
    duplicate_check_failed: bool = False
    # Wall-clock seconds of each step, for the log and the benchmark.
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> tuple[str, str]:
        """One sentence in English and Lao for the page, the job and the command line."""
        if not self.accepted:
            return render("import_refused", total=f"{self.error_count:,}")
        return render(
            "import_done",
            people=f"{self.created_people:,}",
            households=f"{self.created_households:,}",
            rows=f"{self.rows:,}",
        )

    def as_result(self, shown_errors: int = RESULT_ERRORS_SHOWN) -> dict[str, Any]:
        """JSON for Job.result: the counts and the first errors (the report file has them all)."""
        summary_en, summary_lo = self.summary()
        return {
            "accepted": self.accepted,
            "kind": self.kind,
            "rows": self.rows,
            "error_count": self.error_count,
            "errors_listed": len(self.errors),
            "errors": [error.as_dict() for error in self.errors[:shown_errors]],
            "created_people": self.created_people,
            "created_households": self.created_households,
            "duplicates_queued": self.duplicates_queued,
            "first_person_id": self.first_person_id,
            "last_person_id": self.last_person_id,
            "duplicate_check_failed": self.duplicate_check_failed,
            "phase_seconds": {name: round(value, 3) for name, value in self.phase_seconds.items()},
            "summary_en": summary_en,
            "summary_lo": summary_lo,
        }


class ErrorList:
    """Keeps the first MAX_REPORTED_ERRORS errors by line, and counts all of them."""

    def __init__(self, header_order: Iterable[str], limit: int | None = None) -> None:
        self.limit = MAX_REPORTED_ERRORS if limit is None else limit
        self.total = 0
        self.kept: list[tuple[int, str, Any, str, dict[str, Any]]] = []
        self.column_order = {name: position for position, name in enumerate(header_order)}
        self.checks: list[Check | RepeatCheck] = []
        self.rank: dict[int, int] = {}

    def __bool__(self) -> bool:
        return self.total > 0

    def describe(self, checks: Sequence[Check | RepeatCheck]) -> None:
        """The checks whose index a failure frame names, and their order within one line."""
        self.checks = list(checks)
        order = sorted(range(len(checks)), key=lambda index: self._order(checks[index]))
        self.rank = {index: rank for rank, index in enumerate(order)}

    def _order(self, check: Check | RepeatCheck) -> tuple[int, str]:
        return self.column_order.get(check.column, len(self.column_order)), check.code

    def add(self, line: int, column: str, value: Any, code: str, **params: Any) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append((line, column, value, code, params))

    def add_frame(self, failures: pl.DataFrame) -> None:
        """Failures of one batch (line, check, value, first_line); batches come in line order,
        so keeping the first ones of each batch keeps the first ones of the file."""
        if not failures.height:
            return
        self.total += failures.height
        room = self.limit - len(self.kept)
        if room <= 0:
            return
        ordered = failures.with_columns(
            pl.col("check").replace_strict(self.rank, return_dtype=pl.Int64).alias("rank")
        ).sort(LINE_COLUMN, "rank")
        for line, check_index, value, first_line, _ in ordered.head(room).iter_rows():
            check = self.checks[check_index]
            params = dict(getattr(check, "params", {}))
            if first_line is not None:
                params["first_line"] = first_line
            self.kept.append((line, check.column, value, check.code, params))

    def add_rows(
        self, column: str, code: str, total: int, rows: list[tuple[int, Any, int | None]]
    ) -> None:
        """Failures of a check over the whole file: the first rows by line, and how many there
        are in all."""
        self.total += total
        for line, value, first_line in rows:
            params = {"first_line": first_line} if first_line is not None else {}
            self.kept.append((line, column, value, code, params))

    def rendered(self) -> list[RowError]:
        order = self.column_order
        self.kept.sort(key=lambda item: (item[0], order.get(item[1], len(order)), item[3]))
        return [
            RowError.of(line, column, value, code, **params)
            for line, column, value, code, params in self.kept[: self.limit]
        ]


def import_file(
    path: Path,
    kind: str = PEOPLE,
    *,
    user=None,
    progress: ProgressCallback | None = None,
    original_name: str = "",
) -> ImportOutcome:
    """Check a whole file and, only if every row is good, add it to the registry.

    `user` None is a system run (the command line): every place is allowed. Otherwise the user
    must be allowed to change the registry, and every village must lie inside their scope.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; use one of {', '.join(KINDS)}")
    if user is not None:
        require_change_permission(user)
    spec = KINDS[kind]
    report = progress or (lambda done, total: None)
    phases: dict[str, float] = {}
    try:
        with _timed(phases, "read_file"):
            source = open_table(
                Path(path),
                original_name,
                max_bytes=getattr(settings, "PAKAN_IMPORT_MAX_BYTES", None),
                read_ahead_rows=BATCH_ROWS,
            )
    except TableRefused as refusal:
        return _refused(spec, refusal.errors)
    header_errors = check_header(source.header, spec.required, spec.allowed)
    if header_errors:
        return _refused(spec, header_errors)
    report(0, source.estimated_rows)
    file_name = (original_name or Path(path).name)[:140]
    with transaction.atomic():
        run = _Import(
            source,
            spec,
            Loader.create(spec, timezone.now(), plain_text=source.plain),
            report,
            file_name,
            scope_prefix=scope_path(user) if user is not None else None,
            actor=_actor(user),
            phases=phases,
        )
        outcome = run.check_and_load()
        if not outcome.accepted:
            transaction.set_rollback(True)
            return outcome
        committing = time.perf_counter()
    phases["commit"] = time.perf_counter() - committing
    with _timed(phases, "duplicate_check"):
        _queue_duplicates(outcome)
    outcome.phase_seconds = phases
    logger.info("import of %s: %s rows in %s", file_name, outcome.rows, phases)
    report(outcome.rows, outcome.rows)
    return outcome


@contextmanager
def _timed(phases: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - started


@dataclass
class _Checked:
    """One batch after the checks: its failures, and its rows ready to write (if all is well
    so far)."""

    rows: int
    failures: pl.DataFrame
    payload: Any = None


class _Import:
    """One import inside its transaction: prepare, check and write batch by batch, finish."""

    def __init__(
        self,
        source: TableSource,
        spec: KindSpec,
        loader: Loader,
        report: ProgressCallback,
        file_name: str,
        *,
        scope_prefix: str | None,
        actor,
        phases: dict[str, float] | None = None,
    ) -> None:
        self.phases = {} if phases is None else phases
        self.source = source
        self.spec = spec
        self.loader = loader
        self.report = report
        self.file_name = file_name
        self.scope_prefix = scope_prefix
        self.actor = actor
        self.errors = ErrorList(spec.allowed)

    def check_and_load(self) -> ImportOutcome:
        """The outcome; the caller rolls the transaction back unless it is accepted."""
        self.loader.begin(self.source.estimated_rows)
        try:
            with _timed(self.phases, "look_up_registry"):
                self._prepare()
            with _timed(self.phases, "check_and_copy"):
                rows = self._check_and_write()
            if rows == 0:
                return _refused(self.spec, TableRefused.of("no_rows").errors)
            if self.errors:
                return _refused(
                    self.spec, self.errors.rendered(), total=self.errors.total, rows=rows
                )
            return self._finish(rows)
        except TableRefused as refusal:
            self.loader.abandon()
            return _refused(self.spec, refusal.errors)
        except BaseException:
            self.loader.abandon()
            raise

    # --- before the rows: what the checks need, and the ids ---

    def _prepare(self) -> None:
        loader, spec = self.loader, self.spec
        self.facts = self._registry_facts()
        self.checks = checks_for(spec, timezone.localdate(), self.scope_prefix)
        self.row_checker = RowChecker(self.checks)
        self.repeats = repeat_checks(spec)
        self.errors.describe([*self.checks, *self.repeats])
        self.table = table_of(spec.name)
        self.households: pl.DataFrame | None = None
        self.households_payload: Any = None
        stamp = loader.stamp_text
        first_household = loader.first_free_id(Household)
        if spec.name == PEOPLE:
            self.builder = PeopleRows(loader.first_free_id(Person), first_household, stamp)
        else:
            self.builder = HouseholdRows(first_household, stamp)

    def _registry_facts(self) -> RegistryFacts:
        """The registry rows the file names: one pass over its ID columns, one query each.

        With nobody registered yet (a first national load) there is nothing to look up. The
        tables are locked: what is found stays true until the commit.
        """
        loader = self.loader
        facts = RegistryFacts(loader.villages(), scope_prefix=self.scope_prefix)
        wanted = {"family_book_number": loader.has_rows(Household)}
        if self.spec.name == PEOPLE:
            wanted["national_id"] = loader.has_rows(Person)
        names = [
            name for name, registered in wanted.items() if registered and name in self.source.header
        ]
        if not names:
            return facts
        ids = self.source.columns(names).select(pl.col(names).str.to_uppercase())
        if "family_book_number" in names:
            facts = replace(
                facts, households=loader.registered_households(ids["family_book_number"])
            )
        if "national_id" in names:
            facts = replace(facts, people=loader.registered_national_ids(ids["national_id"]))
        return facts

    # --- the rows: checked in a second thread, written in this one ---

    def _check_and_write(self) -> int:
        rows = 0
        total = self.source.estimated_rows
        for checked in _in_background(self._checked_batches()):
            self.errors.add_frame(checked.failures)
            if checked.payload is not None:
                self.loader.write(self.table, checked.payload)
            rows += checked.rows
            # Never report "all done" before the load has committed.
            total = max(total, rows + 1)
            self.report(rows, total)
        self.loader.close()
        return rows

    def _checked_batches(self) -> Iterator[_Checked]:
        """Runs in the reading thread: polars only, no database."""
        clean = True
        for batch in self._parsed_batches():
            failures = self._failures(batch)
            clean = clean and failures.height == 0
            checked = _Checked(batch.height, failures)
            if clean:
                checked.payload = self.loader.encode(self.builder.rows(batch))
            yield checked
        if clean and isinstance(self.builder, PeopleRows):
            # The new households, ready while the database still takes the last people.
            self.households = self.builder.households()
            if self.households.height:
                self.households_payload = self.loader.encode(self.households)

    def _parsed_batches(self) -> Iterator[pl.DataFrame]:
        """Batches parsed and joined to the registry's facts. Whether a column is checked per
        distinct value is decided on the whole first batch; that batch then goes on in two
        parts, so the database gets its first rows sooner."""
        spec = self.spec
        first = True
        for raw in self.source.batches(BATCH_ROWS):
            batch = with_registry(parse(with_missing_columns(raw, spec), spec), self.facts, spec)
            if first and batch.height > FIRST_PART_ROWS:
                self.row_checker.decide(batch)
                self.builder.decide(batch)
                yield batch.head(FIRST_PART_ROWS)
                batch = batch.slice(FIRST_PART_ROWS)
            first = False
            yield batch

    def _failures(self, batch: pl.DataFrame) -> pl.DataFrame:
        parts = [
            self.row_checker.failures(batch).with_columns(
                pl.lit(None, dtype=pl.Int64).alias("first_line")
            )
        ]
        for offset, repeat in enumerate(self.repeats, start=len(self.checks)):
            found = repeat.failures(batch)
            if found.height:
                parts.append(
                    found.select(
                        LINE_COLUMN,
                        pl.lit(offset, dtype=pl.Int64).alias("check"),
                        "value",
                        pl.col("first_line").cast(pl.Int64),
                    )
                )
        return pl.concat(parts)

    # --- after the rows ---

    def _finish(self, rows: int) -> ImportOutcome:
        loader = self.loader
        people = households = None
        last_ids: dict[str, int] = {}
        if isinstance(self.builder, PeopleRows):
            people = self.builder.people()
            with _timed(self.phases, "households"):
                if self.households is None:
                    self.households = self.builder.households()
                    if self.households.height:
                        self.households_payload = loader.encode(self.households)
                if self.households_payload is not None:
                    loader.write(HOUSEHOLD, self.households_payload)
                    loader.close()
                loader.name_heads(self.builder.heads_of_registered_households())
            if people:
                last_ids[PERSON] = people.last
        households = self.builder.new_households()
        if households:
            last_ids[HOUSEHOLD] = households.last
        with _timed(self.phases, "indexes_and_keys"):
            loader.finish(last_ids)
        with _timed(self.phases, "audit"):
            self._audit(Person, people)
            self._audit(Household, households)
        return ImportOutcome(
            accepted=True,
            kind=self.spec.name,
            rows=rows,
            created_people=people.rows if people else 0,
            created_households=households.rows if households else 0,
            first_person_id=people.first if people else None,
            last_person_id=people.last if people else None,
        )

    def _audit(self, model, created: IdRange | None) -> None:
        if created is None:
            return
        record_import(
            self.actor,
            model._meta.label_lower,
            file_name=self.file_name,
            first_id=created.first,
            last_id=created.last,
            rows=created.rows,
            lines=created.lines,
        )


def _in_background(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """The items, produced in a second thread up to `depth` ahead of the consumer.

    Polars releases the GIL, so checking batch n + 1 there runs on the other core while this
    thread sends batch n to the database. An error in the producer is raised here; a consumer
    that stops early stops the producer.
    """
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stopped.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("done", None))
        except BaseException as error:  # handed to the consumer, raised there
            put(("error", error))

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stopped.set()
        thread.join()
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _refused(
    spec: KindSpec, errors: list[RowError], *, total: int | None = None, rows: int = 0
) -> ImportOutcome:
    return ImportOutcome(
        accepted=False,
        kind=spec.name,
        rows=rows,
        errors=errors,
        error_count=total if total is not None else len(errors),
    )


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _queue_duplicates(outcome: ImportOutcome) -> None:
    """After the commit: new people are checked against the registry for likely duplicates.

    A failure here does not undo the import (the people are rightly in the registry); it is
    logged, flagged on the outcome, and with a broker the check goes to a worker to retry.
    """
    if not outcome.created_people:
        return
    first_id, last_id = outcome.first_person_id, outcome.last_person_id
    try:
        outcome.duplicates_queued = queue_likely_duplicates(first_id, last_id)
    except Exception:
        logger.exception("duplicate check failed for people %s-%s", first_id, last_id)
        outcome.duplicate_check_failed = True
        if not settings.CELERY_BROKER_URL:
            return  # no worker to retry later: the failure stays on the job for an officer
        try:
            from pakan.registry.tasks import queue_duplicates_after_import

            queue_duplicates_after_import.delay(first_id, last_id)
        except Exception:
            logger.exception("could not hand the duplicate check to a background task")


# --- reports ----------------------------------------------------------------------------------


def error_report_rows(errors: Iterable[RowError], total: int | None = None):
    listed = 0
    for error in errors:
        listed += 1
        yield (error.line, error.column, preview(error.value), error.reason_en, error.reason_lo)
    if total is not None and total > listed:
        more_en, more_lo = render("more_errors", total=f"{total:,}", shown=f"{listed:,}")
        yield ("", "", "", more_en, more_lo)


def write_error_report(
    errors: Iterable[RowError], path: Path, fmt: Literal["csv", "xlsx"], *, total: int | None = None
) -> Path:
    """The list of errors as a file to download: line, column, value, reason_en, reason_lo.

    With `total` above the number listed, a last row says how many errors there are in all.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as destination:
        write_table(error_report_rows(errors, total), REPORT_HEADER, fmt, destination)
    return path


# --- background job -----------------------------------------------------------------------


def upload_directory() -> Path:
    directory = Path(settings.MEDIA_ROOT) / UPLOAD_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def start_import(uploaded_file, kind: str, user) -> Job:
    """Keep the uploaded file and start a background job that imports it."""
    require_change_permission(user)
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    original_name = Path(uploaded_file.name or "upload").name
    suffix = Path(original_name).suffix.lower()[:10]
    stored = upload_directory() / f"{uuid.uuid4().hex}{suffix}"
    with stored.open("wb") as destination:
        for chunk in uploaded_file.chunks():
            destination.write(chunk)
    job = create_job(
        RUNNER,
        user=user,
        parameters={"kind": kind, "original_name": original_name[:200]},
        input_file=str(stored),
        scope_path=scope_path(user) or "",
    )
    dispatch(job)
    return job


def run_import_job(job: Job, progress: ProgressCallback) -> dict[str, Any]:
    """Runner of the import job (contract of pakan.jobs.services.run_job_now)."""
    parameters = job.parameters or {}
    outcome = import_file(
        Path(job.input_file),
        parameters.get("kind", PEOPLE),
        user=job.created_by,
        progress=progress,
        original_name=parameters.get("original_name", ""),
    )
    summary_en, summary_lo = outcome.summary()
    result = outcome.as_result()
    answer: dict[str, Any] = {
        "status": Job.Status.SUCCEEDED if outcome.accepted else Job.Status.REFUSED,
        "done": outcome.rows,
        "total": outcome.rows,
        "message": f"{summary_en}\n{summary_lo}",
        "result": result,
        "report_file": "",
    }
    if not outcome.accepted:
        stem = upload_directory() / f"job-{job.pk}-errors"
        reports = {
            fmt: str(
                write_error_report(
                    outcome.errors, stem.with_suffix(f".{fmt}"), fmt, total=outcome.error_count
                )
            )
            for fmt in ("csv", "xlsx")
        }
        result["report_files"] = reports
        answer["report_file"] = reports["xlsx"]
    return answer
