"""Messages (English, Lao) of the benefit estimator; merged into
pakan.benefits.validation.MESSAGES. Codes start with "estimate_".

Errors (`estimate_bad_*`, ...) name the parameter at fault; notes (`estimate_note_*`) are the
plain sentences shown beside an estimate.

Lao terms from the glossary: ເງິນສົມທົບ (contribution), ຖອກເງິນສົມທົບ (pay contributions),
ເງິນເດືອນປະກັນຕົນ (insurable wage), ຜູ້ປະກັນຕົນ (insured person), ຜູ້ໃຊ້ແຮງງານ (employer),
ເງິນອຸດໜູນບຳນານ (old-age pension), ເງິນອຸດໜູນປ່ວຍການ (sickness benefit), ເງິນອຸດໜູນອອກລູກ
(maternity benefit), ການອອກລູກ (childbirth), ເງິນບຳເນັດ (lump sum), ເດືອນ (month), ປີ (year),
ວັນທີ (date), ກີບ (kip), ຕ້ອງຕື່ມຄ່າ (required field). Own wording (not in the glossary):
ການຄາດຄະເນ (estimate), ກໍລະນີ (scenario), ອອກບຳນານ (retire), ເຈັບປ່ວຍ (fall ill), ມື້ (day),
ອາຍຸ (age), ລູກແຝດ (twins), ຊົ່ວຄາວ (provisional), ຍັງບໍ່ໄດ້ຈ່າຍ (not yet paid), ສືບຕໍ່ (continue),
ເສຍຊີວິດ (died).
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- errors in the scenario's parameters ---------------------------------------------------
    "estimate_unknown_scenario": (
        "Unknown scenario \"{value}\": choose retire, sickness or maternity.",
        "ບໍ່ຮູ້ຈັກກໍລະນີ \"{value}\": ເລືອກ retire (ອອກບຳນານ), sickness (ເຈັບປ່ວຍ) "
        "ຫຼື maternity (ການອອກລູກ)."),
    "estimate_required": (
        "{name} is required for this scenario.",
        "{name}: ຕ້ອງຕື່ມຄ່າ ສຳລັບກໍລະນີນີ້."),
    "estimate_bad_age": (
        "The age must be a whole number of years from {minimum} to {maximum}, not \"{value}\".",
        "ອາຍຸຕ້ອງເປັນຈຳນວນປີເຕັມ ແຕ່ {minimum} ຫາ {maximum} ປີ, ບໍ່ແມ່ນ \"{value}\"."),
    "estimate_bad_days": (
        "The number of days of illness must be a whole number from 1 to {maximum}, "
        "not \"{value}\".",
        "ຈຳນວນມື້ເຈັບປ່ວຍຕ້ອງເປັນຈຳນວນເຕັມ ແຕ່ 1 ຫາ {maximum} ມື້, ບໍ່ແມ່ນ \"{value}\"."),
    "estimate_bad_children": (
        "The number of children born must be a whole number from 1 to {maximum}, "
        "not \"{value}\".",
        "ຈຳນວນລູກທີ່ເກີດຕ້ອງເປັນຈຳນວນເຕັມ ແຕ່ 1 ຫາ {maximum}, ບໍ່ແມ່ນ \"{value}\"."),
    "estimate_bad_yes_no": (
        "{name} must be yes or no, not \"{value}\".",
        "{name} ຕ້ອງແມ່ນ yes (ແມ່ນ) ຫຼື no (ບໍ່ແມ່ນ), ບໍ່ແມ່ນ \"{value}\"."),
    "estimate_bad_date": (
        "The date must be written YYYY-MM-DD, from today ({today}) to {latest}, "
        "not \"{value}\".",
        "ວັນທີຕ້ອງຂຽນເປັນ ປປປປ-ດດ-ວວ, ແຕ່ມື້ນີ້ ({today}) ຫາ {latest}, ບໍ່ແມ່ນ \"{value}\"."),
    "estimate_member_dead": (
        "This insured person died on {date}: estimates are made for living members only.",
        "ຜູ້ປະກັນຕົນຄົນນີ້ເສຍຊີວິດແລ້ວ ວັນທີ {date}: ການຄາດຄະເນແມ່ນສຳລັບສະມາຊິກທີ່ມີຊີວິດເທົ່ານັ້ນ."),
    "estimate_rules_refused": (
        "The benefit rules cannot assess this: {english}",
        "ກົດລະບຽບເງິນອຸດໜູນບໍ່ສາມາດຄິດໄລ່ໄດ້: {lao}"),
    # --- notes shown beside an estimate ----------------------------------------------------------
    "estimate_note_continues": (
        "This estimate assumes you keep contributing at your current insurable wage of {wage} "
        "kip a month from {first} until {last} ({months} more months), as your record shows "
        "today.",
        "ການຄາດຄະເນນີ້ຖືວ່າທ່ານສືບຕໍ່ຖອກເງິນສົມທົບ ຕາມເງິນເດືອນປະກັນຕົນປັດຈຸບັນ {wage} ກີບ "
        "ຕໍ່ເດືອນ ແຕ່ {first} ຫາ {last} (ອີກ {months} ເດືອນ)."),
    "estimate_note_nothing_to_continue": (
        "The event is before any month still to be contributed: your record as it stands is "
        "counted.",
        "ເຫດການເກີດກ່ອນເດືອນທີ່ຍັງຈະຖອກເງິນສົມທົບ: ນັບຕາມບັນທຶກເງິນສົມທົບທີ່ມີຢູ່ປັດຈຸບັນ."),
    "estimate_note_not_contributing": (
        "You are not contributing now (no contribution in the last {months} months or no open "
        "membership): the estimate counts your record as it stands.",
        "ປັດຈຸບັນທ່ານບໍ່ໄດ້ຖອກເງິນສົມທົບ (ບໍ່ມີເງິນສົມທົບໃນ {months} ເດືອນຜ່ານມາ ຫຼື ບໍ່ເປັນ"
        "ສະມາຊິກແລ້ວ): ການຄາດຄະເນນັບຕາມບັນທຶກທີ່ມີຢູ່."),
    "estimate_note_no_record": (
        "No contribution month is recorded for you yet.",
        "ຍັງບໍ່ມີເດືອນໃດທີ່ບັນທຶກເງິນສົມທົບຂອງທ່ານ."),
    "estimate_note_past_age": (
        "You are already past {age}: the estimate is for retiring today, {date}.",
        "ທ່ານມີອາຍຸເກີນ {age} ປີແລ້ວ: ການຄາດຄະເນແມ່ນສຳລັບການອອກບຳນານມື້ນີ້, {date}."),
    "estimate_note_unpaid_by_employer": (
        "{months} month(s) your employer has not yet paid are counted: the employer's debt "
        "does not cost you your benefit.",
        "ນັບ {months} ເດືອນທີ່ຜູ້ໃຊ້ແຮງງານຍັງບໍ່ໄດ້ຈ່າຍເງິນສົມທົບ: ໜີ້ຂອງຜູ້ໃຊ້ແຮງງານ"
        "ບໍ່ເຮັດໃຫ້ທ່ານເສຍສິດ."),
    "estimate_note_provisional": (
        "Some values used are provisional (the law's figure was not found): the amount may "
        "change.",
        "ບາງຄ່າທີ່ໃຊ້ແມ່ນຊົ່ວຄາວ (ບໍ່ພົບຕົວເລກໃນກົດໝາຍ): ຈຳນວນເງິນອາດປ່ຽນແປງ."),
    "estimate_note_spouse_birth": (
        "For an insured man, the maternity estimate is the grant for his wife's childbirth.",
        "ສຳລັບຜູ້ປະກັນຕົນເພດຊາຍ, ການຄາດຄະເນແມ່ນເງິນບຳເນັດການອອກລູກຂອງພັນລະຍາ."),
    "estimate_note_not_binding": (
        "An estimate is not a decision: the fund decides a claim on the record at that time.",
        "ການຄາດຄະເນບໍ່ແມ່ນການຕັດສິນ: ກອງທຶນຕັດສິນຕາມບັນທຶກໃນເວລາຍື່ນຄຳຮ້ອງ."),
}
