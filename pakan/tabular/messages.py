"""One bilingual catalogue of messages about tables, keyed by a code.

The upload page, the command line and the downloadable error report all show the same text,
because they all look a code up here. English and Lao are kept side by side so a reviewer sees
both at once; Lao wording follows shared/domain/glossary-lo-en.csv where the term is there.
Modules with their own checks (the registry import, declarations) add their codes with
`register`, into this same catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A value shown in a message or report is cut to this many characters: a cell of 5,000
# characters must not turn the report into a copy of the bad file.
VALUE_PREVIEW_LENGTH = 60


@dataclass(frozen=True)
class Message:
    english: str
    lao: str


CATALOGUE: dict[str, Message] = {}


def register(messages: Mapping[str, Message]) -> None:
    """Add codes to the catalogue; a code may not be given two different texts."""
    for code, message in messages.items():
        existing = CATALOGUE.get(code)
        if existing is not None and existing != message:
            raise ValueError(f"message code {code!r} is already registered with other text")
        CATALOGUE[code] = message


def render(code: str, **params: Any) -> tuple[str, str]:
    """The English and Lao text of a code, with its parameters filled in."""
    message = CATALOGUE[code]
    return message.english.format(**params), message.lao.format(**params)


def preview(value: object) -> str:
    text = "" if value is None else str(value)
    if len(text) > VALUE_PREVIEW_LENGTH:
        return text[: VALUE_PREVIEW_LENGTH - 1] + "…"
    return text


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (or, with line 1 and a column, in the header) of a file."""

    line: int
    column: str
    value: str
    code: str
    reason_en: str
    reason_lo: str

    @classmethod
    def of(cls, line: int, column: str, value: object, code: str, **params: Any) -> RowError:
        """The error with its reasons rendered; {line} and {column} may appear in the text."""
        reason_en, reason_lo = render(code, line=line, column=column, **params)
        return cls(line, column, preview(value), code, reason_en, reason_lo)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "reason_en": self.reason_en,
            "reason_lo": self.reason_lo,
        }


@dataclass
class TableRefused(Exception):
    """The file as a whole cannot be read (encoding, format, header): no row is looked at."""

    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def of(
        cls, code: str, *, line: int = 0, column: str = "", value: object = "", **params: Any
    ) -> TableRefused:
        return cls([RowError.of(line, column, value, code, **params)])

    def __str__(self) -> str:
        return "; ".join(error.reason_en for error in self.errors)


HOW_TO_SAVE_CSV_EN = (
    "In LibreOffice Calc choose File > Save As, file type 'Text CSV (.csv)', tick 'Edit filter "
    "settings', and pick character set 'Unicode (UTF-8)' with comma as field delimiter. "
    "Or upload the Excel workbook (.xlsx) itself."
)
HOW_TO_SAVE_CSV_LO = (
    "ໃນ LibreOffice Calc ໃຫ້ເລືອກ File > Save As, ປະເພດໄຟລ໌ 'Text CSV (.csv)', ໝາຍ "
    "'Edit filter settings' ແລ້ວເລືອກຊຸດຕົວອັກສອນ 'Unicode (UTF-8)' ແລະ ໃຊ້ເຄື່ອງໝາຍ (,) "
    "ຂັ້ນລະຫວ່າງຖັນ. ຫຼື ອັບໂຫຼດໄຟລ໌ Excel (.xlsx) ໂດຍກົງ."
)

register(
    {
        # The file as a whole.
        "file_empty": Message("The file is empty.", "ໄຟລ໌ຫວ່າງເປົ່າ, ບໍ່ມີຂໍ້ມູນ."),
        "no_rows": Message(
            "The file has column names but no rows of data.",
            "ໄຟລ໌ມີແຕ່ຊື່ຖັນ, ບໍ່ມີແຖວຂໍ້ມູນ.",
        ),
        "file_too_large": Message(
            "The file is larger than {limit_mb} MB. Split it into smaller files.",
            "ໄຟລ໌ໃຫຍ່ກວ່າ {limit_mb} MB. ກະລຸນາແບ່ງເປັນຫຼາຍໄຟລ໌ນ້ອຍ.",
        ),
        "unknown_format": Message(
            "Only CSV files (.csv) and Excel workbooks (.xlsx) can be imported.",
            "ນຳເຂົ້າໄດ້ສະເພາະໄຟລ໌ CSV (.csv) ແລະ Excel (.xlsx) ເທົ່ານັ້ນ.",
        ),
        "old_excel": Message(
            "This is an old Excel 97-2003 file (.xls). Open it in Excel or LibreOffice and save "
            "it as an Excel workbook (.xlsx).",
            "ນີ້ແມ່ນໄຟລ໌ Excel ແບບເກົ່າ (.xls). ກະລຸນາເປີດໃນ Excel ຫຼື LibreOffice ແລ້ວບັນທຶກ"
            "ເປັນ Excel Workbook (.xlsx).",
        ),
        "not_xlsx": Message(
            "The file name ends in .xlsx but the file is not an Excel workbook ({detail}). Save "
            "it again as 'Excel Workbook (.xlsx)', or upload a CSV file.",
            "ຊື່ໄຟລ໌ລົງທ້າຍດ້ວຍ .xlsx ແຕ່ໄຟລ໌ນີ້ບໍ່ແມ່ນ Excel Workbook ({detail}). ກະລຸນາບັນທຶກ"
            "ໃໝ່ເປັນ 'Excel Workbook (.xlsx)' ຫຼື ອັບໂຫຼດເປັນໄຟລ໌ CSV.",
        ),
        "workbook_named_csv": Message(
            "The file name ends in .csv but the file is a workbook. Name it .xlsx, or save it "
            "as CSV.",
            "ຊື່ໄຟລ໌ລົງທ້າຍດ້ວຍ .csv ແຕ່ໄຟລ໌ນີ້ແມ່ນ Workbook. ກະລຸນາປ່ຽນຊື່ເປັນ .xlsx ຫຼື ບັນທຶກເປັນ CSV.",
        ),
        "byte_order_mark": Message(
            "The file starts with a byte-order mark (BOM), which is not accepted. "
            + HOW_TO_SAVE_CSV_EN,
            "ໄຟລ໌ນີ້ເລີ່ມຕົ້ນດ້ວຍເຄື່ອງໝາຍ BOM (byte-order mark) ເຊິ່ງບໍ່ຮັບ. " + HOW_TO_SAVE_CSV_LO,
        ),
        "utf16": Message(
            "The file is saved as UTF-16 ('Unicode text'), not UTF-8. " + HOW_TO_SAVE_CSV_EN,
            "ໄຟລ໌ນີ້ບັນທຶກເປັນ UTF-16 ('Unicode text'), ບໍ່ແມ່ນ UTF-8. " + HOW_TO_SAVE_CSV_LO,
        ),
        "not_utf8": Message(
            "The file is not in UTF-8: line {line} has bytes that cannot be read. It was "
            "probably saved in an older encoding such as Windows-874/TIS-620 or a legacy Lao "
            "font encoding. " + HOW_TO_SAVE_CSV_EN,
            "ໄຟລ໌ນີ້ບໍ່ແມ່ນ UTF-8: ແຖວ {line} ມີຕົວອັກສອນທີ່ອ່ານບໍ່ໄດ້. ອາດຈະບັນທຶກດ້ວຍ"
            "ການເຂົ້າລະຫັດແບບເກົ່າ ເຊັ່ນ Windows-874/TIS-620 ຫຼື ຟອນລາວແບບເກົ່າ. " + HOW_TO_SAVE_CSV_LO,
        ),
        "malformed_csv": Message(
            "The CSV file cannot be read: {detail}",
            "ອ່ານໄຟລ໌ CSV ບໍ່ໄດ້: {detail}",
        ),
        "wrong_separator": Message(
            "The columns are separated by {separator} instead of commas. " + HOW_TO_SAVE_CSV_EN,
            "ຖັນຖືກຂັ້ນດ້ວຍ {separator} ແທນເຄື່ອງໝາຍ (,). " + HOW_TO_SAVE_CSV_LO,
        ),
        "no_header": Message(
            "The first row must hold the column names.",
            "ແຖວທຳອິດຕ້ອງເປັນຊື່ຖັນ.",
        ),
        "missing_column": Message(
            "Required column '{column}' is missing.",
            "ບໍ່ມີຖັນ '{column}' ເຊິ່ງຕ້ອງມີ.",
        ),
        "unknown_column": Message(
            "Unknown column '{column}'. Allowed columns: {allowed}.",
            "ບໍ່ຮູ້ຈັກຖັນ '{column}'. ຖັນທີ່ໃຊ້ໄດ້: {allowed}.",
        ),
        "duplicate_column": Message(
            "Column '{column}' appears more than once.",
            "ຖັນ '{column}' ມີຫຼາຍກວ່າໜຶ່ງເທື່ອ.",
        ),
        # One cell.
        "control_character": Message(
            "The value contains a line break, a tab or another control character.",
            "ຄ່ານີ້ມີການຂຶ້ນແຖວໃໝ່, ແທັບ ຫຼື ຕົວອັກສອນຄວບຄຸມອື່ນ.",
        ),
        "bad_boolean": Message(
            "Write 1 for yes or 0 for no.",
            "ໃຫ້ຂຽນ 1 ຖ້າແມ່ນ ຫຼື 0 ຖ້າບໍ່ແມ່ນ.",
        ),
        # Summaries.
        "more_errors": Message(
            "{total} errors in all; only the first {shown} are listed.",
            "ມີຂໍ້ຜິດພາດທັງໝົດ {total} ຂໍ້; ສະແດງພຽງ {shown} ຂໍ້ທຳອິດ.",
        ),
    }
)
