"""Messages (English, Lao) of the fund's pages, portal and API, merged into
validation.MESSAGES. Codes start with "portal_".

Lao terms from the project glossary: ເລກທະບຽນ (registration number), ລະຫັດປະກັນສັງຄົມ (social
security number), ຈຳນວນເງິນ (amount), ກີບ (kip), ເດືອນ (month), ໄຟລ໌ (file, as in the jobs pages).
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "portal_unknown_payer": (
        "No employer with this NSSF registration number and no insured person with this "
        "social security number in your area.",
        "ບໍ່ພົບຜູ້ໃຊ້ແຮງງານທີ່ມີເລກທະບຽນນີ້ ຫຼື ຜູ້ປະກັນຕົນທີ່ມີລະຫັດປະກັນສັງຄົມນີ້ ໃນເຂດຂອງທ່ານ."),
    "portal_bad_amount": (
        "The amount must be a whole number of kip.",
        "ຈຳນວນເງິນຕ້ອງແມ່ນຈຳນວນກີບເຕັມ."),
    "portal_bad_month": (
        "The month must be written YYYY-MM.",
        "ເດືອນຕ້ອງຂຽນເປັນ YYYY-MM."),
    "portal_no_workers": (
        "Give the wage of at least one worker.",
        "ກະລຸນາໃສ່ເງິນເດືອນຂອງແຮງງານຢ່າງໜ້ອຍໜຶ່ງຄົນ."),
    "portal_may_not_bill": (
        "Only a national account may start the billing of a month.",
        "ມີແຕ່ບັນຊີລະດັບສູນກາງເທົ່ານັ້ນທີ່ສາມາດເລີ່ມອອກໃບແຈ້ງໜີ້ຂອງເດືອນໄດ້."),
    "portal_unknown_member": (
        "No insured person with this social security number in your area.",
        "ບໍ່ພົບຜູ້ປະກັນຕົນທີ່ມີລະຫັດປະກັນສັງຄົມນີ້ ໃນເຂດຂອງທ່ານ."),
    "portal_pay_at_office": (
        "Paying here is not available yet: pay at the fund's office or by bank transfer, "
        "quoting your invoice number.",
        "ຍັງບໍ່ສາມາດຈ່າຍຢູ່ບ່ອນນີ້ໄດ້: ກະລຸນາຈ່າຍຢູ່ຫ້ອງການກອງທຶນ ຫຼື ໂອນຜ່ານທະນາຄານ "
        "ໂດຍອ້າງອີງເລກໃບແຈ້ງໜີ້."),
}
