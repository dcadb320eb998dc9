"""Reading a monthly declaration uploaded as CSV or XLSX, with pakan.tabular.

The file has two columns, `social_security_number` and `monthly_wage`, one row per worker. Its
last row may be a totals row: the word TOTAL in the social security number column and the sum
of the wages beside it. This module only turns the file into lines (with the line number a
person sees in a spreadsheet); what the lines mean is checked by services.declarations.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pakan.tabular.messages import RowError, TableRefused
from pakan.tabular.reading import LINE_COLUMN, check_header, open_table

SOCIAL_SECURITY_NUMBER = "social_security_number"
MONTHLY_WAGE = "monthly_wage"
DECLARATION_COLUMNS = (SOCIAL_SECURITY_NUMBER, MONTHLY_WAGE)
TOTAL_MARKER = "TOTAL"
# A declaration of the largest employer (tens of thousands of workers) is well under this.
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class DeclarationFile:
    """The lines of an uploaded declaration, or the reasons it could not be read."""

    lines: list[dict] = field(default_factory=list)
    declared_total: str | None = None
    total_row: int | None = None
    # Problems with the file as a whole (format, encoding, header) or with where TOTAL stands.
    errors: list[RowError] = field(default_factory=list)
    file_sha256: str = ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def read_declaration_file(path: Path, original_name: str = "") -> DeclarationFile:
    """The file's lines {"row", "social_security_number", "monthly_wage"} and its totals row.

    A file that cannot be read as a table comes back with `errors` and no lines."""
    path = Path(path)
    result = DeclarationFile(file_sha256=file_sha256(path) if path.exists() else "")
    try:
        table = open_table(path, original_name, max_bytes=MAX_FILE_BYTES)
    except TableRefused as refused:
        result.errors = list(refused.errors)
        return result
    result.errors = check_header(table.header, DECLARATION_COLUMNS, DECLARATION_COLUMNS)
    if result.errors:
        return result
    try:
        for batch in table.batches():
            for row, number, wage in batch.select(
                    LINE_COLUMN, SOCIAL_SECURITY_NUMBER, MONTHLY_WAGE).iter_rows():
                result.lines.append({"row": int(row), SOCIAL_SECURITY_NUMBER: number or "",
                                     MONTHLY_WAGE: wage})
    except TableRefused as refused:
        result.errors = list(refused.errors)
        result.lines = []
        return result
    _take_totals_row(result)
    return result


def _is_total(line: dict) -> bool:
    return str(line[SOCIAL_SECURITY_NUMBER]).strip().upper() == TOTAL_MARKER


def _take_totals_row(result: DeclarationFile) -> None:
    """The last row may be TOTAL; a TOTAL anywhere else is an error on its row."""
    if result.lines and _is_total(result.lines[-1]):
        last = result.lines.pop()
        result.declared_total = last[MONTHLY_WAGE]
        result.total_row = last["row"]
    for line in [line for line in result.lines if _is_total(line)]:
        result.errors.append(RowError(line["row"], SOCIAL_SECURITY_NUMBER, TOTAL_MARKER,
                                      "declaration_total_not_last", "", ""))
        result.lines.remove(line)
