"""Names of synthetic enterprises and public employers, in Lao and English.

A trade name is a Lao word of good omen or a family name (ພັດທະນາ "development", ຈະເລີນ
"prosperity", ສີສຸພັນ ...); its English form is romanise(Lao), so the two always agree. The kind
of business (shop, restaurant, company limited, factory ...) follows the sector and the size.
Public employers are named after the province or district they serve.
"""

from __future__ import annotations

import numpy as np

from pakan.synth.name_lists import FAMILY_NAMES
from pakan.synth.romanise import romanise

GOOD_WORDS: tuple[str, ...] = (
    "ພັດທະນາ", "ຈະເລີນ", "ມິດຕະພາບ", "ສີສະຫວັນ", "ດາວເຮືອງ", "ຄຳແສງ", "ແສງຕາເວັນ", "ໄຊສົມບູນ",
    "ລ້ານຊ້າງ", "ສາຍນ້ຳຂອງ", "ຈຳປາ", "ນາຄາ", "ພູສີ", "ສຸກສົມບູນ", "ໂຊກດີ", "ອຸດົມ", "ທອງຄຳ",
    "ຮຸ່ງເຮືອງ", "ວິໄລ", "ມະນີ", "ສີເມືອງ", "ດອກຈຳປາ", "ຈັນທະລາ", "ພອນສະຫວັນ", "ສົມບູນໄຊ",
)

# (Lao prefix, Lao suffix, English suffix) by kind of business.
COMPANY = ("ບໍລິສັດ", "ຈຳກັດ", "Co., Ltd.")
SHOP = ("ຮ້ານ", "", "Shop")
RESTAURANT = ("ຮ້ານອາຫານ", "", "Restaurant")
HOTEL = ("ໂຮງແຮມ", "", "Hotel")
GUESTHOUSE = ("ເຮືອນພັກ", "", "Guesthouse")
FACTORY = ("ໂຮງງານ", "", "Factory")
FARM = ("ຟາມ", "", "Farm")
SCHOOL = ("ໂຮງຮຽນເອກະຊົນ", "", "Private School")
CLINIC = ("ຄລີນິກ", "", "Clinic")
BANK = ("ທະນາຄານ", "", "Bank")
# Companies named by their trade: (Lao trade word, English trade word).
TRADE_WORDS: dict[str, tuple[str, str]] = {
    "F": ("ກໍ່ສ້າງ", "Construction"),
    "H": ("ຂົນສົ່ງ", "Transport"),
    "B": ("ບໍ່ແຮ່", "Mining"),
    "D": ("ພະລັງງານ", "Energy"),
    "K": ("ປະກັນໄພ", "Insurance"),
    "J": ("ໂທລະຄົມ", "Telecom"),
    "M": ("ທີ່ປຶກສາ", "Consulting"),
    "N": ("ບໍລິການ", "Services"),
    "E": ("ນ້ຳປະປາ", "Water Supply"),
    "L": ("ອະສັງຫາລິມະຊັບ", "Real Estate"),
    "C": ("ອຸດສາຫະກຳ", "Industry"),
    "G": ("ການຄ້າ", "Trading"),
    "A": ("ກະສິກຳ", "Agriculture"),
}
SMALL_KINDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "G": (SHOP,),
    "I": (RESTAURANT, RESTAURANT, GUESTHOUSE, HOTEL),
    "C": (FACTORY,),
    "A": (FARM,),
    "P": (SCHOOL,),
    "Q": (CLINIC,),
    "S": (SHOP,),
    "R": (SHOP,),
}


def _trade_name(rng: np.random.Generator) -> str:
    if rng.random() < 0.5:
        return str(GOOD_WORDS[rng.integers(len(GOOD_WORDS))])
    return str(FAMILY_NAMES[rng.integers(len(FAMILY_NAMES))])


def enterprise_name(rng: np.random.Generator, sector: str, workers: int) -> tuple[str, str]:
    """(Lao, English) name of a private enterprise of this sector and size."""
    core_lo = _trade_name(rng)
    core_en = romanise(core_lo)
    if sector == "K" and workers >= 100:
        prefix, suffix, english = BANK
        return f"{prefix}{core_lo}", f"{core_en} {english}"
    small = SMALL_KINDS.get(sector)
    if small and workers <= 50:
        prefix, suffix, english = small[rng.integers(len(small))]
        return f"{prefix} {core_lo}".strip(), f"{core_en} {english}"
    trade_lo, trade_en = TRADE_WORDS.get(sector, ("", ""))
    prefix, suffix, english = COMPANY
    lao = " ".join(part for part in (prefix, core_lo, trade_lo, suffix) if part)
    latin = " ".join(part for part in (core_en, trade_en, english) if part)
    return lao, latin


# Public employers: (sector, Lao pattern, English pattern); {lo}/{en} is the place's name.
CIVIL_PROVINCE_UNITS: tuple[tuple[str, str, str], ...] = (
    ("P", "ພະແນກສຶກສາທິການ ແລະ ກິລາ {lo}", "{en} Provincial Department of Education and Sports"),
    ("Q", "ໂຮງໝໍ{lo}", "{en} Provincial Hospital"),
    ("O", "ພະແນກແຮງງານ ແລະ ສະຫວັດດີການສັງຄົມ {lo}",
     "{en} Provincial Department of Labour and Social Welfare"),
    ("O", "ພະແນກການເງິນ {lo}", "{en} Provincial Department of Finance"),
    ("O", "ພະແນກກະສິກຳ ແລະ ປ່າໄມ້ {lo}", "{en} Provincial Department of Agriculture and Forestry"),
)
CIVIL_DISTRICT_UNITS: tuple[tuple[str, str, str], ...] = (
    ("Q", "ໂຮງໝໍ{lo}", "{en} District Hospital"),
    ("P", "ຫ້ອງການສຶກສາທິການ ແລະ ກິລາ {lo}", "{en} District Education and Sports Office"),
    ("O", "ຫ້ອງການປົກຄອງ {lo}", "{en} District Administration Office"),
)
POLICE_MILITARY_UNITS: tuple[tuple[str, str, str], ...] = (
    ("O", "ກອງບັນຊາການ ປ້ອງກັນຄວາມສະຫງົບ {lo}", "{en} Provincial Police Command"),
    ("O", "ກອງບັນຊາການທະຫານ {lo}", "{en} Provincial Military Command"),
)


CAPITAL_LO = "ນະຄອນຫຼວງ"


def place_lo(name_lo: str, level: str) -> str:
    """A province or district as Lao names it in an office's name: ແຂວງ… / ເມືອງ… (the capital
    is a ນະຄອນຫຼວງ already)."""
    if name_lo.startswith(CAPITAL_LO):
        return name_lo
    return f"{'ແຂວງ' if level == 'province' else 'ເມືອງ'}{name_lo}"


def public_name(units: tuple[tuple[str, str, str], ...], number: int, name_lo: str,
                name_en: str, level: str) -> tuple[str, str, str]:
    """(sector, Lao, English) of the number-th public unit of its kind in a place."""
    sector, lao, english = units[number % len(units)]
    return sector, lao.format(lo=place_lo(name_lo, level)), english.format(en=name_en)
