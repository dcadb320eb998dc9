"""Billing a month of contributions for the whole country, as a set operation.

`run_billing(month)` lists the month's accepted declarations that have no invoice yet, reads all
their lines with each worker's membership category in that month into numpy arrays (on
PostgreSQL each read is one query whose rows come back as one binary string, no Python object per
row), computes the shares with pakan.rules.social_security.contributions for that month (so
re-billing 2022 gives 2022's values), sums them per declaration, and then writes chunk by chunk:
one invoice per employer and month through invoicing.issue_employer_invoices (the invoices and
their ledger postings by COPY and a few INSERT ... SELECT statements), and each worker's
ContributionRecord (one binary COPY on PostgreSQL, written by a thread on a second connection
while the main one issues the invoices, see _RecordsBeside; bulk_create with ignore_conflicts
elsewhere).

The run is keyed by (kind, month) (BillingRun). Each chunk of employers (about 250,000 workers)
is one transaction: its invoices, postings, records and the run's counters commit together (the
records, when written beside, a few milliseconds before the rest), so a run killed half way
leaves whole invoices only and the next call bills the rest; a declaration
that has an invoice is never billed again. A call on a finished run with nothing new to bill
returns it unchanged.

Corrections: a declaration accepted after its month was billed (it supersedes a billed one) is
billed by the next run_billing(month) call as a "correction" invoice for the difference between
what the correction declares and what was billed for the employer and month so far (negative
allowed: a credit note), and the employer's ContributionRecords of the month are brought to
the corrected wages (new workers added, changed ones updated, dropped ones removed).
"""

from __future__ import annotations

import contextlib
import datetime
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Sum
from django.utils import timezone

from pakan.accounts.models import Role
from pakan.accounts.scope import require_change_permission
from pakan.jobs.models import Job
from pakan.jobs.services import start_keyed_job
from pakan.ledger.services import POSTGRESQL_EPOCH, binary_copy_of
from pakan.rules import social_security as rules
from pakan.rules.legal_parameters import entry_at
from pakan.rules.months import month_end
from pakan.socialsecurity.models import (
    BillingRun,
    ContributionRecord,
    Declaration,
    Invoice,
)
from pakan.socialsecurity.services.invoicing import (
    EmployerInvoices,
    invoice_key,
    issue_employer_invoices,
    issue_invoices,
)

ProgressCallback = Callable[[int, int], None]

# A chunk (one transaction) is at most this many employers and, unless one employer has more,
# about this many workers: a few seconds of work, a small loss if a run is killed, few commits.
EMPLOYER_CHUNK = 25_000
WORKER_CHUNK = 250_000
# From this many records a chunk's records are written on a second connection (see
# _RecordsBeside); below, in the chunk's own transaction.
RECORDS_BESIDE_MINIMUM = 20_000
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
    """The accepted declarations of the month without an invoice yet, sorted by employer."""

    declaration_id: np.ndarray
    employer_id: np.ndarray
    village_id: np.ndarray
    billed_before: np.ndarray  # the employer already has a contribution invoice for the month

    def __len__(self) -> int:
        return len(self.declaration_id)


@dataclass(frozen=True)
class _Billed:
    """The pending declarations' lines and shares, grouped by declaration in pending order
    (lines first[i]:first[i + 1] are declaration i's), with per-declaration sums."""

    pending: _Pending
    first: np.ndarray
    row: np.ndarray  # each line's declaration (its place in pending)
    member_id: np.ndarray
    wage: np.ndarray
    fallback: np.ndarray  # no employed category in the month: billed as FALLBACK_CATEGORY
    shares: rules.Contributions
    insured_sum: np.ndarray
    employer_sum: np.ndarray

    def lines(self, start: int, stop: int) -> slice:
        """The lines of pending declarations start to stop - 1."""
        return slice(int(self.first[start]), int(self.first[stop]))

    @property
    def workers(self) -> np.ndarray:
        return np.diff(self.first)


def month_text(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def run_billing(month: datetime.date, *, actor=None, progress: ProgressCallback | None = None,
                issued_on: datetime.date | None = None, job=None,
                chunk_size: int = EMPLOYER_CHUNK) -> BillingRun:
    """Bill every accepted declaration of the month that has no invoice yet; see the module.

    `issued_on` (default today) dates the invoices and their postings; a replay of history
    (pakan synth) passes the day after the month. `chunk_size` is the most employers per
    transaction."""
    rules.check_month(month)
    issued_on = issued_on or timezone.localdate()
    run = _run_for(month, actor, job)
    with _month_lock(month):
        run.refresh_from_db()
        pending = _pending(month)
        if not len(pending):
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


# Reading the month --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """One column of a read: its name in the query and its kind (int8, int4, int2, date)."""

    name: str
    kind: str


_SEND = {"int8": "int8send(({})::int8)", "int4": "int4send(({})::int4)",
         "int2": "int2send(({})::int2)", "date": "int4send(({}) - DATE '2000-01-01')"}
_WIRE = {"int8": ">i8", "int4": ">i4", "int2": ">i2", "date": ">i4"}


def _read_columns(sql: str, params: Sequence, columns: Sequence[_Column]
                  ) -> dict[str, np.ndarray]:
    """The rows of `sql` (which selects `columns`, none NULL) as numpy columns (int64; dates as
    days since 2000-01-01). On PostgreSQL the query aggregates its rows into one bytea of fixed
    width records, which numpy reads as it is: one value to fetch instead of a Python tuple per
    row (a million rows in a fraction of a second). Elsewhere a plain fetch."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            packed = " || ".join(_SEND[column.kind].format(f"q.{column.name}")
                                 for column in columns)
            cursor.execute(f"SELECT string_agg({packed}, '') FROM ({sql}) AS q", params)
            data = cursor.fetchone()[0] or b""
            rows = np.frombuffer(data, dtype=np.dtype(
                [(column.name, _WIRE[column.kind]) for column in columns]))
            return {column.name: rows[column.name].astype(np.int64) for column in columns}
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    values = {column.name: [row[position] for row in rows]
              for position, column in enumerate(columns)}
    return {column.name: _days(values[column.name]) if column.kind == "date"
            else np.array(values[column.name], dtype=np.int64) for column in columns}


def _days(dates: list) -> np.ndarray:
    days = np.array(dates, dtype="datetime64[D]") - np.datetime64(POSTGRESQL_EPOCH, "D")
    return days.astype(np.int64)


def _pending(month: datetime.date) -> _Pending:
    columns = _read_columns(
        "SELECT declaration.id AS declaration_id, declaration.employer_id AS employer_id, "
        "employer.village_id AS village_id, "
        "CASE WHEN EXISTS (SELECT 1 FROM socialsecurity_invoice billed "
        "  WHERE billed.employer_id = declaration.employer_id AND billed.month = %s "
        "  AND billed.kind = %s) THEN 1 ELSE 0 END AS billed_before "
        "FROM socialsecurity_declaration declaration "
        "JOIN socialsecurity_employer employer ON employer.id = declaration.employer_id "
        "WHERE declaration.month = %s AND declaration.status = %s "
        "AND NOT EXISTS (SELECT 1 FROM socialsecurity_invoice invoice "
        "                WHERE invoice.declaration_id = declaration.id)",
        [month, Invoice.Kind.CONTRIBUTION, month, Declaration.Status.ACCEPTED],
        [_Column("declaration_id", "int8"), _Column("employer_id", "int8"),
         _Column("village_id", "int8"), _Column("billed_before", "int2")])
    order = np.lexsort((columns["declaration_id"], columns["employer_id"]))
    return _Pending(columns["declaration_id"][order], columns["employer_id"][order],
                    columns["village_id"][order], columns["billed_before"][order] == 1)


def _category_case() -> tuple[str, list[str]]:
    """SQL giving a spell's category as its position in rules.CATEGORIES plus one (0: none)."""
    whens = " ".join("WHEN %s THEN " + str(code + 1) for code in range(len(rules.CATEGORIES)))
    return f"CASE spell.category {whens} ELSE 0 END", list(rules.CATEGORIES)


def _read_lines(month: datetime.date, pending: _Pending,
               executor: ThreadPoolExecutor | None = None) -> _Billed:
    """Every line of the pending declarations, with each worker's category in the month (the
    latest membership spell touching it), and the shares of each. Two reads (the lines; the
    month's spells: on the second connection at the same time when there is one), joined by
    numpy."""
    spells = executor.submit(_latest_spells_in_transaction, month) if executor is not None \
        else None
    lines = _read_columns(
        "SELECT line.declaration_id AS declaration_id, line.member_id AS member_id, "
        "line.monthly_wage AS wage FROM socialsecurity_declarationline line "
        "JOIN socialsecurity_declaration declaration ON declaration.id = line.declaration_id "
        "WHERE declaration.month = %s AND declaration.status = %s "
        "AND NOT EXISTS (SELECT 1 FROM socialsecurity_invoice invoice "
        "                WHERE invoice.declaration_id = declaration.id)",
        [month, Declaration.Status.ACCEPTED],
        [_Column("declaration_id", "int8"), _Column("member_id", "int8"),
         _Column("wage", "int8")])
    # Each line to its declaration's place in the pending list; a declaration accepted since
    # the list was made waits for the next call.
    by_declaration = np.argsort(pending.declaration_id)
    place = np.searchsorted(pending.declaration_id, lines["declaration_id"], sorter=by_declaration)
    place = np.minimum(place, len(pending) - 1)
    row = by_declaration[place]
    listed = pending.declaration_id[row] == lines["declaration_id"]
    row, member_id, wage = row[listed], lines["member_id"][listed], lines["wage"][listed]
    order = np.argsort(row, kind="stable")
    row, member_id, wage = row[order], member_id[order], wage[order]
    code = _categories(spells.result() if spells is not None else _latest_spells(month),
                       member_id)
    employed = np.isin(code, [rules.CATEGORIES.index(name) + 1
                              for name in rules.EMPLOYED_CATEGORIES])
    names = np.array(rules.CATEGORIES)[np.where(employed, code - 1,
                                                rules.CATEGORIES.index(FALLBACK_CATEGORY))]
    shares = rules.contributions(wage, names, month)
    first = np.searchsorted(row, np.arange(len(pending) + 1))
    return _Billed(pending, first, row, member_id, wage, ~employed, shares,
                   _sums(shares.insured, first), _sums(shares.employer, first))


def _read_spells(month: datetime.date) -> dict[str, np.ndarray]:
    """The membership spells touching the month: member, start, id, category code
    (rules.CATEGORIES position + 1, 0 for an unknown one)."""
    case, params = _category_case()
    return _read_columns(
        f"SELECT spell.member_id AS member_id, spell.start_on AS start_on, spell.id AS id, "
        f"{case} AS code FROM socialsecurity_membershipspell spell "
        "WHERE spell.start_on <= %s AND (spell.end_on IS NULL OR spell.end_on >= %s)",
        [*params, month_end(month), month],
        [_Column("member_id", "int8"), _Column("start_on", "date"), _Column("id", "int8"),
         _Column("code", "int2")])


def _latest_spells(month: datetime.date) -> tuple[np.ndarray, np.ndarray]:
    """Each member with a spell touching the month (sorted) and the category code of its latest
    one (latest start, then highest id)."""
    spells = _read_spells(month)
    order = np.lexsort((spells["id"], spells["start_on"], spells["member_id"]))
    members, codes = spells["member_id"][order], spells["code"][order]
    latest = np.r_[members[1:] != members[:-1], True] if members.size else members.astype(bool)
    return members[latest], codes[latest]


def _latest_spells_in_transaction(month: datetime.date) -> tuple[np.ndarray, np.ndarray]:
    """_latest_spells on the second connection. It first reads the month's legal parameters (a
    few hundred milliseconds of YAML the first time in a process), while the main thread waits
    for the lines."""
    rules.month_rules(month)
    with transaction.atomic():
        _tune_transaction()
        return _latest_spells(month)


def _categories(latest: tuple[np.ndarray, np.ndarray], member_ids: np.ndarray) -> np.ndarray:
    """Each member's category code in the month (0 for none)."""
    members, spell_codes = latest
    codes = np.zeros(len(member_ids), dtype=np.int64)
    if not members.size:
        return codes
    place = np.minimum(np.searchsorted(members, member_ids), len(members) - 1)
    found = members[place] == member_ids
    codes[found] = spell_codes[place[found]]
    return codes


def _sums(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Per-group sums of `values` over the groups first[i]:first[i + 1] (empty ones 0)."""
    totals = np.zeros(len(first) - 1, dtype=np.int64)
    present = np.flatnonzero(np.diff(first) > 0)
    if present.size:
        totals[present] = np.add.reduceat(values, first[present])
    return totals


# Writing chunk by chunk ---------------------------------------------------------------------


def _bill(run: BillingRun, month: datetime.date, pending: _Pending,
          issued_on: datetime.date, progress: ProgressCallback | None, chunk_size: int,
          actor) -> bool:
    changed = False
    total = len(pending)
    if progress is not None:
        progress(0, total)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="billing-beside") \
        if _second_connection_allowed() else None
    try:
        with transaction.atomic():
            _tune_transaction()
            billed = _read_lines(month, pending, executor)
        for start, stop in _chunks(billed.workers, chunk_size):
            lines = billed.lines(start, stop)
            records = (_RecordsBeside(executor) if executor is not None
                       and lines.stop - lines.start >= RECORDS_BESIDE_MINIMUM
                       else _RecordsHere())
            outcome = _bill_in_transaction(run, month, billed, start, stop, issued_on, actor,
                                           records)
            changed = changed or bool(outcome.invoices or outcome.records_changed)
            if progress is not None:
                progress(stop, total)
    finally:
        if executor is not None:
            executor.submit(connections.close_all).result()
            executor.shutdown()
    return changed


def _bill_in_transaction(run: BillingRun, month: datetime.date, billed: _Billed, start: int,
                         stop: int, issued_on: datetime.date, actor,
                         records: _RecordsHere | _RecordsBeside) -> _ChunkOutcome:
    """One chunk, one transaction (and, for its records, possibly one beside it that commits
    just before it)."""
    try:
        with transaction.atomic():
            _tune_transaction()
            outcome = bill_chunk(run, month, billed, start, stop, issued_on, actor, records)
            _check_deferred_constraints()
            outcome.records_changed += records.written()
            _add_to_run(run, month, outcome)
            records.commit()
    finally:
        records.abandon()
    return outcome


def _check_deferred_constraints() -> None:
    """Check the chunk's deferred foreign keys now (the ledger entries' account and posting)
    rather than at commit: while records are written beside, so the two overlap, and before the
    records commit, so that the chunk's own commit can then fail only with the server."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _chunks(workers: np.ndarray, chunk_size: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive declarations: at most chunk_size of them and, unless one
    alone has more, at most WORKER_CHUNK workers."""
    cumulative = np.r_[0, np.cumsum(workers)]
    bounds = []
    start = 0
    while start < len(workers):
        within = int(np.searchsorted(cumulative, cumulative[start] + WORKER_CHUNK,
                                     side="right")) - 1
        stop = max(start + 1, min(start + chunk_size, within, len(workers)))
        bounds.append((start, stop))
        start = stop
    return bounds


def _tune_transaction() -> None:
    """On PostgreSQL, for this transaction only: its commit does not wait for its WAL to reach
    the disk (synchronous_commit off: a server crash may then lose the last chunks committed,
    never part of one, and the database stays consistent: the next call bills those employers
    again, as after any crash; a run is durable when it is marked finished), and no JIT
    compilation (the statements are simple scans and joins that it would only delay)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute("SET LOCAL jit TO OFF")
            cursor.execute("SET LOCAL work_mem TO '64MB'")


def bill_chunk(run: BillingRun, month: datetime.date, billed: _Billed, start: int, stop: int,
               issued_on: datetime.date, actor=None,
               records: _RecordsHere | _RecordsBeside | None = None) -> _ChunkOutcome:
    """Bill pending declarations start to stop - 1; the caller holds the transaction. The
    originals' records go to `records` (written here by default), first, so that a second
    connection writes them while this one issues the invoices."""
    records = records if records is not None else _RecordsHere()
    outcome = _ChunkOutcome(parameter_names=set(billed.shares.parameter_names))
    lines = billed.lines(start, stop)
    outcome.fallback_lines = int(billed.fallback[lines].sum())
    corrections = billed.pending.billed_before[start:stop]
    originals = start + np.flatnonzero(~corrections & (billed.workers[start:stop] > 0))
    if originals.size:
        records.write(month, _original_records(billed, lines))
        _bill_originals(run, month, billed, originals, issued_on, actor, outcome)
    for row in (start + np.flatnonzero(corrections)).tolist():
        _bill_correction(run, month, billed, row, issued_on, actor, outcome)
    return outcome


def _original_records(billed: _Billed, lines: slice) -> list[np.ndarray]:
    """The records of the originals' lines among these: member, employer, insurable wage,
    insured share, employer share."""
    rows = billed.row[lines]
    kept = np.arange(lines.start, lines.stop)[~billed.pending.billed_before[rows]]
    shares = billed.shares
    return [billed.member_id[kept], billed.pending.employer_id[billed.row[kept]],
            shares.insurable_wage[kept], shares.insured[kept], shares.employer[kept]]


def _bill_originals(run: BillingRun, month: datetime.date, billed: _Billed, rows: np.ndarray,
                    issued_on: datetime.date, actor, outcome: _ChunkOutcome) -> None:
    """One contribution invoice per declaration (of an employer not billed yet this month)."""
    pending = billed.pending
    issued = issue_employer_invoices(EmployerInvoices(
        kind=Invoice.Kind.CONTRIBUTION, month=month, issued_on=issued_on,
        due_on=rules.due_date(month), billing_run_id=run.pk,
        employer_id=pending.employer_id[rows], village_id=pending.village_id[rows],
        declaration_id=pending.declaration_id[rows], number_of_workers=billed.workers[rows],
        insured_amount=billed.insured_sum[rows], employer_amount=billed.employer_sum[rows]),
        created_by=_user(actor))
    outcome.invoices += int(issued.sum())
    outcome.workers += int(billed.workers[rows][issued].sum())
    outcome.amount += int((billed.insured_sum[rows] + billed.employer_sum[rows])[issued].sum())


# The records of a chunk, here or beside ------------------------------------------------------


class _RecordsHere:
    """The chunk's records written in the chunk's own transaction."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, month: datetime.date, columns: list[np.ndarray]) -> None:
        self.count += _insert_records(month, *columns)

    def written(self) -> int:
        return self.count

    def commit(self) -> None:
        pass

    def abandon(self) -> None:
        pass


class _Abandoned(Exception):
    """The chunk failed: the records written beside it are rolled back."""


class _RecordsBeside:
    """The chunk's records written on a second connection, by a thread, while the main
    connection issues the chunk's invoices and postings: the server's two cores both at work
    (the records are half of a month's writing). The second transaction commits just before the
    chunk's own, once everything else of the chunk has been written and its deferred
    constraints checked; if the chunk fails, it is rolled back. A run killed between the two
    commits (a few milliseconds) leaves records of declarations not invoiced yet: the next call
    bills them, its COPY meets those records on the unique key, and they are written again from
    the declaration it bills (a correction accepted meanwhile included)."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self.executor = executor
        self.ready = threading.Event()
        self.decision: queue.Queue[bool] = queue.Queue(maxsize=1)
        self.future: Future | None = None
        self.decided = False
        self.count = 0

    def write(self, month: datetime.date, columns: list[np.ndarray]) -> None:
        if self.future is not None:
            raise RuntimeError("one write per chunk")
        self.future = self.executor.submit(self._write, month, columns)

    def _write(self, month: datetime.date, columns: list[np.ndarray]) -> int:
        try:
            with transaction.atomic():
                _tune_transaction()
                self.count = _insert_records(month, *columns)
                self.ready.set()
                if not self.decision.get():
                    raise _Abandoned
            return self.count
        finally:
            self.ready.set()

    def written(self) -> int:
        """Waits for the records to be written (not committed yet); raises what the writer
        raised."""
        if self.future is None:
            return 0
        self.ready.wait()
        if self.future.done():
            self.future.result()
        return self.count

    def commit(self) -> None:
        """Commits the records (the chunk has written everything and checked its deferred
        constraints)."""
        if self.future is None:
            return
        self.decided = True
        self.decision.put(True)
        self.future.result()

    def abandon(self) -> None:
        if self.future is None or self.decided:
            return
        self.decided = True
        self.decision.put(False)
        with contextlib.suppress(_Abandoned):
            self.future.exception()


def _second_connection_allowed() -> bool:
    """A second connection sees only committed rows: not inside a caller's transaction (a test's
    rolled-back transaction, a replay of history in one transaction)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _insert_records(month: datetime.date, member_ids: np.ndarray, employer_ids: np.ndarray,
                    wages: np.ndarray, insured: np.ndarray, employer: np.ndarray) -> int:
    """Each worker's month in the lifetime record; a record already there is kept."""
    if not member_ids.size:
        return 0
    if connection.vendor == "postgresql":
        order = np.argsort(member_ids, kind="stable")  # the unique index's order
        return _insert_records_postgresql(month, [column[order] for column in (
            member_ids, employer_ids, wages, insured, employer)])
    _drop_leftover_records(month, employer_ids)
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


def _drop_leftover_records(month: datetime.date, employer_ids: np.ndarray) -> None:
    """These employers have no invoice for the month yet, so a declared record of theirs can
    only be left by a run killed between the records' commit and the chunk's (see
    _RecordsBeside): it goes, and is written again from the declaration billed now, which may be
    a correction accepted since. Records of assessments and voluntary payments stay."""
    ContributionRecord.objects.filter(
        month=month, source=ContributionRecord.Source.DECLARATION,
        employer_id__in=np.unique(employer_ids).tolist()).delete()


RECORD_BATCH_TABLE = "pakan_contribution_batch"
RECORD_COLUMNS = ("member_id", "employer_id", "insurable_wage", "insured_amount",
                  "employer_amount")


def _insert_records_postgresql(month: datetime.date, columns: list[np.ndarray]) -> int:
    """One binary COPY straight into the table (COPY writes the rows a page at a time), in a
    savepoint. If a record is there already (an assessment of the month, written before the
    billing), the COPY fails on the unique key and the savepoint is rolled back; then the rows
    go through a temporary table and INSERT ... ON CONFLICT DO NOTHING, which keeps the records
    already there (about twice as slow: it looks each key up before inserting)."""
    names = ", ".join(RECORD_COLUMNS)
    declaration = ContributionRecord.Source.DECLARATION
    data = binary_copy_of([*columns, month, declaration.encode(), False])
    try:
        with transaction.atomic(), connection.cursor() as cursor, \
                connection.wrap_database_errors, \
                cursor.cursor.copy(f"COPY socialsecurity_contributionrecord ({names}, month, "
                                   f"source, paid) FROM STDIN (FORMAT binary)") as copy:
            copy.write(data)
        return len(columns[0])
    except IntegrityError:
        pass
    with connection.cursor() as cursor:
        _drop_leftover_records(month, columns[1])
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
            [month, declaration])
        return cursor.rowcount


def _bill_correction(run: BillingRun, month: datetime.date, billed: _Billed, row: int,
                     issued_on: datetime.date, actor, outcome: _ChunkOutcome) -> None:
    """The difference between the corrected declaration and what was billed so far."""
    pending = billed.pending
    employer_id = int(pending.employer_id[row])
    declaration_id = int(pending.declaration_id[row])
    lines = billed.lines(row, row + 1)
    shares = billed.shares
    already = Invoice.objects.filter(
        employer_id=employer_id, month=month,
        kind__in=[Invoice.Kind.CONTRIBUTION, Invoice.Kind.CORRECTION],
    ).aggregate(insured=Sum("insured_amount"), employer=Sum("employer_amount"))
    insured_amount = int(billed.insured_sum[row]) - (already["insured"] or 0)
    employer_amount = int(billed.employer_sum[row]) - (already["employer"] or 0)
    invoice = Invoice(
        kind=Invoice.Kind.CORRECTION, employer_id=employer_id,
        village_id=int(pending.village_id[row]), month=month, declaration_id=declaration_id,
        billing_run=run, number_of_workers=int(billed.workers[row]),
        insured_amount=insured_amount, employer_amount=employer_amount,
        total=insured_amount + employer_amount, issued_on=issued_on,
        due_on=rules.due_date(month),
        ledger_key=invoice_key(Invoice.Kind.CORRECTION, month_text(month),
                               employer_id=employer_id,
                               suffix=f"declaration:{declaration_id}"))
    issued = issue_invoices([invoice], created_by=_user(actor))
    outcome.invoices += len(issued)
    outcome.amount += sum(invoice.total for invoice in issued)
    outcome.records_changed += _reconcile_records(
        month, employer_id, billed.member_id[lines], shares.insurable_wage[lines],
        shares.insured[lines], shares.employer[lines])


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
    return start_keyed_job(BILLING_JOB_KIND, key, user=actor, parameters=parameters)
