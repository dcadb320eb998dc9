"""Billing a month of contributions for the whole country, as a set operation.

`run_billing(month)` reads every accepted declaration line of the month, with each worker's
membership category in that month, into numpy arrays; computes the shares with
pakan.rules.social_security.contributions for that month (so re-billing 2022 gives 2022's
values); sums them per employer; issues one invoice per employer and month through
invoicing.issue_invoices; and writes each worker's ContributionRecord set-based (INSERT ...
SELECT FROM unnest(...) ON CONFLICT DO NOTHING on PostgreSQL, bulk_create with
ignore_conflicts elsewhere).

The run is keyed by (kind, month) (BillingRun). Employers are billed in chunks, each chunk in
its own transaction, so a run killed half way leaves whole invoices only and the next call
bills the rest; a declaration that has an invoice is never billed again. A call on a finished
run with nothing new to bill returns it unchanged.

Corrections: a declaration accepted after its month was billed (it supersedes a billed one) is
billed by the next run_billing(month) call as a "correction" invoice for the difference between
what the correction declares and what was billed for the employer and month so far (negative
allowed: a credit note), and the employer's ContributionRecords of the month are brought to
the corrected wages (new workers added, changed ones updated, dropped ones removed).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone

from pakan.accounts.models import Role
from pakan.accounts.scope import require_change_permission
from pakan.jobs.models import Job
from pakan.jobs.services import create_job, dispatch
from pakan.rules import social_security as rules
from pakan.rules.legal_parameters import entry_at
from pakan.rules.months import month_end
from pakan.socialsecurity.models import (
    BillingRun,
    ContributionRecord,
    Declaration,
    Invoice,
)
from pakan.socialsecurity.services.invoicing import invoice_key, issue_invoices

ProgressCallback = Callable[[int, int], None]

# Employers per chunk (one transaction each): 2,000 employers are about 40,000 workers at the
# national average, a few seconds of work, a small loss if a run is killed.
EMPLOYER_CHUNK = 2000
INSERT_BATCH = 5000
# Advisory-lock class for billing runs on PostgreSQL (the month is the second key).
ADVISORY_LOCK_CLASS = 310_001
# A worker whose membership spell was removed after the declaration was accepted still has to
# be billed; the employed category of an enterprise worker stands in and the run says so.
FALLBACK_CATEGORY = rules.ENTERPRISE_EMPLOYEE


@dataclass
class _ChunkOutcome:
    invoices: int = 0
    workers: int = 0
    amount: int = 0
    records_changed: int = 0
    fallback_lines: int = 0
    parameter_names: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Pending:
    """An accepted declaration of the month without an invoice yet."""

    declaration_id: int
    employer_id: int
    village_id: int
    billed_before: bool  # the employer already has a contribution invoice for the month


@dataclass
class _Lines:
    """The lines of one chunk as columns, sorted by employer (then line number)."""

    declaration_id: np.ndarray
    employer_id: np.ndarray
    member_id: np.ndarray
    wage: np.ndarray
    category: np.ndarray

    def take(self, mask: np.ndarray) -> _Lines:
        return _Lines(self.declaration_id[mask], self.employer_id[mask], self.member_id[mask],
                      self.wage[mask], self.category[mask])


def month_text(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def run_billing(month: datetime.date, *, actor=None, progress: ProgressCallback | None = None,
                issued_on: datetime.date | None = None, job=None,
                chunk_size: int = EMPLOYER_CHUNK) -> BillingRun:
    """Bill every accepted declaration of the month that has no invoice yet; see the module.

    `issued_on` (default today) dates the invoices and their postings; a replay of history
    (pakan synth) passes the day after the month."""
    rules.check_month(month)
    issued_on = issued_on or timezone.localdate()
    run = _run_for(month, actor, job)
    with _month_lock(month):
        run.refresh_from_db()
        pending = _pending(month)
        if not pending:
            if run.status != BillingRun.Status.FINISHED:
                _finish(run, month)
            return run
        BillingRun.objects.filter(pk=run.pk).update(status=BillingRun.Status.RUNNING)
        try:
            changed = _bill(run, month, pending, issued_on, progress, chunk_size, actor)
        except Exception as failure:
            BillingRun.objects.filter(pk=run.pk).update(
                status=BillingRun.Status.FAILED, message=f"{type(failure).__name__}: "
                                                         f"{failure}"[:2000])
            raise
        _finish(run, month, changed)
    run.refresh_from_db()
    return run


def _run_for(month: datetime.date, actor, job) -> BillingRun:
    started_by = actor if getattr(actor, "is_authenticated", False) else None
    run, created = BillingRun.objects.get_or_create(
        kind=BillingRun.Kind.CONTRIBUTIONS, month=month,
        defaults={"started_by": started_by, "job": job})
    if not created and job is not None and run.job_id is None:
        BillingRun.objects.filter(pk=run.pk).update(job=job)
    return run


class _month_lock:
    """On PostgreSQL, one billing of a month at a time (a second caller waits, then finds
    nothing left to bill). SQLite serialises writers on its own."""

    def __init__(self, month: datetime.date) -> None:
        self.key = month.year * 100 + month.month

    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, self.key])

    def __exit__(self, *exc_info) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)",
                               [ADVISORY_LOCK_CLASS, self.key])


def _pending(month: datetime.date) -> list[_Pending]:
    billed = Invoice.objects.filter(employer=OuterRef("employer"), month=month,
                                    kind=Invoice.Kind.CONTRIBUTION)
    rows = (Declaration.objects
            .filter(month=month, status=Declaration.Status.ACCEPTED, invoice__isnull=True)
            .annotate(billed_before=Exists(billed))
            .order_by("employer_id")
            .values_list("pk", "employer_id", "employer__village_id", "billed_before"))
    return [_Pending(*row) for row in rows]


def _bill(run: BillingRun, month: datetime.date, pending: list[_Pending],
          issued_on: datetime.date, progress: ProgressCallback | None, chunk_size: int,
          actor) -> bool:
    changed = False
    total = len(pending)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, chunk_size):
        chunk = pending[start:start + chunk_size]
        with transaction.atomic():
            _relax_commit_wait()
            outcome = bill_chunk(run, month, chunk, issued_on, actor)
            _add_to_run(run, month, outcome)
        changed = changed or bool(outcome.invoices or outcome.records_changed)
        if progress is not None:
            progress(start + len(chunk), total)
    return changed


def _relax_commit_wait() -> None:
    """A chunk's commit does not wait for its WAL to reach the disk (PostgreSQL's
    synchronous_commit off, for this transaction only). A server crash may then lose the last
    chunks committed, never part of one, and the database stays consistent: the next call bills
    those employers again, as after any crash. A run is durable when it is marked finished."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def bill_chunk(run: BillingRun, month: datetime.date, chunk: Sequence[_Pending],
               issued_on: datetime.date, actor=None) -> _ChunkOutcome:
    """Bill one chunk of employers; the caller holds the transaction."""
    outcome = _ChunkOutcome()
    lines = _read_lines(month, chunk)
    # A declaration accepted since the chunk was listed waits for the next call.
    lines = lines.take(np.isin(lines.declaration_id, [item.declaration_id for item in chunk]))
    if not lines.member_id.size:
        return outcome
    known = np.isin(lines.category, rules.EMPLOYED_CATEGORIES)
    outcome.fallback_lines = int((~known).sum())
    categories = np.where(known, lines.category, FALLBACK_CATEGORY)
    result = rules.contributions(lines.wage, categories, month)
    outcome.parameter_names.update(result.parameter_names)
    corrected = {item.declaration_id for item in chunk if item.billed_before}
    is_correction = np.isin(lines.declaration_id, list(corrected))
    originals = [item for item in chunk if not item.billed_before]
    _bill_originals(run, month, originals, lines, result, ~is_correction, issued_on, actor,
                    outcome)
    for item in chunk:
        if item.billed_before:
            _bill_correction(run, month, item, lines, result,
                             lines.declaration_id == item.declaration_id, issued_on, actor,
                             outcome)
    return outcome


def _read_lines(month: datetime.date, chunk: Sequence[_Pending]) -> _Lines:
    """The chunk's declaration lines with each worker's category in the month (the latest
    membership spell touching it), in one query over the chunk's employer range."""
    first, last = chunk[0].employer_id, chunk[-1].employer_id
    last_day = month_end(month)
    sql = (
        "SELECT line.declaration_id, declaration.employer_id, line.member_id, "
        "line.monthly_wage, "
        "(SELECT spell.category FROM socialsecurity_membershipspell spell "
        " WHERE spell.member_id = line.member_id AND spell.start_on <= %s "
        " AND (spell.end_on IS NULL OR spell.end_on >= %s) "
        " ORDER BY spell.start_on DESC LIMIT 1) "
        "FROM socialsecurity_declarationline line "
        "JOIN socialsecurity_declaration declaration ON declaration.id = line.declaration_id "
        "WHERE declaration.month = %s AND declaration.status = %s "
        "AND declaration.employer_id BETWEEN %s AND %s "
        "AND NOT EXISTS (SELECT 1 FROM socialsecurity_invoice invoice "
        "                WHERE invoice.declaration_id = declaration.id) "
        "ORDER BY declaration.employer_id, line.line_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [last_day, month, month, Declaration.Status.ACCEPTED, first, last])
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return _Lines(empty, empty, empty, empty, np.zeros(0, dtype=object))
    declaration_ids, employer_ids, member_ids, wages, categories = zip(*rows, strict=True)
    return _Lines(np.array(declaration_ids, dtype=np.int64),
                  np.array(employer_ids, dtype=np.int64),
                  np.array(member_ids, dtype=np.int64), np.array(wages, dtype=np.int64),
                  np.array(categories, dtype=object))


def _sums_by_declaration(declaration_ids: np.ndarray, *columns: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Per-declaration sums of int64 columns (the lines come sorted by employer, and an
    employer has one accepted declaration a month, so equal ids are contiguous)."""
    if not declaration_ids.size:
        return declaration_ids, declaration_ids, [column[:0] for column in columns]
    starts = np.flatnonzero(np.r_[True, declaration_ids[1:] != declaration_ids[:-1]])
    counts = np.diff(np.r_[starts, declaration_ids.size])
    return (declaration_ids[starts], counts,
            [np.add.reduceat(column, starts) for column in columns])


def _bill_originals(run: BillingRun, month: datetime.date, originals: Sequence[_Pending],
                    lines: _Lines, result: rules.Contributions, mask: np.ndarray,
                    issued_on: datetime.date, actor, outcome: _ChunkOutcome) -> None:
    if not originals or not mask.any():
        return
    declaration_ids, counts, (insured, employer) = _sums_by_declaration(
        lines.declaration_id[mask], result.insured[mask], result.employer[mask])
    by_declaration = {item.declaration_id: item for item in originals}
    due_on = rules.due_date(month)
    invoices = []
    for declaration_id, workers, insured_amount, employer_amount in zip(
            declaration_ids.tolist(), counts.tolist(), insured.tolist(), employer.tolist(),
            strict=True):
        item = by_declaration[declaration_id]
        invoices.append(Invoice(
            kind=Invoice.Kind.CONTRIBUTION, employer_id=item.employer_id,
            village_id=item.village_id, month=month, declaration_id=declaration_id,
            billing_run=run, number_of_workers=workers, insured_amount=insured_amount,
            employer_amount=employer_amount, total=insured_amount + employer_amount,
            issued_on=issued_on, due_on=due_on,
            ledger_key=invoice_key(Invoice.Kind.CONTRIBUTION, month_text(month),
                                   employer_id=item.employer_id)))
    issued = issue_invoices(invoices, created_by=_user(actor))
    outcome.invoices += len(issued)
    outcome.workers += sum(invoice.number_of_workers for invoice in issued)
    outcome.amount += sum(invoice.total for invoice in issued)
    outcome.records_changed += _insert_records(
        month, lines.member_id[mask], lines.employer_id[mask], result.insurable_wage[mask],
        result.insured[mask], result.employer[mask])


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _insert_records(month: datetime.date, member_ids: np.ndarray, employer_ids: np.ndarray,
                    wages: np.ndarray, insured: np.ndarray, employer: np.ndarray) -> int:
    """Each worker's month in the lifetime record; a record already there is kept."""
    if connection.vendor == "postgresql":
        return _insert_records_postgresql(month, [member_ids, employer_ids, wages, insured,
                                                  employer])
    before = ContributionRecord.objects.filter(month=month).count()
    ContributionRecord.objects.bulk_create(
        [ContributionRecord(member_id=member_id, month=month, employer_id=employer_id,
                            insurable_wage=wage, insured_amount=insured_amount,
                            employer_amount=employer_amount,
                            source=ContributionRecord.Source.DECLARATION)
         for member_id, employer_id, wage, insured_amount, employer_amount in zip(
             member_ids.tolist(), employer_ids.tolist(), wages.tolist(), insured.tolist(),
             employer.tolist(), strict=True)],
        batch_size=INSERT_BATCH, ignore_conflicts=True)
    return ContributionRecord.objects.filter(month=month).count() - before


RECORD_BATCH_TABLE = "pakan_contribution_batch"
RECORD_COLUMNS = ("member_id", "employer_id", "insurable_wage", "insured_amount",
                  "employer_amount")


def binary_copy_of(columns: Sequence[np.ndarray]) -> bytes:
    """PostgreSQL's binary COPY format for rows of bigint columns, built by numpy in one go
    (a million rows in milliseconds, where text or parameter arrays take seconds)."""
    rows = len(columns[0])
    layout = [("fields", ">i2")]
    for position in range(len(columns)):
        layout += [(f"length{position}", ">i4"), (f"value{position}", ">i8")]
    tuples = np.empty(rows, dtype=np.dtype(layout))
    tuples["fields"] = len(columns)
    for position, column in enumerate(columns):
        tuples[f"length{position}"] = 8
        tuples[f"value{position}"] = column
    header = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    return header + tuples.tobytes() + (-1).to_bytes(2, "big", signed=True)


def _insert_records_postgresql(month: datetime.date, columns: list[np.ndarray]) -> int:
    """COPY the rows into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO
    NOTHING: a record already there (a rerun, an assessment) is kept."""
    names = ", ".join(RECORD_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {RECORD_BATCH_TABLE} ("
                       + ", ".join(f"{name} bigint" for name in RECORD_COLUMNS)
                       + ") ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {RECORD_BATCH_TABLE}")
        with cursor.cursor.copy(f"COPY {RECORD_BATCH_TABLE} ({names}) FROM STDIN "
                                f"(FORMAT binary)") as copy:
            copy.write(binary_copy_of(columns))
        cursor.execute(
            f"INSERT INTO socialsecurity_contributionrecord (month, source, paid, {names}) "
            f"SELECT %s, %s, false, {names} FROM {RECORD_BATCH_TABLE} ON CONFLICT DO NOTHING",
            [month, ContributionRecord.Source.DECLARATION])
        return cursor.rowcount


def _bill_correction(run: BillingRun, month: datetime.date, item: _Pending, lines: _Lines,
                     result: rules.Contributions, mask: np.ndarray, issued_on: datetime.date,
                     actor, outcome: _ChunkOutcome) -> None:
    """The difference between the corrected declaration and what was billed so far."""
    billed = Invoice.objects.filter(
        employer_id=item.employer_id, month=month,
        kind__in=[Invoice.Kind.CONTRIBUTION, Invoice.Kind.CORRECTION],
    ).aggregate(insured=Sum("insured_amount"), employer=Sum("employer_amount"))
    insured_amount = int(result.insured[mask].sum()) - (billed["insured"] or 0)
    employer_amount = int(result.employer[mask].sum()) - (billed["employer"] or 0)
    invoice = Invoice(
        kind=Invoice.Kind.CORRECTION, employer_id=item.employer_id, village_id=item.village_id,
        month=month, declaration_id=item.declaration_id, billing_run=run,
        number_of_workers=int(mask.sum()), insured_amount=insured_amount,
        employer_amount=employer_amount, total=insured_amount + employer_amount,
        issued_on=issued_on, due_on=rules.due_date(month),
        ledger_key=invoice_key(Invoice.Kind.CORRECTION, month_text(month),
                               employer_id=item.employer_id,
                               suffix=f"declaration:{item.declaration_id}"))
    issued = issue_invoices([invoice], created_by=_user(actor))
    outcome.invoices += len(issued)
    outcome.amount += sum(invoice.total for invoice in issued)
    outcome.records_changed += _reconcile_records(
        month, item.employer_id, lines.member_id[mask], result.insurable_wage[mask],
        result.insured[mask], result.employer[mask])


def _reconcile_records(month: datetime.date, employer_id: int, member_ids: np.ndarray,
                       wages: np.ndarray, insured: np.ndarray, employer: np.ndarray) -> int:
    """Bring the employer's records of the month to the corrected declaration. A record whose
    amounts rise is unpaid again until the correction invoice is settled."""
    wanted = {member_id: (wage, insured_amount, employer_amount)
              for member_id, wage, insured_amount, employer_amount in zip(
                  member_ids.tolist(), wages.tolist(), insured.tolist(), employer.tolist(),
                  strict=True)}
    existing = {record.member_id: record for record in ContributionRecord.objects.filter(
        employer_id=employer_id, month=month, source=ContributionRecord.Source.DECLARATION)}
    dropped = [record.pk for member_id, record in existing.items() if member_id not in wanted]
    changed = []
    for member_id, record in existing.items():
        if member_id not in wanted:
            continue
        wage, insured_amount, employer_amount = wanted[member_id]
        if (record.insurable_wage, record.insured_amount, record.employer_amount) == (
                wage, insured_amount, employer_amount):
            continue
        if insured_amount + employer_amount > record.insured_amount + record.employer_amount:
            record.paid, record.paid_on = False, None
        record.insurable_wage, record.insured_amount = wage, insured_amount
        record.employer_amount = employer_amount
        changed.append(record)
    ContributionRecord.objects.filter(pk__in=dropped).delete()
    ContributionRecord.objects.bulk_update(
        changed, ["insurable_wage", "insured_amount", "employer_amount", "paid", "paid_on"],
        batch_size=INSERT_BATCH)
    added = [ContributionRecord(member_id=member_id, month=month, employer_id=employer_id,
                                insurable_wage=wage, insured_amount=insured_amount,
                                employer_amount=employer_amount,
                                source=ContributionRecord.Source.DECLARATION)
             for member_id, (wage, insured_amount, employer_amount) in wanted.items()
             if member_id not in existing]
    ContributionRecord.objects.bulk_create(added, batch_size=INSERT_BATCH,
                                           ignore_conflicts=True)
    return len(dropped) + len(changed) + len(added)


def parameters_used(names: set[str], month: datetime.date) -> dict[str, dict]:
    """The dated values a run used, each with its start and provisional flag."""
    used = {}
    for name in sorted(names | {rules.DUE_DAY}):
        entry = entry_at(name, month)
        used[name] = {"value": entry.value, "start": entry.start.isoformat(),
                      "provisional": entry.provisional, "reference": entry.reference}
    return used


def _add_to_run(run: BillingRun, month: datetime.date, outcome: _ChunkOutcome) -> None:
    """Counters and parameters move with the chunk, in its transaction: after a crash the
    run says exactly what is billed."""
    fresh = BillingRun.objects.select_for_update().get(pk=run.pk)
    used = dict(fresh.parameters_used or {})
    used.update(parameters_used(outcome.parameter_names, month))
    note = fresh.message
    if outcome.fallback_lines:
        note = (f"{note}\n" if note else "") + (
            f"{outcome.fallback_lines} lines had no membership category in the month and were "
            f"billed as {FALLBACK_CATEGORY}.")
    BillingRun.objects.filter(pk=run.pk).update(
        number_of_invoices=F("number_of_invoices") + outcome.invoices,
        number_of_workers=F("number_of_workers") + outcome.workers,
        total_amount=F("total_amount") + outcome.amount,
        parameters_used=used, message=note[:4000])


def _finish(run: BillingRun, month: datetime.date, changed: bool = True) -> None:
    run.refresh_from_db()
    updates = {"status": BillingRun.Status.FINISHED}
    if changed or run.finished_at is None:
        updates["finished_at"] = timezone.now()
    if not run.parameters_used:
        updates["parameters_used"] = parameters_used(set(), month)
    BillingRun.objects.filter(pk=run.pk).update(**updates)
    run.refresh_from_db()


def provisional_parameters(run: BillingRun) -> list[str]:
    """Names of the provisional values the run relied on, for the notice on its page."""
    return sorted(name for name, used in (run.parameters_used or {}).items()
                  if used.get("provisional"))


# Running it as a background job -------------------------------------------------------------

BILLING_JOB_KIND = "pakan.socialsecurity.tasks.billing_job"
BILLING_ROLES = (Role.SYSTEM_ADMIN, Role.CENTRAL_OFFICER)


def billing_job_key(month: datetime.date) -> str:
    return f"billing:{month_text(month)}"


def start_billing_job(actor, month: datetime.date, *,
                      issued_on: datetime.date | None = None) -> Job:
    """Start (or restart) the month's billing as a job with a progress bar. The job is keyed
    "billing:YYYY-MM": while it waits or runs, starting again returns it; once it has ended
    (finished, or failed half way) the same job is queued again, and the run bills only what
    is left."""
    rules.check_month(month)
    require_change_permission(actor)
    if actor.role not in BILLING_ROLES:
        raise PermissionDenied
    key = billing_job_key(month)
    parameters = {"month": month_text(month)}
    if issued_on is not None:
        parameters["issued_on"] = issued_on.isoformat()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(key=key).first()
        if job is not None and job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
            return job
        if job is None:
            job = create_job(BILLING_JOB_KIND, user=actor, parameters=parameters, key=key)
        else:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.QUEUED, parameters=parameters, message="", done=0, total=0,
                started_at=None, finished_at=None,
                created_by=actor if getattr(actor, "is_authenticated", False) else None)
            job.refresh_from_db()
        dispatch(job)
    job.refresh_from_db()
    return job
