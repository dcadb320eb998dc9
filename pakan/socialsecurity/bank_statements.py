"""Reading a bank statement of receipts (CSV or XLSX) into checked columns, or refusing it whole.

The format (one row per amount received on the fund's account; see
docs/social-security-payments.md):

    date,amount,payer_reference,bank_reference
    2025-04-10,12500000,C202503-00000042,BCEL-20250410-000123
    2025-04-10,"3,100,000",NSSF000117,BCEL-20250410-000124

- `date`: the day the money was received, YYYY-MM-DD (an Excel date cell is read as such);
- `amount`: whole kip, more than 0; thousands separators (, or space) and a zero fraction
  (".00") are accepted, anything else is refused;
- `payer_reference`: what the payer wrote: an invoice number, an employer's NSSF registration
  number or an insured person's social security number; may be empty (then the payment is held
  as unidentified);
- `bank_reference`: the bank's own transaction reference, unique per bank: the same transaction
  in two files is one payment.

Checks are column expressions over the whole file (polars), so a statement of 50,000 lines is
read in a fraction of a second; every bad cell is reported with its line, column and reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from pakan.socialsecurity.messages.payments import STATEMENT_ROW_MESSAGES
from pakan.tabular import messages as table_messages
from pakan.tabular.messages import RowError, TableRefused
from pakan.tabular.reading import LINE_COLUMN, check_header, open_table

COLUMNS = ("date", "amount", "payer_reference", "bank_reference")
MAX_REFERENCE_LENGTH = 100
# No single transfer to the fund comes near this; it also keeps every sum inside int64.
MAX_AMOUNT_KIP = 10**13
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ERRORS_LISTED = 200
AMOUNT_PATTERN = r"^(\d{1,3}([, ]\d{3})+|\d+)(\.0+)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

table_messages.register({code: table_messages.Message(english, lao)
                         for code, (english, lao) in STATEMENT_ROW_MESSAGES.items()})


@dataclass
class StatementLines:
    """The checked lines of a statement, as parallel columns in file order."""

    lines: np.ndarray  # file line numbers
    received_on: list[datetime.date]
    amounts: np.ndarray  # int64 kip
    payer_references: list[str]
    bank_references: list[str]

    def __len__(self) -> int:
        return len(self.bank_references)


@dataclass
class StatementRefused(Exception):
    """The statement cannot be imported; `errors` name line, column and reason in two languages."""

    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(error.reason_en for error in self.errors[:5])


def read_statement(path: Path, original_name: str = "",
                   today: datetime.date | None = None) -> StatementLines:
    """Every line of the file, checked; raises StatementRefused listing every bad cell."""
    today = today or datetime.date.today()
    try:
        source = open_table(path, original_name, max_bytes=MAX_FILE_BYTES)
    except TableRefused as refused:
        raise StatementRefused(refused.errors) from None
    header_errors = check_header(source.header, COLUMNS, COLUMNS)
    if header_errors:
        raise StatementRefused(header_errors)
    try:
        batches = list(source.batches())
    except TableRefused as refused:
        raise StatementRefused(refused.errors) from None
    if not batches:
        raise StatementRefused([RowError.of(0, "", "", "no_rows")])
    frame = pl.concat(batches)
    errors = _row_errors(frame, today)
    if errors:
        raise StatementRefused(errors)
    return _lines(frame)


def _amount_text(column: str = "amount") -> pl.Expr:
    return (pl.col(column).str.replace(r"\.0+$", "").str.replace_all(r"[, ]", ""))


def _row_errors(frame: pl.DataFrame, today: datetime.date) -> list[RowError]:
    date_text = pl.col("date")
    parsed_date = date_text.str.to_date("%Y-%m-%d", strict=False)
    amount_text = pl.col("amount")
    # Up to 18 digits fit int64; longer strings are absurd anyway and caught by the pattern.
    amount_digits = _amount_text().str.slice(0, 18)
    negative = amount_text.str.contains(r"^-\s*\d") | amount_text.str.contains(r"^\(.*\)$")
    numeric_ok = amount_text.str.contains(AMOUNT_PATTERN)
    amount_value = pl.when(numeric_ok).then(amount_digits.cast(pl.Int64, strict=False))
    checks: list[tuple[str, str, pl.Expr]] = [
        ("statement_date_missing", "date", date_text.is_null()),
        ("statement_bad_date", "date", date_text.is_not_null()
         & (~date_text.str.contains(DATE_PATTERN) | parsed_date.is_null())),
        ("statement_future_date", "date", parsed_date.is_not_null() & (parsed_date > today)),
        ("statement_amount_missing", "amount", amount_text.is_null()),
        ("statement_negative_amount", "amount", amount_text.is_not_null()
         & (negative | (numeric_ok & (amount_value == 0)))),
        ("statement_bad_amount", "amount", amount_text.is_not_null() & ~negative & ~numeric_ok),
        ("statement_absurd_amount", "amount", numeric_ok
         & ((_amount_text().str.len_chars() > 14) | (amount_value > MAX_AMOUNT_KIP))),
        ("statement_bank_reference_missing", "bank_reference", pl.col("bank_reference").is_null()),
    ]
    for column in ("payer_reference", "bank_reference"):
        checks.append(("statement_too_long", column,
                       pl.col(column).str.len_chars() > MAX_REFERENCE_LENGTH))
    flagged = frame.select(
        pl.col(LINE_COLUMN),
        *[pl.col(column) for column in COLUMNS],
        *[expression.fill_null(False).alias(f"__{position}")
          for position, (_, _, expression) in enumerate(checks)],
    )
    errors: list[RowError] = []
    for position, (code, column, _) in enumerate(checks):
        bad = flagged.filter(pl.col(f"__{position}"))
        for line, value in bad.select(LINE_COLUMN, column).iter_rows():
            errors.append(RowError.of(line, column, value, code, shown=value or "",
                                      limit=MAX_REFERENCE_LENGTH))
    errors += _repeated_references(frame)
    errors.sort(key=lambda error: (error.line, COLUMNS.index(error.column)
                                   if error.column in COLUMNS else 0))
    return errors


def _repeated_references(frame: pl.DataFrame) -> list[RowError]:
    references = frame.select(LINE_COLUMN, "bank_reference").filter(
        pl.col("bank_reference").is_not_null())
    first = references.group_by("bank_reference").agg(pl.col(LINE_COLUMN).min().alias("first"))
    repeated = references.join(first, on="bank_reference").filter(
        pl.col(LINE_COLUMN) != pl.col("first"))
    return [RowError.of(line, "bank_reference", reference, "statement_bank_reference_repeated",
                        shown=reference, first_line=first_line)
            for line, reference, first_line in repeated.iter_rows()]


def _lines(frame: pl.DataFrame) -> StatementLines:
    columns = frame.select(
        pl.col(LINE_COLUMN).cast(pl.Int64),
        pl.col("date").str.to_date("%Y-%m-%d"),
        _amount_text().cast(pl.Int64),
        pl.col("payer_reference").fill_null(""),
        pl.col("bank_reference"),
    )
    return StatementLines(
        lines=columns[LINE_COLUMN].to_numpy(),
        received_on=columns["date"].to_list(),
        amounts=columns["amount"].to_numpy().astype(np.int64),
        payer_references=columns["payer_reference"].to_list(),
        bank_references=columns["bank_reference"].to_list(),
    )
