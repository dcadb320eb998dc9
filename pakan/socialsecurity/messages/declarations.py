"""Messages (English, Lao) of the fund's declarations, merged into validation.MESSAGES.

Codes start with "declaration_" so they cannot clash with another part's. Lao terms from the
project glossary: ການແຈ້ງເງິນສົມທົບ (declaration), ຄ່າແຮງງານຂັ້ນຕ່ຳ (minimum wage), ລວມ (total),
ເດືອນ (month), ຜູ້ໃຊ້ແຮງງານ (employer), ຜູ້ປະກັນຕົນ (insured person), ລະຫັດປະກັນສັງຄົມ (social
security number), ປິດ (closed), ຂຶ້ນທະບຽນ (register). "Correction" (ການແກ້ໄຂ) and "row" (ແຖວ) are
composed.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "declaration_unknown_member": (
        "No insured person has this social security number.",
        "ບໍ່ພົບຜູ້ປະກັນຕົນທີ່ມີລະຫັດປະກັນສັງຄົມນີ້."),
    "declaration_not_employed": (
        "This insured person is not employed by this employer in {month}.",
        "ຜູ້ປະກັນຕົນນີ້ບໍ່ໄດ້ເຮັດວຽກກັບຜູ້ໃຊ້ແຮງງານນີ້ໃນເດືອນ {month}."),
    "declaration_no_membership": (
        "This insured person is not a member of the fund in {month}.",
        "ຜູ້ປະກັນຕົນນີ້ບໍ່ໄດ້ເປັນສະມາຊິກຂອງກອງທຶນໃນເດືອນ {month}."),
    "declaration_voluntary_member": (
        "This insured person is a voluntary member in {month}; an employer cannot declare them.",
        "ຜູ້ປະກັນຕົນນີ້ເປັນສະມາຊິກແບບສະໝັກໃຈໃນເດືອນ {month}; ຜູ້ໃຊ້ແຮງງານບໍ່ສາມາດແຈ້ງໄດ້."),
    "declaration_wage_below_minimum": (
        "The wage is below the minimum wage of {month} ({minimum} kip).",
        "ເງິນເດືອນຕ່ຳກວ່າຄ່າແຮງງານຂັ້ນຕ່ຳ ຂອງເດືອນ {month} ({minimum} ກີບ)."),
    "declaration_duplicate_line": (
        "This insured person is already declared on row {first_row}.",
        "ຜູ້ປະກັນຕົນນີ້ໄດ້ແຈ້ງແລ້ວຢູ່ແຖວທີ {first_row}."),
    "declaration_month_already_declared": (
        "A declaration for {month} has already been accepted; send this one as a correction "
        "to replace it.",
        "ການແຈ້ງເງິນສົມທົບຂອງເດືອນ {month} ໄດ້ຮັບແລ້ວ; ຖ້າຈະປ່ຽນແທນ ໃຫ້ສົ່ງເປັນການແກ້ໄຂ."),
    "declaration_nothing_to_correct": (
        "There is no accepted declaration for {month} to correct.",
        "ບໍ່ມີການແຈ້ງເງິນສົມທົບຂອງເດືອນ {month} ທີ່ໄດ້ຮັບແລ້ວ ເພື່ອແກ້ໄຂ."),
    "declaration_month_in_future": (
        "{month} has not begun yet.",
        "ເດືອນ {month} ຍັງບໍ່ທັນມາເຖິງ."),
    "declaration_before_registration": (
        "{month} ends before the employer's registration ({registered}).",
        "ເດືອນ {month} ສິ້ນສຸດກ່ອນວັນຂຶ້ນທະບຽນຂອງຜູ້ໃຊ້ແຮງງານ ({registered})."),
    "declaration_employer_closed": (
        "The employer was closed on {closed}; it cannot declare a month that begins after "
        "its closure.",
        "ຜູ້ໃຊ້ແຮງງານໄດ້ປິດແລ້ວ ວັນທີ {closed}; ບໍ່ສາມາດແຈ້ງເດືອນທີ່ເລີ່ມຫຼັງການປິດໄດ້."),
    "declaration_total_mismatch": (
        "The totals row says {declared} kip but the lines add up to {computed} kip.",
        "ແຖວລວມແຈ້ງ {declared} ກີບ ແຕ່ລວມແຖວທັງໝົດໄດ້ {computed} ກີບ."),
    "declaration_total_not_last": (
        "The TOTAL row must be the last row of the declaration.",
        "ແຖວລວມ (TOTAL) ຕ້ອງແມ່ນແຖວສຸດທ້າຍຂອງການແຈ້ງເງິນສົມທົບ."),
    "declaration_no_lines": (
        "The declaration lists no worker.",
        "ການແຈ້ງເງິນສົມທົບນີ້ບໍ່ມີລາຍຊື່ຜູ້ອອກແຮງງານ."),
    "declaration_bad_channel": (
        "Unknown channel; it must be upload, form or api.",
        "ຊ່ອງທາງບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນ upload, form ຫຼື api."),
}
