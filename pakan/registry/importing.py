"""Bulk import of people and households from CSV and XLSX files, whole or not at all.

A file goes through three gates. The file as a whole (format, encoding, header: pakan.tabular).
Every row, with polars column expressions over batches (pakan.registry.import_checks). The
rows as a set, in SQL on a staging table: an ID twice, an ID already registered, an unknown
village, a village outside the user's scope (pakan.registry.import_loading). Any error at any
gate refuses the whole file: the one transaction is rolled back and the answer lists each bad
cell with its line, column and reason in English and Lao, also as a CSV/XLSX report. A good
file goes in with a few INSERT ... SELECT statements in that same transaction, so a failure or
a killed worker half way leaves nothing behind.

The page (start_import -> a background job), the job runner (run_import_job) and the command
line (manage.py import_registry) all end up in import_file.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pakan.accounts.scope import require_change_permission, scope_path
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
    checks_for,
    find_errors,
    parse,
    staging_frame,
    with_missing_columns,
)
from pakan.registry.import_loading import LoadResult, Staging
from pakan.tabular.export import write_table
from pakan.tabular.messages import RowError, TableRefused, preview, render
from pakan.tabular.reading import check_header, open_table

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
REPORT_HEADER = ("line", "column", "value", "reason_en", "reason_lo")
RUNNER = "pakan.registry.importing.run_import_job"
UPLOAD_DIRECTORY = "imports"
RESULT_ERRORS_SHOWN = 200


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

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, line: int, column: str, value: Any, code: str, **params: Any) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append((line, column, value, code, params))

    def add_frame(self, failures: pl.DataFrame, checks: list[Check]) -> None:
        """Failures of row checks (line, check, value), already in line order."""
        self.total += failures.height
        room = self.limit - len(self.kept)
        for line, check_index, value in failures.head(max(room, 0)).iter_rows():
            check = checks[check_index]
            self.kept.append((line, check.column, value, check.code, check.params))

    def add_rows(
        self, column: str, code: str, total: int, rows: list[tuple[int, Any, int | None]]
    ) -> None:
        """Failures of a set check: the first rows by line, and how many there are in all."""
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
    scope_prefix = scope_path(user) if user is not None else None
    spec = KINDS[kind]
    report = progress or (lambda done, total: None)
    try:
        source = open_table(
            Path(path), original_name, max_bytes=getattr(settings, "PAKAN_IMPORT_MAX_BYTES", None)
        )
    except TableRefused as refusal:
        return _refused(spec, refusal.errors)
    header_errors = check_header(source.header, spec.required, spec.allowed)
    if header_errors:
        return _refused(spec, header_errors)
    errors = ErrorList(spec.allowed)
    estimated_total = source.estimated_rows
    report(0, estimated_total)
    with transaction.atomic():
        staging = Staging.create(spec)
        try:
            rows = _check_and_stage(source, spec, staging, errors, report, estimated_total)
        except TableRefused as refusal:
            staging.abandon()
            transaction.set_rollback(True)
            return _refused(spec, refusal.errors)
        except BaseException:
            staging.abandon()
            raise
        if rows == 0:
            transaction.set_rollback(True)
            return _refused(spec, TableRefused.of("no_rows").errors)
        staging.ready()
        for result in staging.run_checks(scope_prefix, MAX_REPORTED_ERRORS):
            errors.add_rows(result.check.column, result.check.code, result.total, result.rows)
        if errors:
            transaction.set_rollback(True)
            return _refused(spec, errors.rendered(), total=errors.total, rows=rows)
        loaded = staging.load(
            actor_id=_actor_id(user), note=_audit_note(path, original_name), now=timezone.now()
        )
        staging.drop()
    outcome = ImportOutcome(
        accepted=True,
        kind=kind,
        rows=rows,
        created_people=loaded.created_people,
        created_households=loaded.created_households,
        first_person_id=loaded.first_person_id,
        last_person_id=loaded.last_person_id,
    )
    _queue_duplicates(outcome, loaded)
    report(rows, rows)
    return outcome


def _check_and_stage(
    source,
    spec: KindSpec,
    staging: Staging,
    errors: ErrorList,
    report: ProgressCallback,
    estimated_total: int,
) -> int:
    """Row checks batch by batch; every row is staged so the set checks see the whole file."""
    checks = checks_for(spec, timezone.localdate())
    rows = 0
    for batch in source.batches(BATCH_ROWS):
        typed = parse(with_missing_columns(batch, spec), spec)
        failures = find_errors(typed, checks)
        if failures.height:
            errors.add_frame(failures, checks)
        staging.append(staging_frame(typed, spec))
        rows += batch.height
        # Never report "all done" before the load has committed.
        total = max(estimated_total, rows)
        report(min(rows, total - 1), total)
    return rows


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


def _actor_id(user) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def _audit_note(path: Path, original_name: str) -> str:
    return f"bulk import of {(original_name or Path(path).name)[:140]}"


def _queue_duplicates(outcome: ImportOutcome, loaded: LoadResult) -> None:
    """After the commit: new people are checked against the registry for likely duplicates.

    A failure here does not undo the import (the people are rightly in the registry); it is
    logged, flagged on the outcome, and with a broker the check goes to a worker to retry.
    """
    if not loaded.created_people:
        return
    try:
        outcome.duplicates_queued = queue_likely_duplicates(
            loaded.first_person_id, loaded.last_person_id
        )
    except Exception:
        logger.exception(
            "duplicate check failed for people %s-%s", loaded.first_person_id, loaded.last_person_id
        )
        outcome.duplicate_check_failed = True
        if not settings.CELERY_BROKER_URL:
            return  # no worker to retry later: the failure stays on the job for an officer
        try:
            from pakan.registry.tasks import queue_duplicates_after_import

            queue_duplicates_after_import.delay(loaded.first_person_id, loaded.last_person_id)
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
