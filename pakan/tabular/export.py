"""Writing any list to CSV or XLSX, streamed, with spreadsheet formulas made harmless.

A name typed as `=HYPERLINK("http://…")` or `+cmd|…` in a registry must not run as a formula in
the spreadsheet of the officer who exports the list (CSV/formula injection). Every text cell that
starts with one of = + - @ (or a tab or carriage return, which some spreadsheets skip before
reading a formula) gets a single quote in front. Numbers and dates are written as numbers and
dates, so a negative amount stays a number. CSV is UTF-8 without a byte-order mark, so an export
goes back in through the import as it is.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import enum
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Literal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

ExportFormat = Literal["csv", "xlsx"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CSV_ROWS_PER_CHUNK = 2000
_SPOOL_BYTES = 16 * 1024 * 1024


def neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula, made literal with a leading quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _plain(value: Any) -> Any:
    """Choices and other wrappers to their stored value."""
    if isinstance(value, enum.Enum):
        return value.value
    return value


def csv_cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return neutralise(str(value))


def xlsx_cell(value: Any) -> Any:
    value = _plain(value)
    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return _naive_local(value)
    if isinstance(value, datetime.date | datetime.time):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _naive_local(moment: datetime.datetime) -> datetime.datetime:
    """XLSX has no time zones: write the time as it reads in Vientiane (settings.TIME_ZONE)."""
    if moment.tzinfo is None:
        return moment
    from django.utils import timezone

    return timezone.localtime(moment).replace(tzinfo=None)


class _LineBuffer:
    """A file-like sink for csv.writer that hands back each written line."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks of a few thousand rows each, for streaming."""
    # CRLF as RFC 4180 says; it also makes the writer quote a bare carriage return in a value.
    writer = csv.writer(_LineBuffer(), lineterminator="\r\n")
    pending = [writer.writerow([neutralise(str(name)) for name in header])]
    for row in rows:
        pending.append(writer.writerow([csv_cell(value) for value in row]))
        if len(pending) >= _CSV_ROWS_PER_CHUNK:
            yield "".join(pending).encode("utf-8")
            pending = []
    if pending:
        yield "".join(pending).encode("utf-8")


def write_table(
    rows: Iterable[Sequence[Any]], header: Sequence[str], fmt: ExportFormat, destination: BinaryIO
) -> None:
    """Write rows to an open binary file, row by row, never holding the whole list."""
    if fmt == "csv":
        for chunk in csv_chunks(rows, header):
            destination.write(chunk)
    elif fmt == "xlsx":
        _write_xlsx(rows, header, destination)
    else:
        raise ValueError(f"unknown export format: {fmt!r}")


def _write_xlsx(
    rows: Iterable[Sequence[Any]], header: Sequence[str], destination: BinaryIO
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=xlsx_cell(str(name)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            converted = xlsx_cell(value)
            if isinstance(converted, datetime.datetime | datetime.date):
                cell = WriteOnlyCell(sheet, value=converted)
                cell.number_format = (
                    "yyyy-mm-dd hh:mm" if isinstance(converted, datetime.datetime) else "yyyy-mm-dd"
                )
                cells.append(cell)
            else:
                cells.append(converted)
        sheet.append(cells)
    workbook.save(destination)


def export_filename(filename: str, fmt: ExportFormat) -> str:
    return str(Path(filename).with_suffix(f".{fmt}"))


def export_response(
    rows: Iterable[Sequence[Any]], header: Sequence[str], fmt: ExportFormat, filename: str
):
    """A download of the list: CSV streamed as it is read, XLSX spooled then streamed."""
    from django.http import FileResponse, StreamingHttpResponse
    from django.utils.http import content_disposition_header

    name = export_filename(filename, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows, header), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    if fmt != "xlsx":
        raise ValueError(f"unknown export format: {fmt!r}")
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    _write_xlsx(rows, header, spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
