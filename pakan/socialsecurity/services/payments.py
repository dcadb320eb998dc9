"""Payments: money received, posted to the ledger, and allocated to the payer's oldest open
invoices first.

Every payment is one ledger posting (accounting.payment_posting) under its own key; the
Allocation rows then say which invoices it settled. What a payer's money does not settle stays
on its receivable as a credit (a negative balance) and is used, oldest first, on the payer's
open invoices by `allocate_open_credit`, and again whenever the payer's next payment is matched;
the monthly billing does not call it yet (see the billing doc). Credit notes
(negative correction invoices) settle open invoices the same way.

Allocation is one set operation for any number of payers (`allocate_for_debtors`): each payer's
available money (unallocated payments and credit notes, oldest first) and open invoices (oldest
due first) are laid end to end on one number line, and the allocation rows are the overlaps of
the two tilings — numpy cumulative sums and one sort, whatever the number of payers. The payer
rows are locked (`lock_debtors`) while their allocations are computed, so two sessions paying
the same employer at once take turns and never over-allocate an invoice.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from pakan.accounts.scope import OutOfScope, require_change_permission, scope_path
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, record_import, snapshot
from pakan.ledger import services as ledger
from pakan.ledger.models import Account, Transaction
from pakan.registry.validation import FieldError
from pakan.socialsecurity import accounting
from pakan.socialsecurity.bank_statements import StatementRefused, read_statement
from pakan.socialsecurity.models import (
    Allocation,
    BankStatement,
    Employer,
    InsuredMember,
    Invoice,
    Payment,
)
from pakan.socialsecurity.selectors.register import employer_for, member_for
from pakan.socialsecurity.services.contribution_records import mark_paid_for_invoices
from pakan.socialsecurity.validation import SocialSecurityValidationError, error, refuse

MAX_PAYMENT_KIP = 10**13
INSERT_BATCH = 5000
EMPLOYER, MEMBER = 0, 1
INVOICE_NUMBER = r"^([A-Z])(\d{4})(\d{2})-(\d{8})$"


def _chunk_size() -> int:
    # SQLite caps the number of variables in one statement; PostgreSQL takes long IN lists.
    return 50_000 if connection.vendor == "postgresql" else 900


def _chunks(values: Sequence) -> Iterable[Sequence]:
    size = _chunk_size()
    for start in range(0, len(values), size):
        yield values[start:start + size]


# ---------------------------------------------------------------------------------------------
# Allocation, set-based


@dataclass
class AllocationResult:
    allocations: int = 0
    amount: int = 0
    invoices_settled: int = 0


# Allocation for many payers at once (a bank statement) locks them all with one advisory lock
# instead of tens of thousands of row locks; every smaller allocation holds the same lock in
# shared mode beside its row locks, so the two kinds never run over the same payer together.
ALLOCATION_LOCK = 0x50414B414E  # "PAKAN": a fixed key of this application's advisory locks
MANY_DEBTORS = 1000


def lock_debtors(employer_ids: Iterable[int] = (), member_ids: Iterable[int] = ()) -> None:
    """Lock the payers until the transaction ends, so sessions allocating for the same payer
    take turns. Row locks are taken in one order (employers, then members, by id) so sessions
    locking overlapping sets cannot deadlock; on PostgreSQL a set of MANY_DEBTORS or more takes
    the allocation lock exclusively instead."""
    employer_ids, member_ids = sorted(set(employer_ids)), sorted(set(member_ids))
    if connection.vendor == "postgresql":
        many = len(employer_ids) + len(member_ids) >= MANY_DEBTORS
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)" if many
                           else "SELECT pg_advisory_xact_lock_shared(%s)", [ALLOCATION_LOCK])
        if many:
            return
    for model, ids in ((Employer, employer_ids), (InsuredMember, member_ids)):
        for chunk in _chunks(ids):
            list(model.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
                 .values_list("pk", flat=True))


def _debtor_filter(employer_ids: Sequence[int], member_ids: Sequence[int],
                   prefix: str = "") -> Iterable[Q]:
    for chunk in _chunks(list(employer_ids)):
        yield Q(**{f"{prefix}employer_id__in": chunk})
    for chunk in _chunks(list(member_ids)):
        yield Q(**{f"{prefix}member_id__in": chunk}) & Q(**{f"{prefix}employer__isnull": True})


# Dates travel between PostgreSQL and numpy as whole days since PostgreSQL's own day zero, the
# unit of its binary date format.
DAY_ZERO = datetime.date(2000, 1, 1)


def _day_number(day: datetime.date) -> int:
    return day.toordinal() - DAY_ZERO.toordinal()


def _day(number: int) -> datetime.date:
    return datetime.date.fromordinal(DAY_ZERO.toordinal() + number)


@dataclass
class _Sources:
    """Money to allocate: every unallocated payment and credit note, one array per column, in
    the order it is spent — by payer, then date, payments before credit notes of the same day,
    then id. `payment` or `credit_note` is 0 where the row is the other kind."""

    debtor: np.ndarray
    day: np.ndarray
    payment: np.ndarray
    credit_note: np.ndarray
    amount: np.ndarray

    @classmethod
    def sorted_from(cls, columns: np.ndarray) -> _Sources:
        """From an (n, 7) array: employer, member, day, is credit note, payment, credit note,
        amount (0 for a missing employer, member or id)."""
        employer, member, day, is_note, payment, note, amount = columns.T
        debtor = _debtor_keys(employer, member)
        order = np.lexsort((payment + note, is_note, day, debtor))
        return cls(debtor[order], day[order], payment[order], note[order], amount[order])


@dataclass
class _OpenInvoices:
    """Open invoices, one array per column, oldest due first within each payer."""

    debtor: np.ndarray
    due: np.ndarray
    invoice: np.ndarray
    issued: np.ndarray
    owed: np.ndarray

    @classmethod
    def sorted_from(cls, columns: np.ndarray) -> _OpenInvoices:
        """From an (n, 6) array: id, employer, member, due day, issue day, still owed."""
        invoice, employer, member, due, issued, owed = columns.T
        debtor = _debtor_keys(employer, member)
        order = np.lexsort((invoice, due, debtor))
        return cls(debtor[order], due[order], invoice[order], issued[order], owed[order])


def _debtor_keys(employer: np.ndarray, member: np.ndarray) -> np.ndarray:
    """One number per payer: twice the employer's id, or twice the member's plus one (0 in
    `employer` standing for no employer)."""
    return np.where(employer > 0, employer * 2, member * 2 + 1)


def _columns(rows: Sequence[tuple], width: int) -> np.ndarray:
    return np.array(rows, dtype=np.int64).reshape(len(rows), width)


# PostgreSQL reads all payers in one statement per kind of payer (employers, members: an OR
# between them defeats the indexes), the ids as one bigint array: a list of ints arrives as an
# integer array, and comparing bigint ids with that walks the index once per id, where a bigint
# array is one scan against a hash of the ids. The rows come back as bigint columns (dates as
# day numbers, 0 for a missing payer or id), packed by `_fetch`.
_PAYER = "{payer}"
_BY_PAYER = {"employers": "t.employer_id = ANY(%(ids)s::bigint[])",
             "members": "t.employer_id IS NULL AND t.member_id = ANY(%(ids)s::bigint[])"}
_DAYS = "DATE '2000-01-01'"
_SOURCES_SQL = f"""
SELECT COALESCE(t.employer_id, 0), COALESCE(t.member_id, 0),
       (t.received_on - {_DAYS})::bigint, 0::bigint, t.id, 0::bigint,
       (t.amount - COALESCE(used.total, 0))::bigint
FROM socialsecurity_payment t LEFT JOIN (
    SELECT a.payment_id, SUM(a.amount) AS total FROM socialsecurity_allocation a
    JOIN socialsecurity_payment t ON t.id = a.payment_id WHERE {_PAYER} GROUP BY a.payment_id
) used ON used.payment_id = t.id
WHERE t.status = 'identified' AND {_PAYER} AND t.amount > COALESCE(used.total, 0)
UNION ALL
SELECT COALESCE(t.employer_id, 0), COALESCE(t.member_id, 0),
       (t.issued_on - {_DAYS})::bigint, 1::bigint, 0::bigint, t.id,
       (-t.total - COALESCE(used.total, 0))::bigint
FROM socialsecurity_invoice t LEFT JOIN (
    SELECT a.credit_note_id, SUM(a.amount) AS total FROM socialsecurity_allocation a
    JOIN socialsecurity_invoice t ON t.id = a.credit_note_id WHERE {_PAYER}
    GROUP BY a.credit_note_id
) used ON used.credit_note_id = t.id
WHERE t.total < 0 AND {_PAYER} AND -t.total > COALESCE(used.total, 0)"""
_OPEN_INVOICES_SQL = f"""
SELECT t.id, COALESCE(t.employer_id, 0), COALESCE(t.member_id, 0), (t.due_on - {_DAYS})::bigint,
       (t.issued_on - {_DAYS})::bigint, (t.total - COALESCE(paid.total, 0))::bigint
FROM socialsecurity_invoice t LEFT JOIN (
    SELECT a.invoice_id, SUM(a.amount) AS total FROM socialsecurity_allocation a
    JOIN socialsecurity_invoice t ON t.id = a.invoice_id
    WHERE t.total > 0 AND t.settled_on IS NULL AND {_PAYER} GROUP BY a.invoice_id
) paid ON paid.invoice_id = t.id
WHERE t.total > 0 AND t.settled_on IS NULL AND {_PAYER} AND t.total > COALESCE(paid.total, 0)"""


def _fetch(sql: str, width: int, employer_ids: Sequence[int],
           member_ids: Sequence[int]) -> np.ndarray:
    """The query's `width` bigint columns for these payers, as an (n, width) array. The server
    packs every value as 8 bytes (int8send) into one bytea, which numpy reads in one go: no
    Python object per value."""
    columns = [f"c{position}" for position in range(width)]
    packed = " || ".join(f"int8send(row.{column})" for column in columns)
    parts = [np.empty((0, width), dtype=np.int64)]
    with connection.cursor() as cursor:
        for kind, ids in (("employers", employer_ids), ("members", member_ids)):
            if ids:
                query = sql.replace(_PAYER, _BY_PAYER[kind])
                cursor.execute(f"SELECT string_agg({packed}, NULL) "
                               f"FROM ({query}) AS row({', '.join(columns)})", {"ids": list(ids)})
                data = cursor.fetchone()[0]
                if data is not None:
                    parts.append(np.frombuffer(data, dtype=">i8").reshape(-1, width)
                                 .astype(np.int64))
    return np.concatenate(parts)


def _sources(employer_ids: Sequence[int], member_ids: Sequence[int]) -> _Sources:
    """Every unallocated payment and credit note of these payers."""
    if connection.vendor == "postgresql":
        return _Sources.sorted_from(_fetch(_SOURCES_SQL, 7, employer_ids, member_ids))
    rows: list[tuple] = []
    for where in _debtor_filter(employer_ids, member_ids):
        payments = (Payment.objects.filter(where, status=Payment.Status.IDENTIFIED)
                    .annotate(used=Coalesce(Sum("allocations__amount"), 0))
                    .filter(amount__gt=F("used"))
                    .values_list("pk", "employer_id", "member_id", "received_on", "amount",
                                 "used"))
        rows += [(employer or 0, member or 0, _day_number(received), 0, pk, 0, amount - used)
                 for pk, employer, member, received, amount, used in payments]
        notes = (Invoice.objects.filter(where, total__lt=0)
                 .annotate(used=Coalesce(Sum("credit_allocations__amount"), 0))
                 .filter(total__lt=-F("used"))
                 .values_list("pk", "employer_id", "member_id", "issued_on", "total", "used"))
        rows += [(employer or 0, member or 0, _day_number(issued), 1, 0, pk, -total - used)
                 for pk, employer, member, issued, total, used in notes]
    return _Sources.sorted_from(_columns(rows, 7))


def _new_sources(payments: Sequence[Payment]) -> _Sources:
    """The money of payments just inserted (nothing of it allocated yet)."""
    return _Sources.sorted_from(_columns(
        [(payment.employer_id or 0, payment.member_id or 0, _day_number(payment.received_on),
          0, payment.pk, 0, payment.amount)
         for payment in payments if payment.employer_id or payment.member_id], 7))


def _open_invoices(employer_ids: Sequence[int], member_ids: Sequence[int]) -> _OpenInvoices:
    """Every open invoice of these payers, with what is still owed."""
    if connection.vendor == "postgresql":
        return _OpenInvoices.sorted_from(_fetch(_OPEN_INVOICES_SQL, 6, employer_ids,
                                                member_ids))
    rows: list[tuple] = []
    for where in _debtor_filter(employer_ids, member_ids):
        invoices = (Invoice.objects.filter(where, total__gt=0, settled_on__isnull=True)
                    .annotate(paid=Coalesce(Sum("allocations__amount"), 0))
                    .filter(total__gt=F("paid"))
                    .values_list("pk", "employer_id", "member_id", "due_on", "issued_on",
                                 "total", "paid"))
        rows += [(pk, employer or 0, member or 0, _day_number(due), _day_number(issued),
                  total - paid)
                 for pk, employer, member, due, issued, total, paid in invoices]
    return _OpenInvoices.sorted_from(_columns(rows, 6))


def _group_cumulative(debtors: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """Running sum of `amounts` restarting at each new debtor (rows sorted by debtor)."""
    total = np.cumsum(amounts)
    starts = np.r_[True, debtors[1:] != debtors[:-1]]
    before_group = np.where(starts, total - amounts, 0)
    return total - np.maximum.accumulate(before_group)


def _laid_out(debtors: np.ndarray, amounts: np.ndarray, line_debtors: np.ndarray,
              bases: np.ndarray, caps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each row on the global line, cut at its debtor's cap (a debtor not
    on the line, `line_debtors` sorted, gets an empty stretch)."""
    ends_local = _group_cumulative(debtors, amounts)
    where = np.minimum(np.searchsorted(line_debtors, debtors), len(line_debtors) - 1)
    cap = np.where(line_debtors[where] == debtors, caps[where], 0)
    return (bases[where] + np.minimum(ends_local - amounts, cap),
            bases[where] + np.minimum(ends_local, cap))


def compute_allocations(source_debtors: np.ndarray, source_amounts: np.ndarray,
                        invoice_debtors: np.ndarray, invoice_amounts: np.ndarray,
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which source pays how much of which invoice: (source row, invoice row, amount) arrays,
    one entry per allocation. Sources are sorted by debtor then in spending order, invoices by
    debtor then oldest due first.

    Each debtor can allocate min(money available, amount owed). Debtor d gets the stretch
    [base_d, base_d + that) of one number line; its sources tile the stretch in date order and
    its invoices tile it in due order, so every piece between two consecutive boundaries belongs
    to exactly one source and one invoice: that piece is an allocation.
    """
    empty = np.empty(0, dtype=np.int64)
    if not len(source_debtors) or not len(invoice_debtors):
        return empty, empty, empty
    debtors, available = _totals(source_debtors, source_amounts)
    owing, owed = _totals(invoice_debtors, invoice_amounts)
    both, in_available, in_owed = np.intersect1d(debtors, owing, assume_unique=True,
                                                 return_indices=True)
    caps = np.minimum(available[in_available], owed[in_owed])
    bases = np.cumsum(caps) - caps
    if not caps.sum():
        return empty, empty, empty
    source_starts, source_ends = _laid_out(source_debtors, source_amounts, both, bases, caps)
    invoice_starts, invoice_ends = _laid_out(invoice_debtors, invoice_amounts, both, bases,
                                             caps)
    source_used = source_ends > source_starts
    invoice_used = invoice_ends > invoice_starts
    points = np.unique(np.concatenate([source_starts[source_used], source_ends[source_used],
                                       invoice_starts[invoice_used], invoice_ends[invoice_used]]))
    pieces_start, pieces_end = points[:-1], points[1:]
    used_sources = np.flatnonzero(source_used)
    used_invoices = np.flatnonzero(invoice_used)
    source_row = used_sources[np.searchsorted(source_starts[used_sources], pieces_start,
                                              side="right") - 1]
    invoice_row = used_invoices[np.searchsorted(invoice_starts[used_invoices], pieces_start,
                                                side="right") - 1]
    return source_row, invoice_row, pieces_end - pieces_start


def _totals(debtors: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each debtor (sorted) and the sum of its amounts."""
    unique, inverse = np.unique(debtors, return_inverse=True)
    sums = np.zeros(len(unique), dtype=np.int64)
    np.add.at(sums, inverse, amounts)
    return unique, sums


@dataclass
class _Allocations:
    """The allocations to write, one array per column (0: no payment, no credit note)."""

    invoice: np.ndarray
    payment: np.ndarray
    credit_note: np.ndarray
    amount: np.ndarray
    day: np.ndarray


def _allocations(sources: _Sources, invoices: _OpenInvoices,
                 ) -> tuple[_Allocations, np.ndarray, np.ndarray]:
    """The allocations, and the invoices they settle in full with the day of the last piece
    (an allocation is dated the later of its money's date and its invoice's issue)."""
    source_row, invoice_row, amount = compute_allocations(
        sources.debtor, sources.amount, invoices.debtor, invoices.owed)
    day = np.maximum(sources.day[source_row], invoices.issued[invoice_row])
    rows = _Allocations(invoices.invoice[invoice_row], sources.payment[source_row],
                        sources.credit_note[source_row], amount, day)
    allocated = np.zeros(len(invoices.invoice), dtype=np.int64)
    np.add.at(allocated, invoice_row, amount)
    last_day = np.full(len(invoices.invoice), np.iinfo(np.int64).min)  # days before 2000 < 0
    np.maximum.at(last_day, invoice_row, day)
    settled = (allocated == invoices.owed) & (allocated > 0)
    return rows, invoices.invoice[settled], last_day[settled]


def allocate_for_debtors(employer_ids: Iterable[int] = (), member_ids: Iterable[int] = (),
                         *, new_payments: Sequence[Payment] | None = None) -> AllocationResult:
    """Allocate every unallocated payment and credit note of these payers to their open
    invoices, oldest first; settle the invoices fully covered. Idempotent: a second call finds
    nothing left to allocate.

    `new_payments` (a statement's payments, just inserted) saves reading the payers' whole
    payment history: every write leaves each payer either with no open invoice or with no
    money unallocated, so before these payments arrived a payer with open invoices had no
    money left, and a payer with money left has no invoice to spend it on. Only the new
    payments can be allocated."""
    employer_ids = sorted(set(employer_ids))
    member_ids = sorted(set(member_ids))
    if not employer_ids and not member_ids:
        return AllocationResult()
    with transaction.atomic():
        lock_debtors(employer_ids, member_ids)
        sources = (_sources(employer_ids, member_ids) if new_payments is None
                   else _new_sources(new_payments))
        if not len(sources.debtor):
            return AllocationResult()
        invoices = _open_invoices(employer_ids, member_ids)
        rows, settled, settled_days = _allocations(sources, invoices)
        if not len(rows.amount):
            return AllocationResult()
        _insert_allocations(rows)
        _settle(settled, settled_days)
        mark_paid_for_invoices(settled.tolist())
    return AllocationResult(len(rows.amount), int(rows.amount.sum()), len(settled))


def _settle(invoice_ids: np.ndarray, days: np.ndarray) -> None:
    """Date the invoices now fully paid, each on its day (a day number)."""
    if not len(invoice_ids):
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE socialsecurity_invoice invoice SET settled_on = {_DAYS} + settled.day "
                "FROM unnest(%s::bigint[], %s::integer[]) AS settled(id, day) "
                "WHERE invoice.id = settled.id", [invoice_ids.tolist(), days.tolist()])
        return
    for day in np.unique(days).tolist():
        for chunk in _chunks(invoice_ids[days == day].tolist()):
            Invoice.objects.filter(pk__in=chunk).update(settled_on=_day(day))


_ALLOCATION_COLUMNS = "invoice_id, payment_id, credit_note_id, amount, allocated_on"


def _insert_allocations(rows: _Allocations) -> None:
    """One binary COPY on PostgreSQL, batches elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY socialsecurity_allocation ({_ALLOCATION_COLUMNS}) FROM STDIN "
                "(FORMAT binary)") as copy:
            copy.write(_allocation_copy(rows))
        return
    Allocation.objects.bulk_create(
        [Allocation(invoice_id=invoice, payment_id=payment or None,
                    credit_note_id=note or None, amount=amount, allocated_on=_day(day))
         for invoice, payment, note, amount, day in zip(
             rows.invoice.tolist(), rows.payment.tolist(), rows.credit_note.tolist(),
             rows.amount.tolist(), rows.day.tolist(), strict=True)],
        batch_size=INSERT_BATCH)


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no extension
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)


def _allocation_copy(rows: _Allocations) -> bytes:
    """The allocations in PostgreSQL's binary COPY format, built by numpy: the rows paid by a
    payment, then those paid by a credit note (each with the other source NULL); the date as
    its 4-byte day number."""
    parts = [_COPY_HEADER]
    paid_by_payment = rows.payment > 0
    for chosen, by_payment in ((paid_by_payment, True), (~paid_by_payment, False)):
        parts.append(_copy_tuples([
            rows.invoice[chosen], rows.payment[chosen] if by_payment else None,
            None if by_payment else rows.credit_note[chosen], rows.amount[chosen],
            rows.day[chosen].astype(np.int32)]))
    return b"".join([*parts, _COPY_TRAILER])


def _copy_tuples(columns: Sequence[np.ndarray | None]) -> bytes:
    """Rows of the binary COPY format, without header: each column a bigint (int64) or integer
    or date (int32) array, or None for NULL in every row."""
    count = next(len(values) for values in columns if values is not None)
    layout = [("fields", ">i2")]
    for position, values in enumerate(columns):
        layout.append((f"length{position}", ">i4"))
        if values is not None:
            layout.append((f"value{position}", values.dtype.newbyteorder(">")))
    tuples = np.empty(count, dtype=np.dtype(layout))
    tuples["fields"] = len(columns)
    for position, values in enumerate(columns):
        tuples[f"length{position}"] = -1 if values is None else values.dtype.itemsize
        if values is not None:
            tuples[f"value{position}"] = values
    return tuples.tobytes()


def allocate_open_credit(employer: Employer | None = None,
                         member: InsuredMember | None = None) -> AllocationResult:
    """Use a payer's credit (money paid beyond what it owed, credit notes) on its open invoices.
    For many payers at once, allocate_for_debtors."""
    if employer is not None:
        return allocate_for_debtors(employer_ids=[employer.pk])
    if member is not None:
        return allocate_for_debtors(member_ids=[member.pk])
    raise ValueError("allocate_open_credit needs an employer or a member")


def match_payments(payment_ids: Iterable[int]) -> AllocationResult:
    """Allocate these payments (and whatever else their payers have open), all payers at once."""
    employer_ids: set[int] = set()
    member_ids: set[int] = set()
    for chunk in _chunks(list(payment_ids)):
        for employer_id, member_id in (Payment.objects.filter(
                pk__in=chunk, status=Payment.Status.IDENTIFIED)
                .values_list("employer_id", "member_id").distinct()):
            if employer_id is not None:
                employer_ids.add(employer_id)
            elif member_id is not None:
                member_ids.add(member_id)
    return allocate_for_debtors(employer_ids, member_ids)


# ---------------------------------------------------------------------------------------------
# Payments by hand


def _is_national(actor) -> bool:
    prefix = scope_path(actor)
    return prefix is not None and actor.scope_unit.parent_id is None


def _require_national(actor) -> None:
    require_change_permission(actor)
    if not _is_national(actor):
        raise refuse("scope", "payment_national_only")


def _check_amount(amount: object) -> list[FieldError]:
    if isinstance(amount, bool) or not isinstance(amount, int | np.integer):
        return [error("amount", "payment_amount_not_whole")]
    if amount <= 0:
        return [error("amount", "payment_amount_not_positive")]
    if amount > MAX_PAYMENT_KIP:
        return [error("amount", "payment_amount_absurd", limit=f"{MAX_PAYMENT_KIP:,}")]
    return []


def _check_date(name: str, value: object, today: datetime.date) -> list[FieldError]:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        return [error(name, "bad_date")]
    return [error(name, "future_date")] if value > today else []


def _payer(actor, employer: Employer | None,
           member: InsuredMember | None) -> tuple[Employer | None, InsuredMember | None, int]:
    """The payer re-read within the actor's scope, and its village."""
    if employer is not None and member is not None:
        raise refuse("employer", "payment_two_payers")
    if employer is not None:
        employer = employer_for(actor, employer.pk)
        return employer, None, employer.village_id
    if member is not None:
        member = member_for(actor, member.pk)
        return None, member, member.person.village_id
    raise refuse("employer", "payment_no_payer")


def _open_receivable(employer: Employer | None, member: InsuredMember | None) -> str:
    if employer is not None:
        accounting.ensure_debtor_accounts(employers=[(employer.pk, employer.village.path)])
        return accounting.employer_account_code(employer.pk)
    accounting.ensure_debtor_accounts(members=[(member.pk, member.person.village.path)])
    return accounting.member_account_code(member.pk)


def payment_key(bank: str, bank_reference: str) -> str:
    """A bank transaction is posted under its bank's reference, so it can never post twice;
    money taken at the counter gets a key of its own."""
    if bank_reference:
        return f"nssf:payment:bank:{bank}:{bank_reference}"
    return f"nssf:payment:counter:{uuid.uuid4().hex}"


def _post(posting: ledger.Posting, actor) -> Transaction:
    return ledger.post(posting.key, posting.lines, kind=posting.kind,
                       effective_date=posting.effective_date, description=posting.description,
                       created_by=actor)


def record_payment(actor, *, amount: int, received_on: datetime.date, method: str,
                   employer: Employer | None = None, member: InsuredMember | None = None,
                   payer_reference: str = "", bank: str = "", bank_reference: str = "",
                   today: datetime.date | None = None) -> Payment:
    """Money received by an officer (at the counter, a cheque, a transfer seen on the account):
    posted, then allocated to the payer's oldest open invoices; any rest is a credit."""
    require_change_permission(actor)
    today = today or datetime.date.today()
    bank, bank_reference = bank.strip(), bank_reference.strip()
    payer_reference = payer_reference.strip()
    errors = _check_amount(amount) + _check_date("received_on", received_on, today)
    if method not in Payment.Method.values:
        errors.append(error("method", "payment_bad_method"))
    if bank_reference and not bank:
        errors.append(error("bank", "payment_bank_needed"))
    for name, value, limit in (("payer_reference", payer_reference, 100), ("bank", bank, 60),
                               ("bank_reference", bank_reference, 100)):
        if len(value) > limit:
            errors.append(error(name, "too_long", limit=limit))
    if errors:
        raise SocialSecurityValidationError(errors)
    employer, member, village_id = _payer(actor, employer, member)
    if bank_reference and Payment.objects.filter(bank=bank,
                                                 bank_reference=bank_reference).exists():
        raise refuse("bank_reference", "payment_bank_reference_taken", bank=bank,
                     bank_reference=bank_reference)
    receivable = _open_receivable(employer, member)
    try:
        with transaction.atomic():
            lock_debtors([employer.pk] if employer else [], [member.pk] if member else [])
            payment = Payment.objects.create(
                employer=employer, member=member, village_id=village_id, amount=int(amount),
                received_on=received_on, method=method, payer_reference=payer_reference,
                bank=bank, bank_reference=bank_reference, status=Payment.Status.IDENTIFIED,
                entered_by=actor, ledger_key=payment_key(bank, bank_reference))
            _post(accounting.payment_posting(
                ledger_key=payment.ledger_key, amount=payment.amount, received_on=received_on,
                debtor_account=receivable, description=_payment_description(payment)), actor)
            allocate_for_debtors([employer.pk] if employer else [],
                                 [member.pk] if member else [])
            record_change(actor, AuditEvent.Action.CREATE, payment)
    except IntegrityError:
        # A concurrent entry of the same bank transaction won.
        raise refuse("bank_reference", "payment_bank_reference_taken", bank=bank,
                     bank_reference=bank_reference) from None
    return payment


def _payment_description(payment: Payment) -> str:
    where = f" {payment.bank} {payment.bank_reference}" if payment.bank_reference else ""
    return f"Payment {payment.get_method_display()}{where}"[:300]


def _require_payment_in_scope(actor, payment: Payment) -> None:
    if payment.employer_id is not None:
        employer_for(actor, payment.employer_id)
    elif payment.member_id is not None:
        member_for(actor, payment.member_id)
    elif not _is_national(actor):
        raise OutOfScope


def assign_payment(actor, payment: Payment, *, employer: Employer | None = None,
                   member: InsuredMember | None = None,
                   assigned_on: datetime.date | None = None) -> Payment:
    """An unidentified payment found its payer: out of suspense onto the payer's receivable,
    then allocated like any payment."""
    _require_national(actor)
    assigned_on = assigned_on or datetime.date.today()
    employer, member, village_id = _payer(actor, employer, member)
    receivable = _open_receivable(employer, member)
    with transaction.atomic():
        lock_debtors([employer.pk] if employer else [], [member.pk] if member else [])
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.UNIDENTIFIED:
            raise refuse("payment", "payment_not_unidentified")
        before = snapshot(payment)
        _post(accounting.assignment_posting(
            ledger_key=f"{payment.ledger_key}:assigned", amount=payment.amount,
            assigned_on=max(assigned_on, payment.received_on), debtor_account=receivable,
            description=f"Assignment of {_payment_description(payment)}"), actor)
        payment.employer, payment.member, payment.village_id = employer, member, village_id
        payment.status = Payment.Status.IDENTIFIED
        payment.save(update_fields=["employer", "member", "village", "status"])
        allocate_for_debtors([employer.pk] if employer else [], [member.pk] if member else [])
        record_change(actor, AuditEvent.Action.UPDATE, payment, before, note="assigned")
    return payment


def reverse_payment(actor, payment: Payment, *, reason: str,
                    reversed_on: datetime.date | None = None) -> Payment:
    """Undo a payment that did not happen after all (a cheque returned unpaid): the posting is
    reversed, its allocations removed so the invoices it settled are open again, and the payer's
    other credit, if any, is allocated afresh. One transaction, audited."""
    require_change_permission(actor)
    _require_payment_in_scope(actor, payment)
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", "payment_reason_needed")
    reversed_on = reversed_on or datetime.date.today()
    if reversed_on < payment.received_on:
        raise refuse("reversed_on", "payment_before_received", received=payment.received_on)
    with transaction.atomic():
        lock_debtors([payment.employer_id] if payment.employer_id else [],
                     [payment.member_id] if payment.member_id else [])
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == Payment.Status.REVERSED:
            raise refuse("payment", "payment_already_reversed")
        if payment.status == Payment.Status.UNIDENTIFIED:
            # A reversed payment must name its payer (model constraint): assign it first.
            raise refuse("payment", "payment_unidentified_not_reversible")
        before = snapshot(payment)
        description = f"Reversal: {reason}"[:300]
        for key in (f"{payment.ledger_key}:assigned", payment.ledger_key):
            original = Transaction.objects.filter(key=key).first()
            if original is not None:
                ledger.reverse(original, f"{key}:reversal", effective_date=reversed_on,
                               description=description, created_by=actor)
        allocations = Allocation.objects.filter(payment=payment)
        invoice_ids = list(allocations.values_list("invoice_id", flat=True))
        allocations.delete()
        Invoice.objects.filter(pk__in=invoice_ids).update(settled_on=None)
        payment.status = Payment.Status.REVERSED
        payment.save(update_fields=["status"])
        if payment.employer_id or payment.member_id:
            allocate_for_debtors([payment.employer_id] if payment.employer_id else [],
                                 [payment.member_id] if payment.member_id else [])
        record_change(actor, AuditEvent.Action.UPDATE, payment, before, note=reason)
    return payment


# ---------------------------------------------------------------------------------------------
# Bank statements


class BankStatementRefused(SocialSecurityValidationError):
    """A bank statement that cannot be imported; nothing was posted. `row_errors` keep the
    file's line numbers (pakan.tabular RowError) for the downloadable report."""

    def __init__(self, errors: list[FieldError], row_errors=()) -> None:
        super().__init__(errors)
        self.row_errors = list(row_errors)


@dataclass
class StatementOutcome:
    """What an import did, for the page: lines posted, held, skipped as already imported."""

    identified: int = 0
    unidentified: int = 0
    skipped: list[dict] = field(default_factory=list)
    allocation: AllocationResult = field(default_factory=AllocationResult)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _already_imported(statement: BankStatement) -> BankStatementRefused:
    english_and_lao = error("file", "statement_already_imported",
                            imported=f"{statement.imported_at:%Y-%m-%d}",
                            file_name=statement.file_name, lines=statement.number_of_lines)
    return BankStatementRefused([english_and_lao])


def _refused_rows(refused: StatementRefused) -> BankStatementRefused:
    shown = refused.errors[:200]
    errors = [error("file", "statement_refused", count=len(refused.errors))]
    errors += [FieldError(row.column or "file", row.code, row.reason_en, row.reason_lo)
               for row in shown]
    return BankStatementRefused(errors, refused.errors)


@dataclass
class Payer:
    employer_id: int | None
    member_id: int | None
    village_id: int
    village_path: str


def resolve_payers(references: Sequence[str]) -> dict[str, Payer]:
    """Payer of each reference, looked up all at once: an invoice number (its debtor), an NSSF
    registration number (the employer), a social security number (the insured person)."""
    wanted = sorted({reference.strip().upper() for reference in references if reference})
    by_invoice = _payers_by_invoice_number(wanted)
    found: dict[str, Payer] = {}
    employers_left = [reference for reference in wanted if reference not in by_invoice]
    for chunk in _chunks(employers_left):
        for pk, number, village_id, path in Employer.objects.filter(
                nssf_registration_number__in=chunk).values_list(
                "pk", "nssf_registration_number", "village_id", "village__path"):
            found[number.upper()] = Payer(pk, None, village_id, path)
    members_left = [reference for reference in employers_left if reference not in found]
    for chunk in _chunks(members_left):
        for pk, number, village_id, path in InsuredMember.objects.filter(
                social_security_number__in=chunk).values_list(
                "pk", "social_security_number", "person__village_id", "person__village__path"):
            found[number.upper()] = Payer(None, pk, village_id, path)
    return {**found, **by_invoice}


def _payers_by_invoice_number(references: Sequence[str]) -> dict[str, Payer]:
    pattern = re.compile(INVOICE_NUMBER)
    numbered = {}
    for reference in references:
        match = pattern.match(reference)
        if match:
            numbered[int(match.group(4))] = reference
    payers: dict[str, Payer] = {}
    ids = list(numbered)
    for chunk in _chunks(ids):
        invoices = Invoice.objects.filter(pk__in=chunk).values_list(
            "pk", "kind", "month", "employer_id", "member_id", "employer__village_id",
            "employer__village__path", "member__person__village_id",
            "member__person__village__path")
        for (pk, kind, month, employer_id, member_id, employer_village, employer_path,
             member_village, member_path) in invoices:
            if f"{kind[0].upper()}{month:%Y%m}-{pk:08d}" != numbered[pk]:
                continue  # the id exists but the number quoted is not that invoice's
            if employer_id is not None:
                payers[numbered[pk]] = Payer(employer_id, None, employer_village, employer_path)
            else:
                payers[numbered[pk]] = Payer(None, member_id, member_village, member_path)
    return payers


def import_bank_statement(actor, path: Path, original_name: str, *, bank: str,
                          today: datetime.date | None = None) -> BankStatement:
    """Import a statement of receipts: every line becomes a payment, posted and allocated, or
    held as unidentified. The same file twice is recognised (by its SHA-256) and refused; a
    transaction already imported from another file is skipped and reported. A file with a bad
    line is refused whole. The returned statement carries `outcome` (StatementOutcome)."""
    _require_national(actor)
    bank = (bank or "").strip()
    if not bank:
        raise refuse("bank", "statement_bank_needed")
    if len(bank) > 60:
        raise refuse("bank", "too_long", limit=60)
    digest = file_sha256(Path(path))
    earlier = BankStatement.objects.filter(file_sha256=digest).first()
    if earlier is not None:
        raise _already_imported(earlier)
    try:
        lines = read_statement(Path(path), original_name, today=today)
    except StatementRefused as refused:
        raise _refused_rows(refused) from None
    try:
        return _import_lines(actor, lines, bank, original_name or Path(path).name, digest)
    except IntegrityError:
        earlier = BankStatement.objects.filter(file_sha256=digest).first()
        if earlier is not None:  # the same file, imported by someone else a moment ago
            raise _already_imported(earlier) from None
        raise


def _import_lines(actor, lines, bank: str, file_name: str, digest: str) -> BankStatement:
    outcome = StatementOutcome()
    earlier = _earlier_bank_references(bank, lines.bank_references)
    payers = resolve_payers(lines.payer_references)
    keep = []
    for position, reference in enumerate(lines.bank_references):
        if reference in earlier:
            outcome.skipped.append({"line": int(lines.lines[position]),
                                    "bank_reference": reference,
                                    "file_name": earlier[reference]})
        else:
            keep.append(position)
    _open_missing_receivables(payers.values())
    with transaction.atomic():
        statement = BankStatement.objects.create(
            bank=bank, file_name=file_name[:255], file_sha256=digest,
            statement_date=max(lines.received_on) if lines.received_on else None,
            number_of_lines=len(keep), total_amount=int(lines.amounts[keep].sum()),
            imported_by=actor)
        payments = _new_payments(statement, lines, keep, payers, actor)
        _insert_payments(payments)
        ledger.post_many([_posting_of(payment) for payment in payments], created_by=actor)
        outcome.identified = sum(1 for payment in payments if payment.employer_id
                                 or payment.member_id)
        outcome.unidentified = len(payments) - outcome.identified
        outcome.allocation = allocate_for_debtors(
            {payment.employer_id for payment in payments if payment.employer_id},
            {payment.member_id for payment in payments if payment.member_id},
            new_payments=payments)
        if payments:
            record_import(actor, "socialsecurity.payment", file_name=file_name,
                          first_id=min(payment.pk for payment in payments),
                          last_id=max(payment.pk for payment in payments), rows=len(payments))
    statement.outcome = outcome
    return statement


def _open_missing_receivables(payers: Iterable[Payer]) -> None:
    """Open the receivables of payers that have none yet (never invoiced). Most have one, and
    looking their codes up is much cheaper than loading every account."""
    wanted: dict[str, tuple[str, int, str]] = {}
    for payer in payers:
        if payer.employer_id:
            code = accounting.employer_account_code(payer.employer_id)
            wanted[code] = ("employer", payer.employer_id, payer.village_path)
        else:
            code = accounting.member_account_code(payer.member_id)
            wanted[code] = ("member", payer.member_id, payer.village_path)
    found: set[str] = set()
    for chunk in _chunks(list(wanted)):
        found.update(Account.objects.filter(code__in=chunk).values_list("code", flat=True))
    missing = [value for code, value in wanted.items() if code not in found]
    accounting.ensure_debtor_accounts(
        [(pk, path) for kind, pk, path in missing if kind == "employer"],
        [(pk, path) for kind, pk, path in missing if kind == "member"])


def _earlier_bank_references(bank: str, references: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(list(references)):
        for reference, file_name in Payment.objects.filter(
                bank=bank, bank_reference__in=chunk).values_list(
                "bank_reference", "bank_statement__file_name"):
            found[reference] = file_name or ""
    return found


def _new_payments(statement: BankStatement, lines, keep: list[int], payers: dict[str, Payer],
                  actor) -> list[Payment]:
    payments = []
    for position in keep:
        reference = lines.payer_references[position]
        payer = payers.get(reference.strip().upper()) if reference else None
        bank_reference = lines.bank_references[position]
        payments.append(Payment(
            employer_id=payer.employer_id if payer else None,
            member_id=payer.member_id if payer else None,
            village_id=payer.village_id if payer else None,
            amount=int(lines.amounts[position]), received_on=lines.received_on[position],
            method=Payment.Method.BANK_TRANSFER, payer_reference=reference[:100],
            bank=statement.bank, bank_reference=bank_reference, bank_statement=statement,
            statement_line=int(lines.lines[position]),
            status=Payment.Status.IDENTIFIED if payer else Payment.Status.UNIDENTIFIED,
            entered_by=actor, ledger_key=payment_key(statement.bank, bank_reference)))
    return payments


def _insert_payments(payments: list[Payment]) -> None:
    """Insert the payments and set their ids: one statement on PostgreSQL, batches elsewhere."""
    if not payments:
        return
    if connection.vendor != "postgresql":
        Payment.objects.bulk_create(payments, batch_size=INSERT_BATCH)
        return
    columns = ("employer_id", "member_id", "village_id", "amount", "received_on", "method",
               "payer_reference", "bank", "bank_reference", "bank_statement_id",
               "statement_line", "status", "entered_by_id", "ledger_key")
    types = ("bigint", "bigint", "bigint", "bigint", "date", "varchar", "varchar", "varchar",
             "varchar", "bigint", "integer", "varchar", "bigint", "varchar")
    values = [[getattr(payment, column) for payment in payments] for column in columns]
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    selected = ", ".join(f"line.{column}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO socialsecurity_payment ({', '.join(columns)}, entered_at) "
            f"SELECT {selected}, now() FROM unnest({unnest}) WITH ORDINALITY "
            f"AS line({', '.join(columns)}, position) ORDER BY position RETURNING id",
            values)
        ids = [row[0] for row in cursor.fetchall()]
    for payment, pk in zip(payments, ids, strict=True):
        payment.pk = pk


def _posting_of(payment: Payment) -> ledger.Posting:
    debtor = (accounting.debtor_account_code(employer_id=payment.employer_id,
                                             member_id=payment.member_id)
              if payment.employer_id or payment.member_id else None)
    return accounting.payment_posting(
        ledger_key=payment.ledger_key, amount=payment.amount, received_on=payment.received_on,
        debtor_account=debtor,
        description=f"Payment {payment.bank} {payment.bank_reference}"[:300])
