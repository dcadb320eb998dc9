"""Messages (English, Lao) of the fund's compliance work and inspections, merged into
validation.MESSAGES.

Lao terms from the glossary: ການກວດກາ (inspection), ຜູ້ໃຊ້ແຮງງານ (employer), ວິສາຫະກິດ
(enterprise), ເງິນເດືອນປະກັນຕົນ (insurable wage), ຜູ້ປະກັນຕົນ (insured person)."""

STATUS_LO = {"planned": "ວາງແຜນແລ້ວ", "visited": "ລົງກວດແລ້ວ", "assessed": "ປະເມີນແລ້ວ",
             "closed": "ປິດແລ້ວ"}

MESSAGES: dict[str, tuple[str, str]] = {
    "inspection_bad_transition": (
        "An inspection that is {current} cannot become {requested}.",
        "ການກວດກາທີ່ມີສະຖານະ {current_lo} ບໍ່ສາມາດປ່ຽນເປັນ {requested_lo}."),
    "inspection_bad_top_n": (
        "The number of enterprises to inspect must be a whole number from 1 to {limit}.",
        "ຈຳນວນວິສາຫະກິດທີ່ຈະກວດກາ ຕ້ອງແມ່ນຈຳນວນເຕັມແຕ່ 1 ຫາ {limit}."),
    "inspection_bad_period": (
        "The plan's period must end on or after its start.",
        "ໄລຍະຂອງແຜນຕ້ອງສິ້ນສຸດໃນ ຫຼື ຫຼັງວັນເລີ່ມຕົ້ນ."),
    "inspection_no_candidates": (
        "No active employer in this place has a risk score and is due for inspection; "
        "compute the risk scores first.",
        "ບໍ່ມີຜູ້ໃຊ້ແຮງງານທີ່ເຄື່ອນໄຫວຢູ່ໃນສະຖານທີ່ນີ້ ທີ່ມີຄະແນນຄວາມສ່ຽງ ແລະ ຮອດກຳນົດກວດກາ; "
        "ໃຫ້ຄິດໄລ່ຄະແນນຄວາມສ່ຽງກ່ອນ."),
    "inspection_before_planned": (
        "The visit date is before the date the inspection was planned ({planned}).",
        "ວັນລົງກວດກ່ອນວັນທີ່ວາງແຜນການກວດກາ ({planned})."),
    "inspection_before_last_change": (
        "The date is before the case's last status change ({last}).",
        "ວັນທີນີ້ກ່ອນການປ່ຽນສະຖານະຄັ້ງສຸດທ້າຍຂອງການກວດການີ້ ({last})."),
    "inspection_bad_kind": (
        "Unknown finding; it must be undeclared_worker or under_declared_wage.",
        "ບໍ່ຮູ້ຈັກປະເພດຜົນການກວດ; ຕ້ອງແມ່ນ undeclared_worker ຫຼື under_declared_wage."),
    "inspection_worker_required": (
        "Name the worker: an insured person, or a registered person who is not yet one.",
        "ໃຫ້ລະບຸແຮງງານ: ຜູ້ປະກັນຕົນ ຫຼື ບຸກຄົນທີ່ລົງທະບຽນແລ້ວ ແຕ່ຍັງບໍ່ເປັນຜູ້ປະກັນຕົນ."),
    "inspection_member_required": (
        "An under-declared wage is about an insured person; name the member.",
        "ເງິນເດືອນທີ່ແຈ້ງຕ່ຳກວ່າຕົວຈິງ ແມ່ນກ່ຽວກັບຜູ້ປະກັນຕົນ; ໃຫ້ລະບຸຜູ້ປະກັນຕົນ."),
    "inspection_person_mismatch": (
        "The person and the insured person given are not the same person.",
        "ບຸກຄົນ ແລະ ຜູ້ປະກັນຕົນທີ່ໃຫ້ມາ ບໍ່ແມ່ນຄົນດຽວກັນ."),
    "inspection_not_month_start": (
        "A month is given as its first day.",
        "ເດືອນຕ້ອງໃຫ້ເປັນວັນທີ 1 ຂອງເດືອນ."),
    "inspection_month_after_visit": (
        "The months found must end by the month of the visit ({visit}).",
        "ເດືອນທີ່ພົບຕ້ອງສິ້ນສຸດບໍ່ເກີນເດືອນທີ່ລົງກວດ ({visit})."),
    "inspection_too_many_months": (
        "A finding covers at most {limit} months.",
        "ຜົນການກວດໜຶ່ງກວມເອົາໄດ້ບໍ່ເກີນ {limit} ເດືອນ."),
    "inspection_wage_not_above": (
        "The actual wage must be above the declared wage.",
        "ເງິນເດືອນຕົວຈິງຕ້ອງສູງກວ່າເງິນເດືອນທີ່ແຈ້ງ."),
    "inspection_finding_overlap": (
        "This worker already has a finding for some of these months in this inspection.",
        "ແຮງງານຄົນນີ້ມີຜົນການກວດໃນບາງເດືອນເຫຼົ່ານີ້ຢູ່ແລ້ວ ໃນການກວດການີ້."),
    "inspection_no_rules": (
        "No contribution rules are in force for {month}: {reason}",
        "ບໍ່ມີລະບຽບການເງິນສົມທົບສຳລັບເດືອນ {month}: {reason_lo}"),
    "inspection_worker_not_member": (
        "Enrol these workers as insured persons before assessing, so their contributions are "
        "recorded: {people}.",
        "ໃຫ້ລົງທະບຽນແຮງງານເຫຼົ່ານີ້ເປັນຜູ້ປະກັນຕົນກ່ອນການປະເມີນ ເພື່ອບັນທຶກເງິນສົມທົບ: {people}."),
    "inspection_findings_open": (
        "This inspection has findings: assess it before closing.",
        "ການກວດການີ້ມີຜົນການກວດ: ໃຫ້ປະເມີນກ່ອນປິດ."),
    "inspection_findings_closed": (
        "Findings are recorded after the visit and before the assessment; this inspection is "
        "{current}.",
        "ຜົນການກວດບັນທຶກໄດ້ຫຼັງການລົງກວດ ແລະ ກ່ອນການປະເມີນ; ການກວດການີ້ມີສະຖານະ {current_lo}."),
    "inspection_no_findings": (
        "There are no findings to assess; close the inspection instead.",
        "ບໍ່ມີຜົນການກວດທີ່ຈະປະເມີນ; ໃຫ້ປິດການກວດກາແທນ."),
    "inspection_employer_not_active": (
        "The employer is not active.",
        "ຜູ້ໃຊ້ແຮງງານບໍ່ໄດ້ເຄື່ອນໄຫວ."),
}
