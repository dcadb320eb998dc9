"""The extract's messages in English and Lao, and its two exceptions.

Lao terms from the glossary: ຜູ້ປະກັນຕົນ (insured person), ຜູ້ຮັບບຳນານ (pensioner), ເງິນສົມທົບ
(contribution), ກອງທຶນປະກັນສັງຄົມ (social security fund), ວັນທີ (date), ເຈົ້າໜ້າທີ່ (officer).
Own wording (not in the glossary): ການປະເມີນມູນຄ່າກອງທຶນ (valuation of the fund), ວັນທີປະເມີນ
(valuation date), ຂໍ້ມູນສະກັດ / ສະກັດຂໍ້ມູນ (extract / to extract data), ນັກຄະນິດສາດປະກັນໄພ
(actuary), ຂັ້ນສູນກາງ (national level), ອະນາຄົດ (future, as the registry's message).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from pakan.registry.validation import FieldError, RegistryValidationError

MESSAGES: dict[str, tuple[str, str]] = {
    "extract_bad_date": (
        "The valuation date \"{value}\" is not a date in the form YYYY-MM-DD "
        "(for example 2025-12-31).",
        "ວັນທີປະເມີນ \"{value}\" ບໍ່ຖືກຮູບແບບ ປປປປ-ດດ-ວວ (ຕົວຢ່າງ 2025-12-31)."),
    "extract_future_date": (
        "The valuation date {date} is in the future (today is {today}): the fund's data "
        "can only be extracted up to today.",
        "ວັນທີປະເມີນ {date} ຢູ່ໃນອະນາຄົດ (ມື້ນີ້ແມ່ນ {today}): ສະກັດຂໍ້ມູນຂອງກອງທຶນໄດ້ພຽງຮອດມື້ນີ້."),
    "extract_before_fund": (
        "The valuation date {date} is before the fund's first record ({first}): there was "
        "nothing to value on that date.",
        "ວັນທີປະເມີນ {date} ແມ່ນກ່ອນຂໍ້ມູນທຳອິດຂອງກອງທຶນ ({first}): ບໍ່ມີຫຍັງໃຫ້ປະເມີນໃນວັນທີນັ້ນ."),
    "extract_no_fund_data": (
        "The fund holds no insured members or contribution records yet: there is nothing to "
        "extract.",
        "ກອງທຶນຍັງບໍ່ມີຜູ້ປະກັນຕົນ ຫຼື ເງິນສົມທົບ: ບໍ່ມີຂໍ້ມູນໃຫ້ສະກັດ."),
    "extract_not_allowed": (
        "Only national staff (central officers and system administrators whose scope is the "
        "whole country) and actuaries may make a valuation extract.",
        "ສະເພາະເຈົ້າໜ້າທີ່ຂັ້ນສູນກາງ (ເຈົ້າໜ້າທີ່ສູນກາງ ແລະ ຜູ້ບໍລິຫານລະບົບ ທີ່ເບິ່ງໄດ້ທົ່ວປະເທດ) ແລະ "
        "ນັກຄະນິດສາດປະກັນໄພ ເທົ່ານັ້ນ ທີ່ສະກັດຂໍ້ມູນເພື່ອການປະເມີນມູນຄ່າກອງທຶນໄດ້."),
    "extract_file_changed": (
        "The extract's data file does not match its recorded SHA-256 ({expected}): it was "
        "changed or damaged after it was made, so it is not used.",
        "ໄຟລ໌ຂໍ້ມູນສະກັດບໍ່ກົງກັບ SHA-256 ທີ່ບັນທຶກໄວ້ ({expected}): ມັນຖືກປ່ຽນ ຫຼື ເສຍຫາຍ "
        "ຫຼັງຈາກສ້າງ, ຈຶ່ງບໍ່ນຳໃຊ້."),
    "extract_not_done": (
        "The extract of {date} is not finished (status: {status}); only a finished extract "
        "can feed a valuation.",
        "ຂໍ້ມູນສະກັດຂອງວັນທີ {date} ຍັງບໍ່ສຳເລັດ (ສະຖານະ: {status}); ສະເພາະຂໍ້ມູນສະກັດທີ່ສຳເລັດແລ້ວ "
        "ເທົ່ານັ້ນທີ່ນຳໃຊ້ໃນການປະເມີນມູນຄ່າໄດ້."),
}


def error(field: str, code: str, **values: object) -> FieldError:
    english, lao = MESSAGES[code]
    return FieldError(field, code, english.format(**values), lao.format(**values))


class ExtractError(RegistryValidationError):
    """A refused extract request (bad valuation date, a damaged file): nothing was stored.
    `errors` are FieldErrors with the reason in English and Lao, as the registry's."""

    @classmethod
    def of(cls, field: str, code: str, **values: object) -> ExtractError:
        return cls([error(field, code, **values)])


class ExtractNotAllowed(PermissionDenied):
    """The user may not make extracts; the reason in both languages."""

    def __init__(self) -> None:
        self.reason_en, self.reason_lo = MESSAGES["extract_not_allowed"]
        super().__init__(f"{self.reason_en} / {self.reason_lo}")
