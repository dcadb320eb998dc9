"""Payments a bank sent back (returned or failed), read from the bank's file and reconciled; and a
returned payment paid again.

The file (CSV or XLSX; docs/benefits-payroll.md), one row per payment that came back:

    reference,amount,reason_code,reason_text
    PR202611-0000000017,1500000,AC04,Account closed
    PR202611-0000000023,"1,450,000",AC01,Unknown account

`reference` and `amount` are required (the amount in whole kip, with or without thousands
separators); `reason_code` and `reason_text` are what the bank says, kept on the line.

What happens (one transaction): every row that matches a payment sent to a bank (its reference,
the same amount, not already returned or cancelled) is applied: the line becomes "returned" and
is posted with payment_returned_posting (the money is in the bank again and owed again). Rows
that do not match are held, not applied, each listed in the file's report with its row, field
and reason in English and Lao: an unknown reference, an amount that is not the amount paid, a
payment already recorded as returned, a cancelled payment, a reference repeated in the file, an
empty or malformed cell. The file as a whole is kept with its report even when some (or all)
rows are held, so a bank's file is read exactly once: the same file again (same sha256) is
refused and changes nothing. Only a file that cannot be read as a table (format, encoding,
header) is refused whole, and nothing is recorded.

A returned line is paid again once the award's bank details are corrected: by the next payroll
run, through its bank files (pakan.benefits.services.payroll), or at once by an officer with
`pay_returned_again` (a payment made outside the bank files, e.g. cash at the district office),
which may record the corrected details on the award at the same time.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.benefits import accounting
from pakan.benefits.models import PayrollLine, ReturnedPaymentFile
from pakan.benefits.selectors.payroll import may_run_payroll
from pakan.benefits.services.claims import check_bank
from pakan.benefits.services.payroll import parse_reference, record_repayments, returned_key
from pakan.benefits.validation import BenefitsValidationError, error
from pakan.ledger.services import post_many
from pakan.registry.validation import FieldError
from pakan.socialsecurity.bank_statements import AMOUNT_PATTERN
from pakan.tabular.messages import RowError, TableRefused
from pakan.tabular.reading import LINE_COLUMN, check_header, open_table

COLUMNS = ("reference", "amount", "reason_code", "reason_text")
REQUIRED_COLUMNS = ("reference", "amount")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_REASON_LENGTH = 300
# Far above any benefit payment; keeps the parsed amount inside int64.
MAX_AMOUNT_DIGITS = 15
QUERY_CHUNK = 900
AMOUNT = re.compile(AMOUNT_PATTERN)


@dataclass(frozen=True)
class ReturnedRow:
    row: int
    reference: str
    amount_text: str
    reason: str


def import_returned_payments(path: Path, original_name: str, *, actor,
                             returned_on: datetime.date | None = None) -> ReturnedPaymentFile:
    """Read a bank's returned-payment file and apply the rows that match; see the module."""
    if not may_run_payroll(actor):
        raise PermissionDenied
    returned_on = returned_on or timezone.localdate()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    _refuse_if_seen(digest)
    rows = read_returned_rows(path, original_name or path.name)
    accounting.ensure_benefit_accounts()
    try:
        with transaction.atomic():
            return _apply(rows, digest, original_name or path.name, actor, returned_on)
    except IntegrityError:
        _refuse_if_seen(digest)  # imported by someone else meanwhile
        raise


def _refuse_if_seen(digest: str) -> None:
    seen = ReturnedPaymentFile.objects.filter(sha256=digest).first()
    if seen is not None:
        raise BenefitsValidationError([error(
            "file", "payroll_returned_file_seen",
            date=timezone.localtime(seen.imported_at).date().isoformat(),
            name=seen.original_name)])


def read_returned_rows(path: Path, original_name: str) -> list[ReturnedRow]:
    """The file's rows, or a refusal of the whole file (not a table, wrong header, no rows)."""
    try:
        source = open_table(path, original_name, max_bytes=MAX_FILE_BYTES)
        header_errors = check_header(source.header, REQUIRED_COLUMNS, COLUMNS)
        if header_errors:
            raise TableRefused(header_errors)
        batches = list(source.batches())
    except TableRefused as refused:
        raise BenefitsValidationError([_field_error(item) for item in refused.errors]) from None
    if not batches:
        raise BenefitsValidationError([_field_error(RowError.of(0, "", "", "no_rows"))])
    frame = pl.concat(batches).with_columns(
        pl.lit(None, dtype=pl.String).alias(name) for name in COLUMNS
        if name not in source.header)
    return [ReturnedRow(line, reference or "", amount or "",
                        " ".join(part for part in (code, text) if part)[:MAX_REASON_LENGTH])
            for line, reference, amount, code, text in frame.select(
                LINE_COLUMN, *COLUMNS).iter_rows()]


def _field_error(item: RowError) -> FieldError:
    return FieldError(item.column or "file", item.code, item.reason_en, item.reason_lo)


def _held(row: ReturnedRow, field: str, code: str, **values: object) -> dict:
    problem = error(field, code, row=row.row, **values)
    value = row.reference if field == "reference" else row.amount_text
    return {"row": row.row, "field": field, "value": value[:60], "code": code,
            "reason_en": problem.reason_en, "reason_lo": problem.reason_lo}


def _lines_by_reference(references: list[str]) -> dict[str, PayrollLine]:
    """The lines the references name (locked), found by month and award."""
    awards_by_month: dict[datetime.date, list[int]] = {}
    for reference in references:
        named = parse_reference(reference)
        if named is not None:
            awards_by_month.setdefault(named[0], []).append(named[1])
    found: dict[str, PayrollLine] = {}
    for month, award_ids in sorted(awards_by_month.items()):
        for start in range(0, len(award_ids), QUERY_CHUNK):
            for line in PayrollLine.objects.select_for_update(of=("self",)).filter(
                    run__month=month, award_id__in=award_ids[start:start + QUERY_CHUNK]):
                found[line.reference] = line
    return found


def _amount(text: str) -> int | None:
    cleaned = text.strip()
    if not AMOUNT.match(cleaned):
        return None
    digits = re.sub(r"[, ]", "", re.sub(r"\.0+$", "", cleaned))
    if len(digits) > MAX_AMOUNT_DIGITS or int(digits) <= 0:
        return None
    return int(digits)


def check_row(row: ReturnedRow, lines: dict[str, PayrollLine],
              first_row: dict[str, int]) -> tuple[PayrollLine | None, dict | None]:
    """The line a row returns, or why the row is held."""
    if not row.reference:
        return None, _held(row, "reference", "payroll_returned_reference_missing")
    if row.reference in first_row:
        return None, _held(row, "reference", "payroll_returned_repeated",
                           reference=row.reference, first_row=first_row[row.reference])
    first_row[row.reference] = row.row
    if not row.amount_text:
        return None, _held(row, "amount", "payroll_returned_amount_missing")
    amount = _amount(row.amount_text)
    if amount is None:
        return None, _held(row, "amount", "payroll_returned_bad_amount",
                           amount=row.amount_text)
    line = lines.get(row.reference)
    if line is None:
        return None, _held(row, "reference", "payroll_returned_unknown_reference",
                           reference=row.reference)
    if line.status == PayrollLine.Status.RETURNED:
        return None, _held(row, "reference", "payroll_returned_already_returned",
                           reference=row.reference, date=line.status_changed_on)
    if line.status == PayrollLine.Status.CANCELLED:
        return None, _held(row, "reference", "payroll_returned_cancelled",
                           reference=row.reference)
    if amount != line.amount:
        return None, _held(row, "amount", "payroll_returned_amount_mismatch",
                           amount=f"{amount:,}", paid=f"{line.amount:,}",
                           reference=row.reference)
    return line, None


def _apply(rows: list[ReturnedRow], digest: str, original_name: str, actor,
           returned_on: datetime.date) -> ReturnedPaymentFile:
    lines = _lines_by_reference(sorted({row.reference for row in rows if row.reference}))
    first_row: dict[str, int] = {}
    held, applied = [], []
    for row in rows:
        line, problem = check_row(row, lines, first_row)
        if problem is not None:
            held.append(problem)
        else:
            applied.append((row, line))
    record = ReturnedPaymentFile.objects.create(
        original_name=original_name[:255], sha256=digest, imported_by=actor,
        returned_on=returned_on, rows=len(rows), matched=len(applied),
        matched_amount=sum(line.amount for _, line in applied),
        report={"held": held, "applied": [{"row": row.row, "reference": line.reference,
                                           "amount": line.amount} for row, line in applied]})
    for row, line in applied:
        line.status, line.status_changed_on = PayrollLine.Status.RETURNED, returned_on
        line.status_reason, line.returns = row.reason, line.returns + 1
        line.returned_file = record
    PayrollLine.objects.bulk_update([line for _, line in applied],
                                    ["status", "status_changed_on", "status_reason", "returns",
                                     "returned_file"])
    post_many([accounting.payment_returned_posting(
        ledger_key=returned_key(line.reference, line.returns), amount=line.amount,
        returned_on=returned_on, description=f"Returned by the bank: {line.reference}")
        for _, line in applied], created_by=actor)
    record_change(actor, AuditEvent.Action.CREATE, record, note=f"returned payments: "
                  f"{len(applied)} applied, {len(held)} held")
    return record


# Paying a returned payment again ---------------------------------------------------------------

def pay_returned_again(line_id: int, *, actor, bank: str | None = None,
                       bank_account: str | None = None,
                       paid_on: datetime.date | None = None) -> PayrollLine:
    """Pay a returned payment again now, outside the bank files (cash at the district office,
    or a transfer made by hand), to the award's bank details, first correcting them on the
    award when `bank` is given."""
    if not may_run_payroll(actor):
        raise PermissionDenied
    paid_on = paid_on or timezone.localdate()
    with transaction.atomic():
        line = (PayrollLine.objects.select_for_update()
                .select_related("award", "beneficiary").get(pk=line_id))
        if line.status != PayrollLine.Status.RETURNED:
            raise BenefitsValidationError([error("line", "payroll_line_not_returned",
                                                 status=line.get_status_display())])
        death = line.beneficiary.date_of_death
        if death is not None:
            raise BenefitsValidationError([error("line", "payroll_beneficiary_dead",
                                                 date=death.isoformat())])
        if bank is not None:
            _correct_bank_details(line, bank, (bank_account or "").strip().upper(), actor)
        if (line.award.bank, line.award.bank_account) == (line.sent_bank,
                                                          line.sent_bank_account):
            raise BenefitsValidationError([error("bank_account",
                                                 "payroll_bank_details_unchanged")])
        record_repayments([line], actor, paid_on=paid_on, repaid_in=None)
    line.refresh_from_db()
    return line


def _correct_bank_details(line: PayrollLine, bank: str, bank_account: str, actor) -> None:
    account = "" if bank == "CASH" else bank_account
    problems = check_bank(bank, account)
    if problems:
        raise BenefitsValidationError(problems)
    award = line.award
    if (award.bank, award.bank_account) == (bank, account):
        return
    before = snapshot(award)
    award.bank, award.bank_account = bank, account
    award.save(update_fields=["bank", "bank_account", "updated_at"])
    record_change(actor, AuditEvent.Action.UPDATE, award, before,
                  note=f"bank details corrected after the return of {line.reference}")
