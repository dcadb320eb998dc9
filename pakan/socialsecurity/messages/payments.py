"""Messages (English, Lao) of the fund's payments, merged into validation.MESSAGES.

Every code starts with `payment_`, `statement_`, `surcharge_` or `instalment_` so it cannot
clash with another part's table. Lao terms from the glossary: ການຈ່າຍເງິນ (payment),
ໃບແຈ້ງໜີ້ (invoice), ໜີ້ຄ້າງ (arrears), ໃບແຈ້ງຍອດບັນຊີທະນາຄານ (bank statement),
ຈ່າຍເປັນງວດ (instalments), ເງິນປັບໃໝ (surcharge, fine).
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "payment_amount_not_whole": ("The amount must be a whole number of kip.",
                                 "ຈຳນວນເງິນຕ້ອງແມ່ນຈຳນວນກີບເຕັມ."),
    "payment_amount_not_positive": ("The amount must be more than 0 kip.",
                                    "ຈຳນວນເງິນຕ້ອງຫຼາຍກວ່າ 0 ກີບ."),
    "payment_amount_absurd": ("An amount above {limit} kip is not believable; check the figure.",
                              "ຈຳນວນເງິນເກີນ {limit} ກີບ ບໍ່ໜ້າເຊື່ອ; ກະລຸນາກວດຄືນ."),
    "payment_bad_method": ("Unknown payment method; it must be bank_transfer, cash, cheque or "
                           "mobile_money.",
                           "ວິທີຈ່າຍເງິນບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນ bank_transfer, cash, cheque ຫຼື "
                           "mobile_money."),
    "payment_two_payers": ("A payment has one payer: an employer or an insured person, not both.",
                           "ການຈ່າຍເງິນມີຜູ້ຈ່າຍຄົນດຽວ: ຜູ້ໃຊ້ແຮງງານ ຫຼື ຜູ້ປະກັນຕົນ, ບໍ່ແມ່ນທັງສອງ."),
    "payment_no_payer": ("Say who paid: an employer or an insured person.",
                         "ກະລຸນາລະບຸຜູ້ຈ່າຍ: ຜູ້ໃຊ້ແຮງງານ ຫຼື ຜູ້ປະກັນຕົນ."),
    "payment_bank_reference_taken": (
        "This bank transaction ({bank} {bank_reference}) is already recorded as a payment.",
        "ທຸລະກຳທະນາຄານນີ້ ({bank} {bank_reference}) ໄດ້ບັນທຶກເປັນການຈ່າຍເງິນແລ້ວ."),
    "payment_bank_needed": ("Give the bank when you give a bank reference.",
                            "ກະລຸນາລະບຸທະນາຄານ ເມື່ອໃສ່ເລກອ້າງອີງທະນາຄານ."),
    "payment_not_unidentified": ("Only a payment held as unidentified can be assigned.",
                                 "ມອບໝາຍໄດ້ສະເພາະການຈ່າຍເງິນທີ່ຍັງບໍ່ຮູ້ຜູ້ຈ່າຍເທົ່ານັ້ນ."),
    "payment_already_reversed": ("This payment is already reversed.",
                                 "ການຈ່າຍເງິນນີ້ຖືກຍົກເລີກແລ້ວ."),
    "payment_unidentified_not_reversible": (
        "An unidentified payment cannot be reversed; assign it to its payer first.",
        "ການຈ່າຍເງິນທີ່ບໍ່ຮູ້ຜູ້ຈ່າຍ ບໍ່ສາມາດຍົກເລີກໄດ້; ກະລຸນາມອບໝາຍໃຫ້ຜູ້ຈ່າຍກ່ອນ."),
    "payment_reason_needed": ("Give the reason (for example: cheque returned unpaid).",
                              "ກະລຸນາໃສ່ເຫດຜົນ (ຕົວຢ່າງ: ເຊັກບໍ່ມີເງິນ)."),
    "payment_before_received": ("The date is before the payment was received ({received}).",
                                "ວັນທີນີ້ກ່ອນວັນທີໄດ້ຮັບເງິນ ({received})."),
    "payment_national_only": (
        "Only staff working for the whole country may do this: bank statements and unidentified "
        "payments belong to no province.",
        "ສະເພາະພະນັກງານລະດັບສູນກາງເທົ່ານັ້ນທີ່ເຮັດໄດ້: ໃບແຈ້ງຍອດທະນາຄານ ແລະ "
        "ເງິນທີ່ບໍ່ຮູ້ຜູ້ຈ່າຍ ບໍ່ຂຶ້ນກັບແຂວງໃດ."),
    "statement_already_imported": (
        "This bank statement file was already imported on {imported} as '{file_name}' "
        "({lines} payments). Nothing was posted again.",
        "ໄຟລ໌ໃບແຈ້ງຍອດທະນາຄານນີ້ໄດ້ນຳເຂົ້າແລ້ວ ໃນວັນທີ {imported} ຊື່ '{file_name}' "
        "({lines} ລາຍການ). ບໍ່ໄດ້ບັນທຶກຊ້ຳ."),
    "statement_refused": (
        "The bank statement has {count} errors; nothing was imported. Correct the lines below "
        "and import the file again.",
        "ໃບແຈ້ງຍອດທະນາຄານມີ {count} ຂໍ້ຜິດພາດ; ບໍ່ໄດ້ນຳເຂົ້າຫຍັງເລີຍ. ກະລຸນາແກ້ໄຂແຖວລຸ່ມນີ້ "
        "ແລ້ວນຳເຂົ້າໄຟລ໌ອີກຄັ້ງ."),
    "statement_bank_needed": ("Say which bank the statement comes from.",
                              "ກະລຸນາລະບຸທະນາຄານຂອງໃບແຈ້ງຍອດ."),
    "surcharge_bad_month": ("Give the month as its first day.",
                            "ກະລຸນາລະບຸເດືອນເປັນວັນທີ 1 ຂອງເດືອນ."),
    "surcharge_month_not_over": ("The month is not over yet (it ends on {end}).",
                                 "ເດືອນນີ້ຍັງບໍ່ທັນສິ້ນສຸດ (ສິ້ນສຸດວັນທີ {end})."),
    "instalment_no_invoices": ("Choose at least one open invoice.",
                               "ກະລຸນາເລືອກໃບແຈ້ງໜີ້ທີ່ຍັງບໍ່ທັນຈ່າຍຢ່າງໜ້ອຍໜຶ່ງໃບ."),
    "instalment_invoice_not_open": (
        "Invoice {number} is not an open invoice of this employer.",
        "ໃບແຈ້ງໜີ້ {number} ບໍ່ແມ່ນໃບແຈ້ງໜີ້ທີ່ຍັງຄ້າງຂອງຜູ້ໃຊ້ແຮງງານນີ້."),
    "instalment_invoice_covered": (
        "Invoice {number} is already in an active instalment agreement.",
        "ໃບແຈ້ງໜີ້ {number} ຢູ່ໃນສັນຍາຈ່າຍເປັນງວດທີ່ຍັງມີຜົນແລ້ວ."),
    "instalment_bad_count": ("The number of instalments must be between 1 and {limit}.",
                             "ຈຳນວນງວດຕ້ອງຢູ່ລະຫວ່າງ 1 ຫາ {limit}."),
    "instalment_too_many_for_amount": (
        "{total} kip cannot be split into {count} instalments of at least 1 kip.",
        "{total} ກີບ ບໍ່ສາມາດແບ່ງເປັນ {count} ງວດ ທີ່ແຕ່ລະງວດຢ່າງໜ້ອຍ 1 ກີບ."),
    "instalment_first_due_past": ("The first instalment cannot fall due before the agreement.",
                                  "ງວດທຳອິດບໍ່ສາມາດຄົບກຳນົດກ່ອນວັນເຮັດສັນຍາ."),
}

# Row-level messages of a bank statement file, registered in pakan.tabular's catalogue (the
# upload page and the error report read them there), as (English, Lao).
STATEMENT_ROW_MESSAGES: dict[str, tuple[str, str]] = {
    "statement_date_missing": ("Line {line}: the date is missing.",
                               "ແຖວ {line}: ບໍ່ມີວັນທີ."),
    "statement_bad_date": ("Line {line}: '{shown}' is not a date in the form YYYY-MM-DD.",
                           "ແຖວ {line}: '{shown}' ບໍ່ແມ່ນວັນທີ ຮູບແບບ ປປປປ-ດດ-ວວ."),
    "statement_future_date": ("Line {line}: the date {shown} is in the future.",
                              "ແຖວ {line}: ວັນທີ {shown} ຢູ່ໃນອະນາຄົດ."),
    "statement_amount_missing": ("Line {line}: the amount is missing.",
                                 "ແຖວ {line}: ບໍ່ມີຈຳນວນເງິນ."),
    "statement_bad_amount": (
        "Line {line}: '{shown}' is not a whole number of kip (digits, optionally with "
        "thousands separators).",
        "ແຖວ {line}: '{shown}' ບໍ່ແມ່ນຈຳນວນກີບເຕັມ (ຕົວເລກ, ອາດມີເຄື່ອງໝາຍຂັ້ນຫຼັກພັນ)."),
    "statement_negative_amount": (
        "Line {line}: the amount {shown} is negative or zero; a statement of receipts lists "
        "money received only.",
        "ແຖວ {line}: ຈຳນວນເງິນ {shown} ຕິດລົບ ຫຼື ເປັນສູນ; ໃບແຈ້ງຍອດການຮັບເງິນ "
        "ມີແຕ່ເງິນທີ່ໄດ້ຮັບເທົ່ານັ້ນ."),
    "statement_absurd_amount": ("Line {line}: {shown} kip is not believable; check the figure.",
                                "ແຖວ {line}: {shown} ກີບ ບໍ່ໜ້າເຊື່ອ; ກະລຸນາກວດຄືນ."),
    "statement_bank_reference_missing": (
        "Line {line}: the bank transaction reference is missing.",
        "ແຖວ {line}: ບໍ່ມີເລກອ້າງອີງທຸລະກຳຂອງທະນາຄານ."),
    "statement_bank_reference_repeated": (
        "Line {line}: bank reference '{shown}' is also on line {first_line}.",
        "ແຖວ {line}: ເລກອ້າງອີງທະນາຄານ '{shown}' ຊ້ຳກັບແຖວ {first_line}."),
    "statement_too_long": ("Line {line}: longer than {limit} characters.",
                           "ແຖວ {line}: ຍາວເກີນ {limit} ຕົວອັກສອນ."),
}
