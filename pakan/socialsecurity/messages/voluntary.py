"""Messages (English, Lao) of the fund's voluntary members, merged into validation.MESSAGES.

Lao terms from the glossary: ສະມາຊິກພາກສະໝັກໃຈ (voluntary member), ລາຍຮັບ (income),
ຂັ້ນລາຍຮັບ (income class), ໜີ້ຄ້າງ (arrears)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "voluntary_bad_income_class": (
        "The declared income {income} kip is not an income class of {month}; choose one of: "
        "{classes} kip.",
        "ລາຍຮັບທີ່ແຈ້ງ {income} ກີບ ບໍ່ແມ່ນຂັ້ນລາຍຮັບຂອງເດືອນ {month}; ໃຫ້ເລືອກໜຶ່ງໃນ: "
        "{classes} ກີບ."),
    "voluntary_income_not_integer": (
        "The declared income must be a whole number of kip.",
        "ລາຍຮັບທີ່ແຈ້ງຕ້ອງແມ່ນຈຳນວນກີບເຕັມ."),
    "voluntary_bad_occupation": (
        "Unknown occupation; it must be self_employed, informal_worker, former_employee or "
        "other.",
        "ອາຊີບບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນ self_employed, informal_worker, former_employee ຫຼື other."),
    "voluntary_no_rules": (
        "No voluntary contribution rules are in force on {date}.",
        "ບໍ່ມີລະບຽບການເງິນສົມທົບພາກສະໝັກໃຈ ທີ່ມີຜົນບັງຄັບໃຊ້ໃນວັນທີ {date}."),
    "voluntary_already_enrolled": (
        "This insured person already has an open voluntary enrolment ({status}).",
        "ຜູ້ປະກັນຕົນນີ້ມີການລົງທະບຽນພາກສະໝັກໃຈທີ່ຍັງເປີດຢູ່ແລ້ວ ({status})."),
    "voluntary_membership_open": (
        "This insured person is a member in another category from {start}; end that "
        "membership before enrolling as a voluntary member.",
        "ຜູ້ປະກັນຕົນນີ້ເປັນສະມາຊິກປະເພດອື່ນແຕ່ວັນທີ {start}; ໃຫ້ສິ້ນສຸດການເປັນສະມາຊິກນັ້ນ"
        "ກ່ອນລົງທະບຽນເປັນສະມາຊິກພາກສະໝັກໃຈ."),
    "voluntary_too_old": (
        "Older than {years} on that date: the voluntary scheme is for ages {minimum} to {years}.",
        "ອາຍຸເກີນ {years} ປີ ໃນວັນທີນັ້ນ: ລະບົບພາກສະໝັກໃຈແມ່ນສຳລັບອາຍຸ {minimum} ຫາ {years} ປີ."),
    "voluntary_not_active": (
        "The voluntary enrolment is {status}, not active.",
        "ການລົງທະບຽນພາກສະໝັກໃຈມີສະຖານະ {status_lo}, ບໍ່ແມ່ນ ເຄື່ອນໄຫວ."),
    "voluntary_not_lapsed": (
        "Only a lapsed enrolment can be reinstated; this one is {status}.",
        "ສາມາດຟື້ນຟູໄດ້ສະເພາະການລົງທະບຽນທີ່ຂາດສິດແລ້ວ; ອັນນີ້ມີສະຖານະ {status_lo}."),
    "voluntary_arrears_unpaid": (
        "Reinstatement needs the arrears paid first: {arrears} kip is still owed.",
        "ການຟື້ນຟູຕ້ອງຈ່າຍໜີ້ຄ້າງກ່ອນ: ຍັງຄ້າງຢູ່ {arrears} ກີບ."),
    "voluntary_before_lapse": (
        "The date is before the end of the lapsed membership ({ended}).",
        "ວັນທີນີ້ກ່ອນວັນສິ້ນສຸດການເປັນສະມາຊິກທີ່ຂາດສິດ ({ended})."),
    "voluntary_not_month_start": (
        "An income class changes from the first day of a month.",
        "ຂັ້ນລາຍຮັບປ່ຽນໄດ້ແຕ່ວັນທີ 1 ຂອງເດືອນ."),
    "voluntary_change_before_start": (
        "The change is before the enrolment's first month ({start}) or its last change "
        "({last}).",
        "ການປ່ຽນນີ້ກ່ອນເດືອນທຳອິດຂອງການລົງທະບຽນ ({start}) ຫຼື ການປ່ຽນຄັ້ງສຸດທ້າຍ ({last})."),
    "voluntary_month_billed": (
        "{month} is already billed at the old class; the change can start from {next} at the "
        "earliest.",
        "ເດືອນ {month} ໄດ້ອອກໃບແຈ້ງໜີ້ຕາມຂັ້ນເກົ່າແລ້ວ; ການປ່ຽນເລີ່ມໄດ້ແຕ່ເດືອນ {next} ເປັນຕົ້ນໄປ."),
    "voluntary_same_income": (
        "The member already declares {income} kip.",
        "ສະມາຊິກແຈ້ງລາຍຮັບ {income} ກີບ ຢູ່ແລ້ວ."),
    "voluntary_not_own_member": (
        "This account may pay only its own contributions.",
        "ບັນຊີນີ້ຈ່າຍໄດ້ສະເພາະເງິນສົມທົບຂອງຕົນເອງ."),
}
