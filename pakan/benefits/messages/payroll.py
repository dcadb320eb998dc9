"""Messages of the pension payroll, its returned-payment files and the indexation (English, Lao).

Lao follows ../shared/domain/glossary-lo-en.csv where it has the term (ເດືອນ month, ຈຳນວນເງິນ
amount, ເລກບັນຊີ account number, ທະນາຄານ bank, ຜູ້ເກີດສິດ beneficiary, ເບີກຈ່າຍ pay out,
ເງິນບຳນານ pension). Own wording (the glossary has no term): ເລກອ້າງອີງ (reference), ສົ່ງຄືນ
(returned), ກັກໄວ້ (held), ການປັບເງິນບຳນານ (indexation), ມໍລະດົກ (estate).
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "payroll_month_required": (
        "Give the month to pay, such as 2026-11.",
        "ກະລຸນາປ້ອນເດືອນທີ່ຈະເບີກຈ່າຍ, ຕົວຢ່າງ 2026-11.",
    ),
    "payroll_bad_month": (
        "{value} is not a month: write it as YYYY-MM, such as 2026-11.",
        "{value} ບໍ່ແມ່ນເດືອນ: ກະລຸນາຂຽນເປັນ ປປປປ-ດດ, ຕົວຢ່າງ 2026-11.",
    ),
    "payroll_no_indexation_on_date": (
        "No pension indexation starts on {date}; the dated entries start on {starts}.",
        "ບໍ່ມີການປັບເງິນບຳນານທີ່ເລີ່ມວັນທີ {date}; ວັນທີເລີ່ມທີ່ມີແມ່ນ {starts}.",
    ),
    "payroll_bad_indexation_rate": (
        "The indexation rate {rate} that starts on {date} is not a share from 0 to 1 "
        "(0.05 is 5%).",
        "ອັດຕາການປັບເງິນບຳນານ {rate} ທີ່ເລີ່ມວັນທີ {date} ບໍ່ແມ່ນສ່ວນແບ່ງແຕ່ 0 ຫາ 1 "
        "(0.05 ແມ່ນ 5%).",
    ),
    # A returned-payment file as a whole.
    "payroll_returned_file_seen": (
        "This file was already imported on {date} (as {name}); a file is applied only once.",
        "ໄຟລ໌ນີ້ໄດ້ນຳເຂົ້າແລ້ວວັນທີ {date} (ຊື່ {name}); ໄຟລ໌ໜຶ່ງນຳໃຊ້ໄດ້ພຽງຄັ້ງດຽວ.",
    ),
    # A row of a returned-payment file: held (not applied), the other rows are.
    "payroll_returned_reference_missing": (
        "Row {row}: the reference is empty; the row is held.",
        "ແຖວ {row}: ບໍ່ມີເລກອ້າງອີງ; ແຖວນີ້ຖືກກັກໄວ້.",
    ),
    "payroll_returned_unknown_reference": (
        "Row {row}: no payment with the reference {reference} was sent to a bank; the row is "
        "held.",
        "ແຖວ {row}: ບໍ່ມີການເບີກຈ່າຍທີ່ມີເລກອ້າງອີງ {reference} ສົ່ງໄປທະນາຄານ; ແຖວນີ້ຖືກກັກໄວ້.",
    ),
    "payroll_returned_amount_missing": (
        "Row {row}: the amount is empty; the row is held.",
        "ແຖວ {row}: ບໍ່ມີຈຳນວນເງິນ; ແຖວນີ້ຖືກກັກໄວ້.",
    ),
    "payroll_returned_bad_amount": (
        "Row {row}: the amount {amount} is not a whole number of kip above 0; the row is held.",
        "ແຖວ {row}: ຈຳນວນເງິນ {amount} ບໍ່ແມ່ນຈຳນວນກີບເຕັມທີ່ຫຼາຍກວ່າ 0; ແຖວນີ້ຖືກກັກໄວ້.",
    ),
    "payroll_returned_amount_mismatch": (
        "Row {row}: the amount {amount} kip is not the {paid} kip paid under {reference}; the "
        "row is held.",
        "ແຖວ {row}: ຈຳນວນເງິນ {amount} ກີບ ບໍ່ກົງກັບ {paid} ກີບ ທີ່ເບີກຈ່າຍດ້ວຍເລກອ້າງອີງ "
        "{reference}; ແຖວນີ້ຖືກກັກໄວ້.",
    ),
    "payroll_returned_already_returned": (
        "Row {row}: the payment {reference} is already recorded as returned (on {date}); the "
        "row is held.",
        "ແຖວ {row}: ການເບີກຈ່າຍ {reference} ໄດ້ບັນທຶກວ່າຖືກສົ່ງຄືນແລ້ວ (ວັນທີ {date}); "
        "ແຖວນີ້ຖືກກັກໄວ້.",
    ),
    "payroll_returned_cancelled": (
        "Row {row}: the payment {reference} was cancelled; it cannot come back; the row is held.",
        "ແຖວ {row}: ການເບີກຈ່າຍ {reference} ໄດ້ຍົກເລີກແລ້ວ, ບໍ່ສາມາດສົ່ງຄືນໄດ້; ແຖວນີ້ຖືກກັກໄວ້.",
    ),
    "payroll_returned_repeated": (
        "Row {row}: the reference {reference} is already on row {first_row} of this file; the "
        "row is held.",
        "ແຖວ {row}: ເລກອ້າງອີງ {reference} ມີແລ້ວຢູ່ແຖວ {first_row} ຂອງໄຟລ໌ນີ້; ແຖວນີ້ຖືກກັກໄວ້.",
    ),
    # Paying a returned payment again.
    "payroll_line_not_returned": (
        "Only a payment the bank returned can be paid again; this one is {status}.",
        "ເບີກຈ່າຍຄືນໄດ້ສະເພາະເງິນທີ່ທະນາຄານສົ່ງຄືນເທົ່ານັ້ນ; ລາຍການນີ້ແມ່ນ {status}.",
    ),
    "payroll_bank_details_unchanged": (
        "These are the bank details the payment came back from; enter the corrected bank or "
        "account number first.",
        "ນີ້ແມ່ນຂໍ້ມູນທະນາຄານທີ່ເງິນຖືກສົ່ງຄືນມາ; ກະລຸນາປ້ອນທະນາຄານ ຫຼື ເລກບັນຊີທີ່ແກ້ໄຂແລ້ວກ່ອນ.",
    ),
    "payroll_beneficiary_dead": (
        "The beneficiary died on {date}; a returned payment is not paid to them again (the "
        "claims officer settles it with the estate).",
        "ຜູ້ເກີດສິດໄດ້ເສຍຊີວິດວັນທີ {date}; ເງິນທີ່ຖືກສົ່ງຄືນຈະບໍ່ເບີກຈ່າຍໃຫ້ອີກ (ເຈົ້າໜ້າທີ່ຈະແກ້ໄຂ"
        "ກັບຜູ້ສືບທອດມໍລະດົກ).",
    ),
}
