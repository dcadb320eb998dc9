"""Reading an uploaded table (CSV or XLSX) into batches of string columns, or refusing it.

What is checked here is what any table needs before its rows can be checked: that the file is
what its name says, that a CSV is UTF-8 without a byte-order mark, that the header names the
right columns. A refusal is a `TableRefused` carrying bilingual messages. Rows come out as polars
DataFrames of strings (stripped, empty as null, blank rows dropped) with the file's own line
number in `LINE_COLUMN`, so the caller can check a million rows with column expressions and
still point at the line a person sees in a text editor or spreadsheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import polars as pl

from pakan.tabular.messages import RowError, TableRefused

LINE_COLUMN = "__line"
_RECORD_COLUMN = "__record"
DEFAULT_BATCH_ROWS = 100_000
NEWLINE_BYTE = ord("\n")
_SCAN_CHUNK_BYTES = 4 * 1024 * 1024
HEADER_LINE = 1

UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and other Office files


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


FORMAT_BY_SUFFIX = {
    ".csv": TableFormat.CSV,
    ".txt": TableFormat.CSV,
    ".xlsx": TableFormat.XLSX,
    ".xlsm": TableFormat.XLSX,
}


def format_of(name: str) -> TableFormat:
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise TableRefused.of("old_excel")
    if suffix not in FORMAT_BY_SUFFIX:
        raise TableRefused.of("unknown_format")
    return FORMAT_BY_SUFFIX[suffix]


@dataclass
class TableSource:
    """An opened table whose header has been read; rows are read batch by batch."""

    path: Path
    format: TableFormat
    header: list[str]
    estimated_rows: int
    # False when the CSV holds no '"' at all: then no value can span lines, and line numbers
    # follow from record numbers without looking for line breaks inside values.
    quoted: bool = True
    # False when the CSV holds no "'": then no value carries the quote of an export.
    apostrophes: bool = True
    # True when the CSV holds no quote, backslash, tab or carriage return: then no value holds
    # a character that PostgreSQL's text COPY format would need escaped.
    plain: bool = False
    # Batches of this many records, already being read on polars' threads (see open_table).
    read_ahead: tuple[int, Iterator[pl.DataFrame]] | None = field(default=None, repr=False)

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pl.DataFrame]:
        if self.format is TableFormat.CSV:
            records, self.read_ahead = self.read_ahead, None
            raw = _csv_batches(
                self.path,
                self.header,
                batch_rows,
                self.quoted,
                records[1] if records and records[0] == batch_rows else None,
            )
        else:
            raw = _xlsx_batches(self.path, self.header, batch_rows)
        for batch in raw:
            cleaned = clean_cells(batch, self.header, self.apostrophes)
            if cleaned.height:
                yield cleaned

    def columns(self, names: Sequence[str]) -> pl.DataFrame:
        """Some columns of every row, cleaned as in `batches`: for look-ups before the rows."""
        names = [name for name in names if name in self.header]
        if self.format is TableFormat.CSV:
            frame = _csv_columns(self.path, self.header, names)
        else:
            frame = pl.concat(
                [
                    batch.select(names)
                    for batch in _xlsx_batches(self.path, self.header, DEFAULT_BATCH_ROWS)
                ]
                or [pl.DataFrame(schema=dict.fromkeys(names, pl.String))]
            )
        return clean_cells(frame, names, self.apostrophes)


def open_table(
    path: Path,
    original_name: str = "",
    *,
    max_bytes: int | None = None,
    read_ahead_rows: int | None = None,
) -> TableSource:
    """Check the file as a whole and read its header. Raises TableRefused.

    With `read_ahead_rows`, a CSV's first batches of that many rows are read on polars' threads
    while this one checks the file's bytes: `batches(read_ahead_rows)` then starts at once.
    """
    table_format = format_of(original_name or path.name)
    size = path.stat().st_size
    if size == 0:
        raise TableRefused.of("file_empty")
    if max_bytes is not None and size > max_bytes:
        raise TableRefused.of("file_too_large", limit_mb=max_bytes // (1024 * 1024))
    with path.open("rb") as handle:
        start = handle.read(8)
    if start.startswith(OLE2_MAGIC):
        raise TableRefused.of("old_excel")
    if table_format is TableFormat.CSV:
        return _open_csv(path, start, read_ahead_rows)
    return _open_xlsx(path, start)


def check_header(
    header: Sequence[str], required: Sequence[str], allowed: Sequence[str]
) -> list[RowError]:
    """Missing, unknown and repeated column names, each as an error on line 1."""
    errors: list[RowError] = []
    seen: set[str] = set()
    allowed_list = ", ".join(allowed)
    for position, name in enumerate(header, start=1):
        shown = name or f"(column {position} has no name)"
        if name in seen:
            errors.append(RowError.of(HEADER_LINE, shown, name, "duplicate_column"))
        elif name not in allowed:
            errors.append(
                RowError.of(HEADER_LINE, shown, name, "unknown_column", allowed=allowed_list)
            )
        seen.add(name)
    for name in required:
        if name not in seen:
            errors.append(RowError.of(HEADER_LINE, name, "", "missing_column"))
    return errors


# The quote pakan.tabular.export puts before text a spreadsheet would take for a formula.
NEUTRALISED_PATTERN = r"^'[=+\-@\t\r]"


def clean_cells(
    batch: pl.DataFrame, header: Sequence[str], apostrophes: bool = True
) -> pl.DataFrame:
    """Strip spaces around every value, read empty as missing, and drop blank rows.

    The quote an export put in front of = + - @ is taken off again, so a list exported from
    Pakan (a phone number "+856 …" is written "'+856 …") comes back in as it was.
    """
    stripped = batch.with_columns(pl.col(name).str.strip_chars() for name in header)
    # The quote is rare: only columns where some value starts with one pay for taking it off.
    if apostrophes:
        quoted = stripped.select(pl.col(name).str.starts_with("'").any() for name in header).row(0)
    else:
        quoted = (False,) * len(header)
    cleaned = stripped.with_columns(
        _unquoted(pl.col(name)) if has_quote else pl.col(name)
        for name, has_quote in zip(header, quoted, strict=True)
    ).with_columns(pl.when(pl.col(name).str.len_bytes() > 0).then(pl.col(name)) for name in header)
    return cleaned.filter(pl.any_horizontal(pl.col(name).is_not_null() for name in header))


def _unquoted(value: pl.Expr) -> pl.Expr:
    neutralised = value.str.contains(NEUTRALISED_PATTERN)
    return pl.when(neutralised).then(value.str.slice(1)).otherwise(value)


# --- CSV -------------------------------------------------------------------------------------


def _open_csv(path: Path, start: bytes, read_ahead_rows: int | None = None) -> TableSource:
    if start.startswith(UTF8_BOM):
        raise TableRefused.of("byte_order_mark")
    if start.startswith(UTF16_BOMS):
        raise TableRefused.of("utf16")
    if start.startswith(ZIP_MAGIC):
        raise TableRefused.of("workbook_named_csv")
    try:
        header, header_refusal = _read_csv_header(path), None
    except (TableRefused, UnicodeDecodeError) as refusal:
        header, header_refusal = [], refusal
    read_ahead = None
    if header and read_ahead_rows:
        # Started now, dropped unread if the scan refuses the file. A file polars cannot read
        # is reported when its batches are read, as without reading ahead.
        with suppress(pl.exceptions.PolarsError):
            read_ahead = (read_ahead_rows, _csv_records(path, header, read_ahead_rows))
    scan = _scan_text(path)  # its refusals come first: a file not in UTF-8, say
    if header_refusal is not None:
        raise header_refusal
    data_lines = scan.newlines if scan.ends_with_newline else scan.newlines + 1
    return TableSource(
        path,
        TableFormat.CSV,
        header,
        max(data_lines - 1, 0),
        scan.quoted,
        scan.apostrophes,
        plain=not (scan.quoted or scan.escapable),
        read_ahead=read_ahead,
    )


@dataclass(frozen=True)
class TextScan:
    newlines: int
    ends_with_newline: bool
    quoted: bool
    apostrophes: bool
    # A backslash, tab or carriage return somewhere.
    escapable: bool = True


def _scan_text(path: Path) -> TextScan:
    """One pass over the bytes: refuse what is not UTF-8, count lines for progress, and note
    whether any value is quoted, holds an apostrophe, or a character that PostgreSQL's text
    format escapes.

    Chunks are cut after their last line break (a multi-byte character never holds one) and
    checked by polars' UTF-8 validation, several times faster than Python's decoder; only a
    chunk that fails is decoded in Python, to name the line of the first bad byte.
    """
    newlines = 0
    quoted = apostrophes = escapable = False
    last = b""
    carried = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN_CHUNK_BYTES):
            if b"\x00" in chunk:
                raise TableRefused.of("utf16")
            last = chunk[-1:]
            cut = chunk.rfind(b"\n") + 1
            if not cut:
                carried += chunk
                continue
            # One copy: the line begun in the last chunk and the whole lines of this one.
            whole_lines = b"".join((carried, memoryview(chunk)[:cut]))
            carried = chunk[cut:]
            _check_utf8(whole_lines, newlines)
            newlines += _line_breaks(whole_lines)
            quoted = quoted or b'"' in whole_lines
            apostrophes = apostrophes or b"'" in whole_lines
            escapable = escapable or _escapable(whole_lines)
        _check_utf8(carried, newlines)
        quoted = quoted or b'"' in carried
        apostrophes = apostrophes or b"'" in carried
        escapable = escapable or _escapable(carried)
    return TextScan(newlines, last == b"\n", quoted, apostrophes, escapable)


def _line_breaks(text: bytes) -> int:
    # numpy counts a byte twice as fast as bytes.count.
    return int(np.count_nonzero(np.frombuffer(text, dtype=np.uint8) == NEWLINE_BYTE))


def _escapable(text: bytes) -> bool:
    return b"\\" in text or b"\t" in text or b"\r" in text


def _check_utf8(text: bytes, lines_before: int) -> None:
    if not text:
        return
    try:
        pl.Series([text], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as error:
            line = lines_before + text.count(b"\n", 0, max(error.start, 0)) + 1
            raise TableRefused.of("not_utf8", line=line) from None


def _read_csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        first_line = handle.readline()
    fields = next(csv.reader([first_line]), [])
    header = [name.strip() for name in fields]
    if not any(header):
        raise TableRefused.of("no_header", line=HEADER_LINE)
    if len(header) == 1:
        for separator, label in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
            if separator in header[0]:
                raise TableRefused.of("wrong_separator", line=HEADER_LINE, separator=label)
    return header


def _scan(path: Path, header: list[str], **options) -> pl.LazyFrame:
    # Every column as text (no type inference): the checks decide what a value means.
    return pl.scan_csv(
        path,
        has_header=True,
        new_columns=header,
        infer_schema=False,
        glob=False,
        raise_if_empty=False,
        **options,
    )


def _csv_batches(
    path: Path,
    header: list[str],
    batch_rows: int,
    quoted: bool = True,
    records: Iterator[pl.DataFrame] | None = None,
) -> Iterator[pl.DataFrame]:
    extra_lines = 0  # line breaks inside quoted values seen so far
    try:
        if records is None:
            records = _csv_records(path, header, batch_rows)
        for batch in records:
            batch, extra_lines = _with_line_numbers(batch, header, extra_lines, quoted)
            yield batch
    except pl.exceptions.PolarsError as error:
        raise _malformed(path, len(header), error) from None


def _csv_records(path: Path, header: list[str], batch_rows: int) -> Iterator[pl.DataFrame]:
    """Batches of records numbered from 0; polars starts reading them at once."""
    frame = _scan(path, header, row_index_name=_RECORD_COLUMN)
    return frame.collect_batches(chunk_size=batch_rows)


def _csv_columns(path: Path, header: list[str], names: list[str]) -> pl.DataFrame:
    try:
        return _scan(path, header).select(names).collect()
    except pl.exceptions.PolarsError as error:
        raise _malformed(path, len(header), error) from None


def _with_line_numbers(
    batch: pl.DataFrame, header: list[str], extra_lines: int, quoted: bool = True
) -> tuple[pl.DataFrame, int]:
    """Record index to line number, counting line breaks inside quoted values."""
    record = pl.col(_RECORD_COLUMN).cast(pl.Int64)
    has_break = (
        quoted
        and batch.select(
            pl.any_horizontal(
                pl.col(name).str.contains("\n", literal=True) for name in header
            ).any()
        ).item()
    )
    if not has_break:
        numbered = batch.with_columns((record + (HEADER_LINE + 1 + extra_lines)).alias(LINE_COLUMN))
        return numbered.drop(_RECORD_COLUMN), extra_lines
    breaks = pl.sum_horizontal(
        pl.col(name).str.count_matches("\n", literal=True).fill_null(0) for name in header
    ).cast(pl.Int64)
    earlier_breaks = breaks.cum_sum() - breaks
    numbered = batch.with_columns(
        (record + (HEADER_LINE + 1 + extra_lines) + earlier_breaks).alias(LINE_COLUMN),
        breaks.sum().alias("__breaks"),
    )
    added = int(numbered["__breaks"][0]) if numbered.height else 0
    return numbered.drop(_RECORD_COLUMN, "__breaks"), extra_lines + added


def _malformed(path: Path, width: int, error: Exception) -> TableRefused:
    """Find the first line the strict csv module cannot fit to the header, to name it."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            for fields in reader:
                if reader.line_num > HEADER_LINE and fields and len(fields) != width:
                    detail = (
                        f"line {reader.line_num} has {len(fields)} values "
                        f"but the header has {width} columns"
                    )
                    return TableRefused.of("malformed_csv", line=reader.line_num, detail=detail)
        except csv.Error as csv_error:
            return TableRefused.of(
                "malformed_csv", line=reader.line_num, detail=f"line {reader.line_num}: {csv_error}"
            )
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return TableRefused.of("malformed_csv", detail=first_line)


# --- XLSX ------------------------------------------------------------------------------------


def _open_xlsx(path: Path, start: bytes) -> TableSource:
    if not start.startswith(ZIP_MAGIC):
        raise TableRefused.of("not_xlsx", detail="not a zip archive")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise TableRefused.of("not_xlsx", detail="damaged zip archive") from None
    if not any(name.startswith("xl/") for name in names):
        raise TableRefused.of("not_xlsx", detail="a zip archive without a workbook inside")
    worksheet, workbook = _first_sheet(path)
    try:
        rows = worksheet.iter_rows(max_row=1, values_only=True)
        first_row = next(rows, ())
    finally:
        workbook.close()
    header = [cell_text(value) or "" for value in first_row]
    while header and not header[-1]:
        header.pop()
    header = [name.strip() for name in header]
    if not header:
        raise TableRefused.of("no_header", line=HEADER_LINE)
    estimated = max((worksheet.max_row or 1) - 1, 0)
    return TableSource(path, TableFormat.XLSX, header, estimated)


def _first_sheet(path: Path):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        return workbook.worksheets[0], workbook
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise TableRefused.of(
            "not_xlsx", detail=f"cannot be opened: {type(error).__name__}"
        ) from None


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a person would type in a CSV."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _xlsx_batches(path: Path, header: list[str], batch_rows: int) -> Iterator[pl.DataFrame]:
    worksheet, workbook = _first_sheet(path)
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    lines: list[int] = []
    try:
        for line, row in enumerate(worksheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = (list(row) + [None] * width)[:width]
            if all(value is None for value in cells):
                continue
            lines.append(line)
            for position, value in enumerate(cells):
                columns[position].append(cell_text(value))
            if len(lines) >= batch_rows:
                yield _xlsx_frame(header, columns, lines)
                columns = [[] for _ in range(width)]
                lines = []
    finally:
        workbook.close()
    if lines:
        yield _xlsx_frame(header, columns, lines)


def _xlsx_frame(
    header: list[str], columns: list[list[str | None]], lines: list[int]
) -> pl.DataFrame:
    data = {
        name: pl.Series(name, values, dtype=pl.String)
        for name, values in zip(header, columns, strict=True)
    }
    data[LINE_COLUMN] = pl.Series(LINE_COLUMN, lines, dtype=pl.Int64)
    return pl.DataFrame(data)
