"""Making a valuation extract: who may, which dates are refused, and the run itself (read the
fund, compute the experience, write the file and its hash), directly or as a background job.
"""

from __future__ import annotations

import datetime
import time
import traceback

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from pakan.accounts.models import Role
from pakan.accounts.scope import scope_path
from pakan.jobs.models import Job
from pakan.jobs.services import create_job, dispatch
from pakan.registry.validation import parse_date
from pakan.valuation.experience import experience_statistics
from pakan.valuation.extract.arrays import FORMAT_VERSION, ExtractArrays, sha256_of
from pakan.valuation.extract.messages import ExtractError, ExtractNotAllowed
from pakan.valuation.extract.period import ValuationPeriod
from pakan.valuation.extract.reading import (
    BRANCH_NAMES,
    CATEGORY_NAMES,
    ProgressCallback,
    earliest_contribution_month,
    earliest_membership_day,
    read_fund,
)
from pakan.valuation.models import ValuationExtract

EXTRACT_JOB_KIND = "pakan.valuation.extract.tasks.job_runner"  # Job.kind holds 40
NATIONAL_ROLES = (Role.SYSTEM_ADMIN, Role.CENTRAL_OFFICER)
STEPS = 5  # read members, pensions, population; statistics; file


# --- who may ------------------------------------------------------------------------------------

def may_make_extract(user) -> bool:
    """Actuaries, and central officers and system administrators whose scope is the country."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.ACTUARY:
        return True
    national = scope_path(user) is not None and user.scope_unit.parent_id is None
    return national and user.role in NATIONAL_ROLES


def require_extract_permission(user) -> None:
    if not may_make_extract(user):
        raise ExtractNotAllowed


# --- which dates --------------------------------------------------------------------------------

def check_valuation_date(value: object, *, today: datetime.date | None = None) -> datetime.date:
    """The valuation date as a date, or ExtractError: not a date, in the future, before the
    fund's first record (its earliest membership or contribution month), or no fund at all."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    day, errors = parse_date("valuation_date", value)
    if errors or day is None:
        raise ExtractError.of("valuation_date", "extract_bad_date", value=value or "")
    today = today or timezone.localdate()
    if day > today:
        raise ExtractError.of("valuation_date", "extract_future_date", date=day.isoformat(),
                              today=today.isoformat())
    first = earliest_membership_day()
    if first is None or day < first:
        # Only now the records table (the largest) is read: is anything earlier there?
        month = earliest_contribution_month()
        first = min((known for known in (first, month) if known is not None), default=None)
    if first is None:
        raise ExtractError.of("valuation_date", "extract_no_fund_data")
    if day < first:
        raise ExtractError.of("valuation_date", "extract_before_fund", date=day.isoformat(),
                              first=first.isoformat())
    return day


# --- the run ------------------------------------------------------------------------------------

def make_extract(valuation_date: object, *, actor, progress: ProgressCallback | None = None,
                 extract: ValuationExtract | None = None,
                 today: datetime.date | None = None) -> ValuationExtract:
    """Extract the fund as it stands at `valuation_date` and store it as a finished
    ValuationExtract: the arrays in `data_file` (.npz) with their SHA-256, the experience
    statistics, counts and timings. A refused request (permission, date) stores nothing; a
    failure during the run leaves the extract marked failed with the reason."""
    require_extract_permission(actor)
    day = check_valuation_date(valuation_date, today=today)
    if extract is None:
        extract = ValuationExtract.objects.create(valuation_date=day, created_by=actor)
    started = time.perf_counter()
    try:
        arrays, timings = _read_arrays(ValuationPeriod(day), progress)
        mark = time.perf_counter()
        statistics = experience_statistics(arrays)
        timings["statistics"] = time.perf_counter() - mark
        _report(progress, STEPS - 1)
        mark = time.perf_counter()
        data = arrays.to_bytes()
        timings["file"] = time.perf_counter() - mark
        _store(extract, arrays, data, statistics, timings, time.perf_counter() - started)
        _report(progress, STEPS)
    except Exception as error:
        _mark_failed(extract, error, time.perf_counter() - started)
        raise
    return extract


def _report(progress: ProgressCallback | None, done: int) -> None:
    if progress is not None:
        progress(done, STEPS)


def _read_arrays(period: ValuationPeriod, progress: ProgressCallback | None
                 ) -> tuple[ExtractArrays, dict[str, float]]:
    """Read in one snapshot of the database (PostgreSQL: a repeatable-read, read-only
    transaction of its own, unless the caller is already in one), then build the arrays."""
    outermost = not connection.in_atomic_block  # then no query has run in it yet
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        raw = read_fund(period, progress, steps=(0, STEPS))
    mark = time.perf_counter()
    arrays = ExtractArrays.from_raw(period, raw.members, raw.pensions, raw.population,
                                    CATEGORY_NAMES, BRANCH_NAMES)
    raw.timings["arrays"] = time.perf_counter() - mark
    return arrays, raw.timings


def _store(extract: ValuationExtract, arrays: ExtractArrays, data: bytes, statistics: dict,
           timings: dict[str, float], seconds: float) -> None:
    statistics = {
        "format_version": FORMAT_VERSION,
        "base_year": arrays.base_year,
        "counts": _counts(arrays),
        "experience": statistics,
        "timings": {name: round(value, 3) for name, value in timings.items()},
    }
    extract.data_file.save(f"extract-{arrays.valuation_date.isoformat()}-{extract.pk}.npz",
                           ContentFile(data), save=False)
    extract.sha256 = sha256_of(data)
    extract.insured = arrays.insured_count
    extract.pensioners = arrays.pensioners_count
    extract.statistics = statistics
    extract.status = ValuationExtract.Status.DONE
    extract.finished_at = timezone.now()
    extract.seconds = seconds
    extract.error = ""
    extract.save()


def _counts(arrays: ExtractArrays) -> dict[str, int]:
    members, pensions = arrays.members, arrays.pensions
    return {
        "member_rows": len(members["age"]),
        "insured": arrays.insured_count,
        "active": int(members["active"].sum()),
        "inactive": int((members["insured"] & ~members["active"]).sum()),
        "died_last_year": int((~members["alive"]).sum()),
        "retired_last_year": int(members["retired"].sum()),
        "pensions_in_payment": arrays.pensioners_count,
        "pensions_started_last_year": int(pensions["started_last_year"].sum()),
        "registry_people": int(arrays.population_counts.sum()),
    }


def _mark_failed(extract: ValuationExtract, error: Exception, seconds: float) -> None:
    ValuationExtract.objects.filter(pk=extract.pk).update(
        status=ValuationExtract.Status.FAILED, finished_at=timezone.now(), seconds=seconds,
        error=f"{error}\n{traceback.format_exc(limit=5)}"[:4000])
    extract.status = ValuationExtract.Status.FAILED


# --- as a background job ----------------------------------------------------------------------

def start_extract_job(actor, valuation_date: object, *,
                      today: datetime.date | None = None) -> Job:
    """Check the request now (a refusal stores nothing), then make the extract in a job with
    a progress bar. The extract exists at once with status "running" and points to its job;
    while an extract of the same date is still running, its job is returned instead."""
    require_extract_permission(actor)
    day = check_valuation_date(valuation_date, today=today)
    with transaction.atomic():
        running = (ValuationExtract.objects.select_for_update()
                   .filter(valuation_date=day, status=ValuationExtract.Status.RUNNING,
                           job__status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
                   .select_related("job").first())
        if running is not None:
            return running.job
        extract = ValuationExtract.objects.create(valuation_date=day, created_by=actor)
        job = create_job(EXTRACT_JOB_KIND, user=actor, key=f"valuation_extract:{extract.pk}",
                         parameters={"extract": extract.pk, "valuation_date": day.isoformat()})
        extract.job = job
        extract.save(update_fields=["job"])
        dispatch(job)
    job.refresh_from_db()
    return job


def run_extract_job(job: Job, progress: ProgressCallback) -> dict:
    """The job's work (called by pakan.valuation.extract.tasks.job_runner)."""
    extract = ValuationExtract.objects.get(pk=job.parameters["extract"])
    make_extract(extract.valuation_date, actor=job.created_by, progress=progress,
                 extract=extract)
    extract.refresh_from_db()
    return {
        "status": Job.Status.SUCCEEDED,
        "done": STEPS,
        "total": STEPS,
        "message": f"{extract.insured:,} insured, {extract.pensioners:,} pensioners on "
                   f"{extract.valuation_date.isoformat()}",
        "result": {"extract": extract.pk, "valuation_date": extract.valuation_date.isoformat(),
                   "insured": extract.insured, "pensioners": extract.pensioners,
                   "sha256": extract.sha256},
    }
