"""The monthly pension payroll, as a set operation keyed by its month.

`run_payroll(month, actor=...)` pays, for one month:

- every periodic award in payment whose [start_on, end_on] covers a day of the month, at the
  AwardAmount valid on the month's first day (on start_on in the award's first month);
- every approved lump-sum award (status in payment, start_on on or before the month's end) that
  was never paid; the award is then ended (status ended, with an AwardStatusChange).

Partial months (docs/benefits-payroll.md): a periodic award is paid for the days of the month it
covers, from max(start_on, first day) to min(end_on, last day), both included: amount = monthly
amount x days paid / days in the month, rounded half up to whole kip. A full month is paid
exactly the monthly amount. Suspended and ended awards are not paid.

Deaths: a beneficiary with a date of death is paid up to the month of the death, that month in
full, and nothing after it (the rule the claims side recovers by: pakan.benefits.services.deaths
recovers months paid after the month of death). A lump sum is paid if the beneficiary was alive
on its start_on. In practice the death hook ends the awards at once; this rule covers a death in
the registry whose awards are still in payment.

How it runs:

1. pensions are indexed first (pakan.benefits.services.indexation): every dated entry of
   social_security.benefits.pension_indexation that starts on or before the month's end and was
   not applied yet;
2. the payable awards are written as PayrollLines by ranges of award ids, one INSERT ... SELECT
   per range (the amount, days and reference computed in SQL, the same statement on
   PostgreSQL and SQLite but for a few function names), each range in its own transaction with
   the lump sums it paid ended (a national payroll of 100,000 pensions is one range; on
   PostgreSQL its two halves are written at once by two sessions, each half its own
   transaction). A run killed half way leaves whole ranges (halves); the next call goes over
   the ranges again and writes only the lines the month does not have (the statement leaves
   out the awards the month has a line for; the unique run and award stands behind it);
3. in one transaction: returned payments of earlier months whose award now has corrected bank
   details are paid again through this run's bank files (the returned line becomes "repaid",
   `repaid_in` this run, posted with returned_paid_again_posting; it stays in its own month),
   the month's benefits due are posted per branch
   (`benefits:payroll:YYYY-MM:due:<branch>`, the lines' sum), and the lines are marked complete:
   from then on no call adds a line to the month;
4. one CSV payment file per bank (pakan.benefits.payroll_files), each stored with its sha256 in
   the transaction that posts the bank's payment (`benefits:payroll:YYYY-MM:paid:<bank>`);
5. the payroll register (CSV and XLSX, every line with district and province totals), from the
   same read of the lines (its XLSX built in a second thread while step 4 runs), stored after
   the last bank file;
6. the run is marked done. A done run is closed: calling again returns it.

On PostgreSQL an advisory lock on the month makes a second caller wait, then find the work done.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Case, F, Sum, When
from django.utils import timezone

from pakan.benefits import accounting, payroll_files
from pakan.benefits.models import Award, PayrollLine, PayrollRun
from pakan.benefits.selectors.payroll import may_run_payroll, run_totals
from pakan.benefits.services.indexation import apply_due_indexations
from pakan.benefits.validation import BenefitsValidationError, error
from pakan.jobs.models import Job
from pakan.jobs.services import start_keyed_job
from pakan.ledger.services import post_many
from pakan.rules.months import month_end

ProgressCallback = Callable[[int, int], None]

# Award ids per chunk: a national payroll of 100,000 pensions in one chunk of about a second
# (written as two halves at once on PostgreSQL, each its own transaction). Each chunk reads
# every beneficiary again (the join's hash table) and commits, so smaller chunks cost more in
# all; a run killed half way loses at most one chunk.
AWARD_CHUNK = 250_000
# Advisory-lock class for payroll runs on PostgreSQL (the month is the second key).
ADVISORY_LOCK_CLASS = 310_004
PAYMENT_PREFIX = "PR"


def month_text(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def payroll_key(month: datetime.date, what: str, name: str) -> str:
    """The ledger key of one of the month's aggregated postings, e.g.
    benefits:payroll:2026-11:due:old_age or benefits:payroll:2026-11:paid:BCEL."""
    return f"benefits:payroll:{month_text(month)}:{what}:{name}"


def returned_key(reference: str, returns: int) -> str:
    """The ledger key of the `returns`-th time the bank sent the payment back."""
    key = f"benefits:payroll:returned:{reference}"
    return key if returns <= 1 else f"{key}:{returns}"


def repaid_key(reference: str, returns: int) -> str:
    """The ledger key of the payment paid again after its `returns`-th return."""
    key = f"benefits:payroll:repaid:{reference}"
    return key if returns <= 1 else f"{key}:{returns}"


def reference_prefix(month: datetime.date) -> str:
    """References are PR<yyyymm>-<award id, 10 digits>: unique (one line per award and month),
    and readable back to the month and the award. A payment paid again keeps its reference."""
    return f"{PAYMENT_PREFIX}{month:%Y%m}-"


REFERENCE = re.compile(rf"^{PAYMENT_PREFIX}(\d{{4}})(\d{{2}})-(\d{{10}})$")


def parse_reference(reference: str) -> tuple[datetime.date, int] | None:
    """The month and award a reference names, or None for text that is not one of ours."""
    found = REFERENCE.match(reference.strip())
    if found is None or not 1 <= int(found[2]) <= 12:
        return None
    return datetime.date(int(found[1]), int(found[2]), 1), int(found[3])


def check_month(month: object) -> datetime.date:
    if (isinstance(month, datetime.datetime) or not isinstance(month, datetime.date)
            or month.day != 1):
        raise BenefitsValidationError([error("month", "payroll_bad_month", value=month)])
    return month


def run_payroll(month: datetime.date, *, actor, paid_on: datetime.date | None = None,
                progress: ProgressCallback | None = None, job=None,
                chunk_size: int = AWARD_CHUNK) -> PayrollRun:
    """Pay the month; see the module. `actor` None is the system (a scheduled task); a user
    must be central staff. `paid_on` (default today) is the day the bank files pay; a run that
    exists keeps the day it was started with."""
    check_month(month)
    if actor is not None and not may_run_payroll(actor):
        raise PermissionDenied
    run = _run_for(month, actor, job, paid_on or timezone.localdate())
    with _month_lock(month):
        run.refresh_from_db()
        if run.status == PayrollRun.Status.DONE:
            return run
        PayrollRun.objects.filter(pk=run.pk).update(status=PayrollRun.Status.RUNNING, error="")
        try:
            _pay(run, actor, progress, chunk_size)
        except Exception as failure:
            PayrollRun.objects.filter(pk=run.pk).update(
                status=PayrollRun.Status.FAILED,
                error=f"{type(failure).__name__}: {failure}"[:2000])
            raise
    run.refresh_from_db()
    return run


def _run_for(month: datetime.date, actor, job, paid_on: datetime.date) -> PayrollRun:
    run, created = PayrollRun.objects.get_or_create(
        month=month, defaults={"started_by": _user(actor), "job": job, "paid_on": paid_on})
    if not created and job is not None and run.job_id != job.pk:
        PayrollRun.objects.filter(pk=run.pk).update(job=job)
    return run


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


class _month_lock:
    """On PostgreSQL, one payroll of a month at a time. SQLite serialises writers on its own."""

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


def _pay(run: PayrollRun, actor, progress: ProgressCallback | None, chunk_size: int) -> None:
    indexed = apply_due_indexations(month_end(run.month), actor=actor)
    if indexed:
        applied = sorted({*run.indexations_applied,
                          *(item.effective_on.isoformat() for item in indexed)})
        PayrollRun.objects.filter(pk=run.pk).update(indexations_applied=applied)
    total = 0
    if not run.lines_complete:
        total = _write_lines(run, actor, progress, chunk_size)
        _complete_lines(run, actor)
        run.refresh_from_db()
    payroll_files.write_files(run, lambda bank, amount: _post_payment(run, bank, amount, actor))
    _finish(run)
    if progress is not None:
        progress(total, total)


# Writing the lines ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Dialect:
    """The few SQL spellings PostgreSQL and SQLite do not share."""

    greatest: str
    least: str
    day_difference: str  # format with {later} and {earlier}: whole days between two dates
    padded_id: str  # format with {column}: the id as 10 digits with leading zeros
    # Ends a subquery the planner must not merge into the outer query (PostgreSQL would compute
    # a subquery column once per use otherwise).
    fence: str

    @classmethod
    def current(cls) -> _Dialect:
        if connection.vendor == "postgresql":
            return cls("GREATEST", "LEAST", "({later} - {earlier})",
                       "LPAD(({column})::text, 10, '0')", "OFFSET 0")
        return cls("MAX", "MIN",
                   "CAST(julianday({later}) - julianday({earlier}) AS INTEGER)",
                   "substr('0000000000' || ({column}), -10, 10)", "")


# An award ended during the month (by an officer, or at the end of its beneficiary's month of
# death) is still due for its days up to its end.
PERIODIC_PAYABLE = (
    "award.kind = %(periodic)s AND (award.status = %(in_payment)s "
    "     OR (award.status = %(ended)s AND award.end_on >= %(first_day)s)) "
    "AND award.start_on <= %(last_day)s "
    "AND (award.end_on IS NULL OR award.end_on >= %(first_day)s) "
    "AND (person.date_of_death IS NULL OR (person.date_of_death >= %(first_day)s "
    "     AND person.date_of_death >= award.start_on))"
)
# "Never paid" is asked per lump-sum award through the index on (award, run): a scalar
# subquery, so the planner cannot turn it into a join over every line of every month.
LUMP_SUM_PAYABLE = (
    "award.kind = %(lump_sum)s AND award.status = %(in_payment)s "
    "AND award.start_on <= %(last_day)s "
    "AND (person.date_of_death IS NULL OR person.date_of_death >= award.start_on) "
    "AND (SELECT count(*) FROM benefits_payrollline paid WHERE paid.award_id = award.id) = 0"
)
# The lines the run has already (a call after a crash goes over every chunk again) are left
# out by the query itself, rather than by ON CONFLICT DO NOTHING: PostgreSQL's speculative
# insertion costs about half as much again as the plain insert of the same rows. The unique
# (run, award) still holds: only one caller writes a month at a time (the advisory lock; SQLite
# has one writer), and a line written by anyone else meanwhile would fail the run, never pay
# twice.
NOT_PAID_THIS_RUN = (
    "NOT EXISTS (SELECT 1 FROM benefits_payrollline done "
    "            WHERE done.run_id = %(run)s AND done.award_id = award.id)"
)
LINE_COLUMNS = (
    "run_id, award_id, beneficiary_id, village_id, branch, kind, monthly_amount, days_paid, "
    "amount, bank, bank_account, reference, status, status_reason, returns, repaid_bank, "
    "repaid_bank_account"
)


def _parameters(run: PayrollRun, **more: object) -> dict[str, object]:
    adapt = connection.ops.adapt_datefield_value
    return {
        "run": run.pk, "first_day": adapt(run.month), "last_day": adapt(month_end(run.month)),
        "periodic": Award.Kind.PERIODIC,
        "lump_sum": Award.Kind.LUMP_SUM, "in_payment": Award.Status.IN_PAYMENT,
        "ended": Award.Status.ENDED,
        "paid": PayrollLine.Status.PAID, "prefix": reference_prefix(run.month), **more,
    }


def award_id_ranges(chunk_size: int) -> list[tuple[int, int]]:
    """The awards' ids cut into ranges of `chunk_size` ids, first to last: the chunks of a run.
    Reading the bounds is instant, where listing the payable awards first would cost a pass
    over the awards and their people."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM benefits_award")
        first, last = cursor.fetchone()
    if first is None:
        return []
    return [(low, min(low + chunk_size - 1, last))
            for low in range(first, last + 1, chunk_size)]


def _write_lines(run: PayrollRun, actor, progress: ProgressCallback | None,
                 chunk_size: int) -> int:
    """Every chunk of award ids in its own transaction. After a crash the next call goes over
    every chunk again: a line the month has already is kept (NOT_PAID_THIS_RUN), so it writes
    exactly what is missing, awards that became payable meanwhile included. On PostgreSQL each
    range is written as two halves at once, the second by a session of its own (the insert is
    the database's work, one core per session); each half is its own transaction, so a run
    killed half way leaves whole halves. Progress is counted in award ids gone over."""
    ranges = award_id_ranges(chunk_size)
    total = ranges[-1][1] - ranges[0][0] + 1 if ranges else 0
    if progress is not None:
        progress(0, total)
    with _second_session() as second:
        for low, high in ranges:
            if second is not None and high > low:
                middle = (low + high) // 2
                other_half = second.submit(_write_range, run, middle + 1, high, actor)
                _write_range(run, low, middle, actor)
                other_half.result()
            else:
                _write_range(run, low, high, actor)
            if progress is not None:
                progress(high - ranges[0][0] + 1, total)
    return total


def _write_range(run: PayrollRun, first_award: int, last_award: int, actor) -> None:
    with transaction.atomic():
        _tune_transaction()
        insert_lines(run, first_award, last_award)
        _end_paid_lump_sums(run, first_award, last_award, actor)


@contextmanager
def _second_session() -> Iterator[ThreadPoolExecutor | None]:
    """A thread with a database session of its own, closed at the end; None on SQLite (one
    writer at a time) or inside a caller's transaction (which the second session would not
    see)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield None
        return
    with ThreadPoolExecutor(max_workers=1) as thread:
        try:
            yield thread
        finally:
            # `connection` is per thread: looked up in the thread, it is the thread's own.
            thread.submit(lambda: connection.close()).result()


def _tune_transaction() -> None:
    """As billing does, a chunk's commit does not wait for the disk: a server crash may lose the
    last chunks committed, never part of one, and the next call writes them again. And no JIT
    compilation: it costs more than these statements take."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute("SET LOCAL jit TO OFF")


def insert_lines(run: PayrollRun, first_award: int, last_award: int) -> int:
    """The lines of the awards with ids in [first_award, last_award]: two INSERT ... SELECT,
    periodic and lump sums; an award the month has a line for is left out. Returns the number
    of lines written."""
    dialect = _Dialect.current()
    first_paid = f"{dialect.greatest}(award.start_on, %(first_day)s)"
    last_paid = f"{dialect.least}(COALESCE(award.end_on, %(last_day)s), %(last_day)s)"
    days_paid = dialect.day_difference.format(later=last_paid, earlier=first_paid) + " + 1"
    # Round half up in integers: floor((2 x monthly x days + days in month) / (2 x days in
    # month)). The days are written into the statement as a number so the division is an
    # integer division on both databases.
    days_in_month = calendar.monthrange(run.month.year, run.month.month)[1]
    amount = (f"(due.monthly_amount * due.days_paid * 2 + {days_in_month}) "
              f"/ {2 * days_in_month}")
    periodic = (
        f"INSERT INTO benefits_payrollline ({LINE_COLUMNS}) "
        f"SELECT %(run)s, due.id, due.beneficiary_id, due.village_id, due.branch, %(periodic)s, "
        f"due.monthly_amount, due.days_paid, {amount}, due.bank, due.bank_account, "
        f"%(prefix)s || {dialect.padded_id.format(column='due.id')}, %(paid)s, '', 0, '', '' "
        "FROM (SELECT award.id, award.beneficiary_id, person.village_id, award.branch, "
        f"  award.bank, award.bank_account, {days_paid} AS days_paid, "
        "  (SELECT amount.monthly_amount FROM benefits_awardamount amount "
        f"   WHERE amount.award_id = award.id AND amount.effective_from <= {first_paid} "
        "   ORDER BY amount.effective_from DESC LIMIT 1) AS monthly_amount "
        "  FROM benefits_award award "
        "  JOIN registry_person person ON person.id = award.beneficiary_id "
        f"  WHERE {PERIODIC_PAYABLE} "
        f"  AND award.id BETWEEN %(first_award)s AND %(last_award)s AND {NOT_PAID_THIS_RUN} "
        f"  {dialect.fence}) due "
        f"WHERE due.days_paid > 0 AND due.monthly_amount > 0 AND {amount} > 0"
    )
    lump_sums = (
        f"INSERT INTO benefits_payrollline ({LINE_COLUMNS}) "
        "SELECT %(run)s, award.id, award.beneficiary_id, person.village_id, award.branch, "
        "%(lump_sum)s, 0, 0, award.lump_sum_amount, award.bank, award.bank_account, "
        f"%(prefix)s || {dialect.padded_id.format(column='award.id')}, %(paid)s, '', 0, '', '' "
        "FROM benefits_award award "
        "JOIN registry_person person ON person.id = award.beneficiary_id "
        f"WHERE {LUMP_SUM_PAYABLE} AND award.id BETWEEN %(first_award)s AND %(last_award)s"
    )
    parameters = _parameters(run, first_award=first_award, last_award=last_award)
    written = 0
    with connection.cursor() as cursor:
        for sql in (periodic, lump_sums):
            cursor.execute(sql, parameters)
            written += max(cursor.rowcount, 0)
    return written


def _end_paid_lump_sums(run: PayrollRun, first_award: int, last_award: int, actor) -> None:
    """A lump sum is paid once: the awards this chunk paid are ended, with their history. The
    lump sums in payment are few: each is asked for its line through the index on (award, run),
    a scalar subquery so the planner does not go over the run's lines instead."""
    adapt = connection.ops
    paid_now = (
        "award.kind = %(lump_sum)s AND award.status = %(in_payment)s "
        "AND award.id BETWEEN %(first_award)s AND %(last_award)s "
        "AND (SELECT count(*) FROM benefits_payrollline paid "
        "     WHERE paid.run_id = %(run)s AND paid.award_id = award.id "
        "     AND paid.kind = %(lump_sum)s) > 0"
    )
    parameters = _parameters(
        run, first_award=first_award, last_award=last_award, ended=Award.Status.ENDED,
        paid_on=adapt.adapt_datefield_value(run.paid_on or run.month),
        now=adapt.adapt_datetimefield_value(timezone.now()),
        actor=_user(actor).pk if _user(actor) else None,
        reason=(f"Lump sum paid by the payroll of {month_text(run.month)} / "
                f"ເບີກຈ່າຍເງິນບຳເນັດໃນບັນຊີເງິນເດືອນ {month_text(run.month)}"))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO benefits_awardstatuschange "
            "(award_id, status, effective_on, reason, actor_id, recorded_at) "
            "SELECT award.id, %(ended)s, %(paid_on)s, %(reason)s, %(actor)s, %(now)s "
            f"FROM benefits_award award WHERE {paid_now}", parameters)
        cursor.execute(
            "UPDATE benefits_award SET status = %(ended)s, status_since = %(paid_on)s, "
            f"updated_at = %(now)s WHERE id IN (SELECT award.id FROM benefits_award award "
            f"WHERE {paid_now})", parameters)


# Completing the lines: repayments and the benefits due ----------------------------------------

def _complete_lines(run: PayrollRun, actor) -> None:
    accounting.ensure_benefit_accounts()
    with transaction.atomic():
        fresh = PayrollRun.objects.select_for_update().get(pk=run.pk)
        if fresh.lines_complete:
            return
        repay_corrected_returns(fresh, actor)
        _post_benefits_due(fresh, actor)
        totals = run_totals(fresh)
        PayrollRun.objects.filter(pk=run.pk).update(
            lines_complete=True, lines=totals["lines"], total_amount=totals["amount"],
            repaid_lines=totals["repaid_lines"], repaid_amount=totals["repaid_amount"])


def returned_lines_to_repay(run: PayrollRun):
    """Returned payments of earlier months whose award's bank details were corrected since the
    payment was last sent, to a beneficiary who is alive."""
    return (PayrollLine.objects
            .filter(status=PayrollLine.Status.RETURNED, run__month__lt=run.month,
                    beneficiary__date_of_death__isnull=True)
            .annotate(last_bank=Case(When(repaid_bank="", then=F("bank")),
                                     default=F("repaid_bank")),
                      last_account=Case(When(repaid_bank="", then=F("bank_account")),
                                        default=F("repaid_bank_account")))
            .exclude(last_bank=F("award__bank"), last_account=F("award__bank_account"))
            .select_related("award").order_by("id"))


def repay_corrected_returns(run: PayrollRun, actor) -> list[PayrollLine]:
    """Pay returned lines again through this run's bank files; the caller holds the
    transaction."""
    returned = list(returned_lines_to_repay(run).select_for_update(of=("self",)))
    record_repayments(returned, actor, paid_on=run.paid_on or run.month, repaid_in=run)
    return returned


def record_repayments(returned: list[PayrollLine], actor, paid_on: datetime.date,
                      repaid_in: PayrollRun | None) -> None:
    """The returned lines paid again to their award's current bank details (through the bank
    files of `repaid_in`, or outside the payroll when it is None), each posted with
    returned_paid_again_posting."""
    if not returned:
        return
    for line in returned:
        line.status, line.status_changed_on = PayrollLine.Status.REPAID, paid_on
        line.repaid_in, line.repaid_bank = repaid_in, line.award.bank
        line.repaid_bank_account = line.award.bank_account
    PayrollLine.objects.bulk_update(returned, ["status", "status_changed_on", "repaid_in",
                                               "repaid_bank", "repaid_bank_account"])
    accounting.ensure_benefit_accounts()
    post_many([accounting.returned_paid_again_posting(
        ledger_key=repaid_key(line.reference, line.returns), amount=line.amount,
        paid_on=paid_on, description=f"Returned payment {line.reference} paid again")
        for line in returned], created_by=_user(actor))


def _post_benefits_due(run: PayrollRun, actor) -> None:
    """The month's benefits due, one posting per branch: the sum of its lines."""
    totals = (run.payroll_lines.order_by().values("branch")
              .annotate(amount=Sum("amount")))
    post_many([accounting.benefit_due_posting(
        ledger_key=payroll_key(run.month, "due", row["branch"]), branch=row["branch"],
        amount=row["amount"], due_on=run.month,
        description=f"Benefits due {month_text(run.month)}: {row['branch']}")
        for row in totals if row["amount"]], created_by=_user(actor))


def _post_payment(run: PayrollRun, bank: str, amount: int, actor) -> None:
    """The month's benefits paid through one bank, posted with its payment file. The accounts
    were opened when the lines were completed, which commits before any file is written."""
    post_many([accounting.benefit_paid_posting(
        ledger_key=payroll_key(run.month, "paid", bank), amount=amount,
        paid_on=run.paid_on or run.month,
        description=f"Benefits paid {month_text(run.month)} through {bank}")],
        created_by=_user(actor))


def _finish(run: PayrollRun) -> None:
    """Done. The run's totals were counted when its lines were completed: no line is added or
    removed after that."""
    PayrollRun.objects.filter(pk=run.pk).update(status=PayrollRun.Status.DONE,
                                                finished_at=timezone.now())


# Running it as a background job -------------------------------------------------------------

PAYROLL_JOB_KIND = "pakan.benefits.tasks.payroll_job"


def payroll_job_key(month: datetime.date) -> str:
    return f"payroll:{month_text(month)}"


def start_payroll_job(actor, month: datetime.date, *,
                      paid_on: datetime.date | None = None) -> Job:
    """Start (or restart) the month's payroll as a job with a progress bar, keyed
    "payroll:YYYY-MM": while it waits or runs, starting again returns it; once it has ended
    (done, or failed half way) the same job is queued again and the run does only what is
    left (nothing, for a done run)."""
    check_month(month)
    if not may_run_payroll(actor):
        raise PermissionDenied
    key = payroll_job_key(month)
    parameters = {"month": month_text(month)}
    if paid_on is not None:
        parameters["paid_on"] = paid_on.isoformat()
    return start_keyed_job(PAYROLL_JOB_KIND, key, user=actor, parameters=parameters)
