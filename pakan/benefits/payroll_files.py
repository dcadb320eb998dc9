"""The payroll's files: one CSV payment file per bank, and the payroll register (CSV and XLSX).

Both are written from one table of the run's lines (selectors.payroll.run_lines_table) with
polars column expressions, so a national payroll of 100,000 lines is written in well under a
second. Text that a spreadsheet would read as a formula gets a leading quote, as every export
of Pakan does (pakan.tabular.export.neutralise). CSV is UTF-8 without a byte-order mark, lines
end in CRLF.

Bank payment file (payroll-YYYY-MM-<BANK>.csv), a control record then the payments:

    run_month,bank,lines,total_amount
    2026-11,BCEL,2,3000000
    reference,name_lo,name_latin,account,amount
    PR202611-0000000017,ສົມໃຈ ພົມມະວົງ,Somchai Phommavong,0100000000000017,1500000
    RP202611-0000000042,ນາງ ແກ້ວ,Kaeo Sisouk,0100000000000099,1450000

Payroll register (payroll-register-YYYY-MM.csv / .xlsx): every line, by province, district and
reference, each district followed by its total row, each province by its total, and a grand
total at the end; `row_type` says which (line, district_total, province_total, total).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import polars as pl
from django.core.files.base import ContentFile
from django.db import transaction

from pakan.benefits.models import BankPaymentFile, PayrollRun
from pakan.benefits.selectors.payroll import run_lines_table
from pakan.tabular.export import FORMULA_PREFIXES

CONTROL_HEADER = ("run_month", "bank", "lines", "total_amount")
PAYMENT_COLUMNS = ("reference", "name_lo", "name_latin", "account", "amount")
REGISTER_COLUMNS = (
    "row_type", "province_code", "province", "district_code", "district", "village_code",
    "village", "reference", "paid_for_month", "name_lo", "name_latin", "branch", "kind",
    "monthly_amount", "days_paid", "bank", "bank_account", "status", "lines", "amount",
)
REGISTER_NUMBERS = ("monthly_amount", "days_paid", "lines", "amount")
# Register columns with few distinct values: a shared string each in the XLSX.
REGISTER_REPEATED = ("row_type", "province_code", "province", "district_code", "district",
                     "village_code", "village", "paid_for_month", "branch", "kind", "bank",
                     "status")
# Columns a person or a register typed (names, places, accounts): the ones a spreadsheet could
# take for a formula. The others are codes, references, months and fixed values.
REGISTER_FREE_TEXT = ("province", "district", "village", "name_lo", "name_latin",
                      "bank_account")
# The prefixes of pakan.tabular.export.FORMULA_PREFIXES as one pattern.
FORMULA_PATTERN = "^[" + "".join(re.escape(prefix) for prefix in FORMULA_PREFIXES) + "]"


def month_text(run: PayrollRun) -> str:
    return f"{run.month:%Y-%m}"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# Writing the run's files ----------------------------------------------------------------------

def write_files(run: PayrollRun, post_payment: Callable[[str, int], None]) -> None:
    """The bank files and the register the run does not have yet, from one read of its lines.
    The register's XLSX (the largest piece of work) is built in a second thread while the bank
    files are stored and posted and the register's CSV is written: polars and zlib release the
    GIL, and that thread never touches the database. The register is stored after the last
    bank file: a run that has it has every file, and a run that failed on a bank file has no
    register yet."""
    if run.register_csv and run.register_xlsx:
        return
    lines = run_lines_table(run)
    table = register_table(lines)
    with ThreadPoolExecutor(max_workers=1) as thread:
        xlsx_content = thread.submit(register_xlsx, table, run)
        for bank in banks_without_file(run, lines):
            _store_bank_file(run, bank, lines.filter(pl.col("bank") == bank), post_payment)
        store_register(run, register_csv(table), xlsx_content.result())


# Bank payment files ---------------------------------------------------------------------------

def banks_without_file(run: PayrollRun, lines: pl.DataFrame) -> list[str]:
    """The banks the run's files pay through (its lines', and the corrected banks of the
    returned payments it pays again: the `bank` of run_lines_table) that have no file yet."""
    banks_with_file = set(run.bank_files.values_list("bank", flat=True))
    return sorted(set(lines["bank"].unique().to_list()) - banks_with_file)


def bank_file_content(run: PayrollRun, bank: str, lines: pl.DataFrame) -> bytes:
    payments = lines.sort("reference").select(
        _neutralised("reference"), _neutralised("name_lo"), _neutralised("name_latin"),
        _neutralised("bank_account").alias("account"), pl.col("amount"))
    control = ",".join(CONTROL_HEADER) + "\r\n" + ",".join(
        [month_text(run), bank, str(payments.height), str(int(payments["amount"].sum()))])
    return (control + "\r\n").encode("utf-8") + _csv_bytes(payments)


def _store_bank_file(run: PayrollRun, bank: str, lines: pl.DataFrame,
                     post_payment: Callable[[str, int], None]) -> None:
    """A bank's file (`lines` are its payments), stored in the transaction in which
    `post_payment(bank, amount)` posts the bank's payment of the month (the amount of its lines
    that are not repayments)."""
    content = bank_file_content(run, bank, lines)
    paid = int(lines.filter(pl.col("paid_for_month") == month_text(run))["amount"].sum())
    with transaction.atomic():
        record = BankPaymentFile(run=run, bank=bank, lines=lines.height,
                                 total_amount=int(lines["amount"].sum()),
                                 sha256=sha256_of(content))
        record.file.save(f"payroll-{month_text(run)}-{bank}.csv", ContentFile(content),
                         save=False)
        record.save()
        if paid:
            post_payment(bank, paid)


def _csv_bytes(table: pl.DataFrame) -> bytes:
    """The table as CSV with a header, CRLF, written by polars straight into bytes."""
    buffer = io.BytesIO()
    table.write_csv(buffer, line_terminator="\r\n")
    return buffer.getvalue()


# The payroll register -------------------------------------------------------------------------

def store_register(run: PayrollRun, csv_content: bytes, xlsx_content: bytes) -> None:
    """Store the national register on the run."""
    name = f"payroll-register-{month_text(run)}"
    run.register_csv.save(f"{name}.csv", ContentFile(csv_content), save=False)
    run.register_xlsx.save(f"{name}.xlsx", ContentFile(xlsx_content), save=False)
    PayrollRun.objects.filter(pk=run.pk).update(register_csv=run.register_csv.name,
                                                register_xlsx=run.register_xlsx.name)


def register_table(lines: pl.DataFrame) -> pl.DataFrame:
    """The register's rows in order: lines, district totals, province totals, grand total."""
    places = ["province_code", "province", "district_code", "district"]
    line_rows = lines.select(
        pl.lit("line").alias("row_type"), *places, "village_code", "village", "reference",
        "paid_for_month", "name_lo", "name_latin", "branch", "kind",
        "monthly_amount", "days_paid", "bank", "bank_account", "status",
        pl.lit(1, dtype=pl.Int64).alias("lines"), "amount",
        pl.lit(0).alias("__order"))
    sums = [pl.len().cast(pl.Int64).alias("lines"), pl.col("amount").sum().alias("amount")]
    districts = lines.group_by(places).agg(sums).with_columns(
        pl.lit("district_total").alias("row_type"), pl.lit(1).alias("__order"))
    provinces = lines.group_by(places[:2]).agg(sums).with_columns(
        pl.lit("province_total").alias("row_type"), pl.lit(2).alias("__order"),
        pl.lit("\uffff").alias("district_code"))
    grand = lines.select(sums).with_columns(
        pl.lit("total").alias("row_type"), pl.lit(3).alias("__order"),
        pl.lit("\uffff").alias("province_code"), pl.lit("\uffff").alias("district_code"))
    table = pl.concat([line_rows, districts, provinces, grand], how="diagonal_relaxed")
    table = table.sort(["province_code", "district_code", "__order", "reference"],
                       nulls_last=True)
    return table.with_columns(
        pl.when(pl.col(name) == "\uffff").then(None).otherwise(pl.col(name)).alias(name)
        for name in ("province_code", "district_code")
    ).select(REGISTER_COLUMNS)


def register_csv(table: pl.DataFrame) -> bytes:
    return _csv_bytes(table.with_columns(_neutralised(name) for name in REGISTER_FREE_TEXT))


def register_xlsx(table: pl.DataFrame, run: PayrollRun) -> bytes:
    return xlsx_workbook(table, sheet_name=f"Payroll {month_text(run)}",
                         numbers=REGISTER_NUMBERS, repeated=REGISTER_REPEATED,
                         free_text=REGISTER_FREE_TEXT)


def _neutralised(name: str) -> pl.Expr:
    """A text column with a quote before what a spreadsheet would read as a formula."""
    column = pl.col(name).fill_null("")
    return (pl.when(column.str.contains(FORMULA_PATTERN)).then("'" + column).otherwise(column)
            .alias(name))


# A fast XLSX writer ---------------------------------------------------------------------------
# openpyxl takes tens of seconds for 100,000 rows of twenty columns; the sheet's XML is built
# here by polars string expressions instead, each row in one pass, and zipped. Numbers are
# numbers (formatted with thousands separators), columns of few distinct values are shared
# strings, other text is inline; cells carry no reference, in order, so an empty one is <c/>.

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_ROOT_RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
# Style 1: bold (the header); style 2: a number with thousands separators (#,##0).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>'
)
_ILLEGAL_XML = r"[\x00-\x08\x0B\x0C\x0E-\x1F]"


def _escape_text(text: str) -> str:
    return (re.sub(_ILLEGAL_XML, "", text).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _xml_safe(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A text column made safe inside XML; the replacing passes only run on a column that
    needs them."""
    column = pl.col(name)
    if frame[name].str.contains(r"[&<>\x00-\x08\x0B\x0C\x0E-\x1F]").any():
        column = (column.str.replace_all(_ILLEGAL_XML, "")
                  .str.replace_all("&", "&amp;", literal=True)
                  .str.replace_all("<", "&lt;", literal=True)
                  .str.replace_all(">", "&gt;", literal=True))
    return column


def xlsx_workbook(table: pl.DataFrame, *, sheet_name: str, numbers: Sequence[str] = (),
                  repeated: Sequence[str] = (), free_text: Sequence[str] | None = None) -> bytes:
    """One sheet: a bold header row, then the table's rows. `numbers` are written as numbers,
    `repeated` as shared strings; `free_text` (default: every text column) gets the formula
    quote."""
    texts = [name for name in table.columns if name not in numbers]
    free_text = texts if free_text is None else free_text
    prepared = table.with_columns(pl.col(name).fill_null("") for name in texts).with_columns(
        _neutralised(name) for name in free_text if name in texts)
    shared: dict[str, int] = {name: position for position, name in enumerate(table.columns)}
    for name in repeated:
        for value in prepared[name].unique().sort().to_list():
            shared.setdefault(value, len(shared))
    header = "<row>" + "".join(f'<c t="s" s="1"><v>{shared[name]}</v></c>'
                               for name in table.columns) + "</row>"
    rows = _row_xml(prepared, numbers, repeated, shared)
    strings = "".join(f"<si><t>{_escape_text(value)}</t></si>" for value in shared)
    shared_strings = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                      f'count="{len(shared)}" uniqueCount="{len(shared)}">{strings}</sst>')
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name="{_escape_text(sheet_name[:31])}" sheetId="1" '
                'r:id="rId1"/></sheets></workbook>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELATIONSHIPS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELATIONSHIPS)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                         '2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
                         'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView>'
                         f"</sheetViews><sheetData>{header}\n").encode())
            # The rows' XML goes straight from polars into the archive, one per text line
            # (whitespace between elements is allowed), never as one Python string.
            rows.select("xml").write_csv(sheet, include_header=False, quote_style="never",
                                         line_terminator="\n")
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _row_xml(prepared: pl.DataFrame, numbers: Sequence[str], repeated: Sequence[str],
             shared: dict[str, int]) -> pl.DataFrame:
    """Each row's <row> element, in order, by one polars expression. Only numbers may be
    missing (the register's total rows have no days or monthly amount): an empty <c/>."""
    cells = []
    for name in prepared.columns:
        if name in numbers:
            column = pl.col(name)
            cells.append(pl.when(column.is_null()).then(pl.lit("<c/>")).otherwise(
                '<c s="2"><v>' + column.cast(pl.String) + "</v></c>"))
        elif name in repeated:
            cells.append('<c t="s"><v>' + pl.col(name).replace_strict(
                shared, return_dtype=pl.String) + "</v></c>")
        else:
            cells.append('<c t="inlineStr"><is><t>' + _xml_safe(prepared, name)
                         + "</t></is></c>")
    return prepared.select(
        pl.concat_str([pl.lit("<row>"), *cells, pl.lit("</row>")]).alias("xml"))
