"""Words the explanations use, in English and Lao.

Lao terms come from shared/domain/glossary-lo-en.csv where it has them: ເງິນອຸດໜູນບຳນານ
(old-age pension), ເງິນເດືອນປະກັນຕົນ (insured salary) and ເງິນເດືອນປະກັນຕົນສະເລ່ຍ (its
average), ເງື່ອນໄຂການເກີດສິດ (qualifying conditions), ປີການ (service years), ເງິນບຳເນັດ (lump
sum / grant), ກະສຽນອາຍຸ (pensionable age), ຜູ້ເກີດສິດ (entitled person), ເງິນສົມທົບ
(contribution), the branch names, ອຸປະຕິເຫດແຮງງານ, ພະຍາດອາຊີບ, ຫຼຸລູກ, ການອອກລູກ, ເພດຊາຍ,
ເພດຍິງ, ເດືອນ, ປີ, ກີບ, ວັນທີ. Every sentence around them is own wording (the glossary has
no sentences), and so are the words marked "own wording" below.
"""

from __future__ import annotations

import numpy as np

BRANCH_NAMES: dict[str, tuple[str, str]] = {
    "old_age": ("Old-age pension", "ເງິນອຸດໜູນບຳນານ"),
    "invalidity": ("Invalidity benefit", "ເງິນອຸດໜູນເສຍກຳລັງແຮງງານ ຫຼື ເສຍອົງຄະ"),
    "survivors": ("Survivors' benefit", "ການອຸດໜູນສະມາຊິກຄອບຄົວ"),
    "funeral": ("Funeral grant", "ເງິນອຸດໜູນຊາປະນະກິດສົບ"),
    "sickness": ("Sickness benefit", "ເງິນອຸດໜູນປ່ວຍການ"),
    "maternity": ("Maternity benefit", "ເງິນອຸດໜູນອອກລູກ"),
    # composed from the glossary's ເງິນອຸດໜູນ + ອຸປະຕິເຫດແຮງງານ (own wording)
    "employment_injury": ("Employment injury benefit", "ເງິນອຸດໜູນອຸປະຕິເຫດແຮງງານ"),
    "unemployment": ("Unemployment benefit", "ເງິນອຸດໜູນວ່າງງານ"),
}

# own wording for the Lao titles of the texts (ດຳລັດ = decree, ສພຊ = National Assembly)
REGIMES: dict[str, tuple[str, str]] = {
    "decree_207_1999": (
        "Decree 207/PM of 23 Dec 1999 (enterprise scheme, SSO)",
        "ດຳລັດ ເລກທີ 207/ນຍ ລົງວັນທີ 23/12/1999 (ລະບົບປະກັນສັງຄົມວິສາຫະກິດ)",
    ),
    "law_2013": (
        "Law on Social Security No. 34/NA of 26 Jul 2013, amended 2018",
        "ກົດໝາຍວ່າດ້ວຍການປະກັນສັງຄົມ ເລກທີ 34/ສພຊ ລົງວັນທີ 26/07/2013, ສະບັບປັບປຸງ 2018",
    ),
    "decree_2025": (
        "Law on Social Security with the decree amending Arts. 34 and 38 (in force 2 Jun 2025)",
        "ກົດໝາຍວ່າດ້ວຍການປະກັນສັງຄົມ ແລະ ດຳລັດປັບປຸງມາດຕາ 34 ແລະ 38 (ມີຜົນ 02/06/2025)",
    ),
    "": ("no rules encoded for this date", "ບໍ່ມີລະບຽບການສຳລັບວັນທີນີ້"),
}

REFUSALS: dict[str, tuple[str, str]] = {
    "not_insured": (
        "Not insured: no contribution month counts before the event.",
        "ບໍ່ໄດ້ເປັນຜູ້ປະກັນຕົນ: ບໍ່ມີເດືອນທີ່ຖອກເງິນສົມທົບ ກ່ອນເກີດເຫດ.",
    ),
    "not_enough_contributions": (
        "Not enough months of contributions.",
        "ເດືອນທີ່ຖອກເງິນສົມທົບ ບໍ່ພຽງພໍ.",
    ),
    "below_age": ("Below the age the benefit requires.", "ອາຍຸຍັງບໍ່ເຖິງເກນທີ່ກຳນົດ."),
    "not_a_dependant": (
        "Not a family member the law entitles.",
        "ບໍ່ແມ່ນສະມາຊິກຄອບຄົວທີ່ເປັນຜູ້ເກີດສິດຕາມກົດໝາຍ.",
    ),
    "event_not_covered": (
        "The event is not one this benefit covers.",
        "ເຫດການນີ້ ບໍ່ຢູ່ໃນຂອບເຂດຂອງເງິນອຸດໜູນນີ້.",
    ),
    "duration_exhausted": (
        "The longest period this benefit is paid for is already used.",
        "ໄລຍະເວລາສູງສຸດຂອງເງິນອຸດໜູນນີ້ ໄດ້ໃຊ້ໝົດແລ້ວ.",
    ),
    "no_rules_for_date": (
        "No rules of this benefit are encoded for this member category on the event's date; "
        "an officer must decide from the legal text.",
        "ບໍ່ມີລະບຽບການຂອງເງິນອຸດໜູນນີ້ ສຳລັບປະເພດສະມາຊິກນີ້ ໃນວັນທີເກີດເຫດ; "
        "ເຈົ້າໜ້າທີ່ຕ້ອງພິຈາລະນາຕາມກົດໝາຍ.",
    ),
}

SEX_WORDS = {"M": ("men", "ເພດຊາຍ"), "F": ("women", "ເພດຍິງ")}


def kip(amount: int | np.integer) -> str:
    return f"{int(amount):,}"


def date_text(value: np.datetime64) -> str:
    return "" if np.isnat(value) else str(value.astype("datetime64[D]"))


def reference_method(months: int) -> tuple[str, str]:
    """How the reference wage was made, in both languages."""
    if months == 1:
        return (
            "insured wage of the last counted month before the event",
            "ເງິນເດືອນປະກັນຕົນ ຂອງເດືອນສຸດທ້າຍທີ່ຖອກເງິນສົມທົບ ກ່ອນເກີດເຫດ",
        )
    return (
        f"average insured wage of the last {months} counted months before the event",
        f"ເງິນເດືອນປະກັນຕົນສະເລ່ຍ ຂອງ {months} ເດືອນສຸດທ້າຍທີ່ຖອກເງິນສົມທົບ ກ່ອນເກີດເຫດ",
    )


def met(condition: bool) -> tuple[str, str]:
    return ("met", "ຄົບ") if condition else ("not met", "ບໍ່ຄົບ")
