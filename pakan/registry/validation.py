"""The registry's rules for one person's fields, with messages in Lao and English.

Bulk import applies the same rules to whole columns (pakan.registry.importing) using the same
constants from pakan.registry.columns and the same message codes from this catalogue.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from pakan.registry.columns import IDENTIFIER_PATTERN, MAX_AGE_YEARS, MAX_TEXT_LENGTH, PHONE_PATTERN
from pakan.registry.models import WASHINGTON_GROUP_DOMAINS, Relationship, Sex
from pakan.registry.names import is_broken_lao

IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
PHONE = re.compile(PHONE_PATTERN)
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
NAME_FIELDS = ("given_name_lo", "family_name_lo", "given_name_latin", "family_name_latin")
LAO_NAME_FIELDS = ("given_name_lo", "family_name_lo")


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    reason_en: str
    reason_lo: str


# code: (English, Lao). Placeholders are filled with str.format.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("This field is required.", "ຕ້ອງຕື່ມຄ່າ."),
    "too_long": ("Longer than {limit} characters.", "ຍາວເກີນ {limit} ຕົວອັກສອນ."),
    "broken_lao": (
        "Broken Lao character sequence (a vowel or tone mark without its consonant, or two "
        "tone marks together).",
        "ລຳດັບຕົວອັກສອນລາວບໍ່ຖືກຕ້ອງ (ສະຫຼະ ຫຼື ວັນນະຍຸດ ບໍ່ມີພະຍັນຊະນະ ຫຼື ມີວັນນະຍຸດຊ້ອນກັນ).",
    ),
    "bad_date": ("Not a date in the form YYYY-MM-DD (for example 1985-03-31).",
                 "ວັນທີບໍ່ຖືກຮູບແບບ ປປປປ-ດດ-ວວ (ຕົວຢ່າງ 1985-03-31)."),
    "future_date": ("The date is in the future.", "ວັນທີຢູ່ໃນອະນາຄົດ."),
    "too_old": (f"Older than {MAX_AGE_YEARS} years.", f"ອາຍຸເກີນ {MAX_AGE_YEARS} ປີ."),
    "death_before_birth": ("Date of death is before date of birth.",
                           "ວັນທີເສຍຊີວິດກ່ອນວັນເດືອນປີເກີດ."),
    "bad_sex": ("Sex must be M or F.", "ເພດ ຕ້ອງແມ່ນ M ຫຼື F."),
    "bad_identifier": ("Must be 6 to 20 digits, capital letters or hyphens.",
                       "ຕ້ອງແມ່ນຕົວເລກ, ຕົວອັກສອນໃຫຍ່ ຫຼື ຂີດ 6 ຫາ 20 ຕົວ."),
    "bad_phone": ("Not a phone number.", "ເບີໂທລະສັບບໍ່ຖືກຕ້ອງ."),
    "bad_relationship": ("Unknown relationship to the head of household.",
                         "ຄວາມສຳພັນກັບຫົວໜ້າຄອບຄົວບໍ່ຖືກຕ້ອງ."),
    "bad_difficulty": ("Washington Group answer must be 1, 2, 3 or 4.",
                       "ຄຳຕອບ Washington Group ຕ້ອງແມ່ນ 1, 2, 3 ຫຼື 4."),
    "unknown_village": ("Unknown village code.", "ບໍ່ພົບລະຫັດບ້ານນີ້."),
    "outside_scope": ("This place is outside your province or district.",
                      "ສະຖານທີ່ນີ້ຢູ່ນອກແຂວງ ຫຼື ເມືອງ ຂອງທ່ານ."),
    "unknown_household": ("Unknown family-book number.", "ບໍ່ພົບເລກປື້ມສໍາມະໂນຄົວນີ້."),
    "household_exists": ("A household with this family-book number is already registered.",
                         "ເລກປື້ມສໍາມະໂນຄົວນີ້ໄດ້ຂຶ້ນທະບຽນແລ້ວ."),
    "already_dead": ("This person's death is already recorded.",
                     "ໄດ້ບັນທຶກການເສຍຊີວິດຂອງບຸກຄົນນີ້ແລ້ວ."),
    "head_exists": ("This household already has a head.", "ຄົວເຮືອນນີ້ມີຫົວໜ້າຄອບຄົວແລ້ວ."),
    "not_editable": ("This field cannot be changed here.", "ບໍ່ສາມາດແກ້ໄຂຂໍ້ມູນນີ້ຢູ່ບ່ອນນີ້."),
    "before_birth": ("The date is before the person's date of birth.",
                     "ວັນທີນີ້ກ່ອນວັນເດືອນປີເກີດຂອງບຸກຄົນນີ້."),
    "not_in_pair": ("The record to keep must be one of the two records.",
                    "ຂໍ້ມູນທີ່ຈະຮັກສາໄວ້ ຕ້ອງແມ່ນໜຶ່ງໃນສອງຂໍ້ມູນນີ້."),
    "already_decided": ("This pair has already been decided.", "ຄູ່ນີ້ໄດ້ຕັດສິນແລ້ວ."),
    "same_household": ("The person is already in that household.",
                       "ບຸກຄົນນີ້ຢູ່ໃນຄົວເຮືອນນັ້ນແລ້ວ."),
}


def error(field: str, code: str, **values: object) -> FieldError:
    english, lao = MESSAGES[code]
    return FieldError(field, code, english.format(**values), lao.format(**values))


class RegistryValidationError(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason_en}" for e in errors))
        self.errors = errors


def check_text(field: str, value: str, required: bool = False) -> list[FieldError]:
    if not value:
        return [error(field, "required")] if required else []
    if len(value) > MAX_TEXT_LENGTH:
        return [error(field, "too_long", limit=MAX_TEXT_LENGTH)]
    if field in LAO_NAME_FIELDS and is_broken_lao(value):
        return [error(field, "broken_lao")]
    return []


def parse_date(field: str, value: object) -> tuple[datetime.date | None, list[FieldError]]:
    if isinstance(value, datetime.date):
        return value, []
    text = "" if value is None else str(value).strip()
    if not text:
        return None, []
    if not ISO_DATE.match(text):
        return None, [error(field, "bad_date")]
    try:
        return datetime.date.fromisoformat(text), []
    except ValueError:
        return None, [error(field, "bad_date")]


def check_life_dates(birth: datetime.date | None, death: datetime.date | None,
                     today: datetime.date) -> list[FieldError]:
    errors: list[FieldError] = []
    if birth and birth > today:
        errors.append(error("date_of_birth", "future_date"))
    if birth and (today.year - birth.year) - ((today.month, today.day) < (birth.month, birth.day)) \
            > MAX_AGE_YEARS:
        errors.append(error("date_of_birth", "too_old"))
    if death and death > today:
        errors.append(error("date_of_death", "future_date"))
    if birth and death and death < birth:
        errors.append(error("date_of_death", "death_before_birth"))
    return errors


def clean_person_fields(data: dict, today: datetime.date) -> tuple[dict, list[FieldError]]:
    """Check and normalise the fields of one person (as typed in a form or sent to the API)."""
    errors: list[FieldError] = []
    cleaned: dict = {}
    for field in NAME_FIELDS:
        value = str(data.get(field) or "").strip()
        errors += check_text(field, value, required=True)
        cleaned[field] = value
    sex = str(data.get("sex") or "").strip().upper()
    if sex not in Sex.values:
        errors.append(error("sex", "bad_sex"))
    cleaned["sex"] = sex
    for field, required in (("date_of_birth", True), ("date_of_death", False)):
        value, date_errors = parse_date(field, data.get(field))
        if value is None and required and not date_errors:
            date_errors = [error(field, "required")]
        errors += date_errors
        cleaned[field] = value
    errors += check_life_dates(cleaned["date_of_birth"], cleaned["date_of_death"], today)
    for field in ("national_id", "family_book_number"):
        value = str(data.get(field) or "").strip().upper()
        if value and not IDENTIFIER.match(value):
            errors.append(error(field, "bad_identifier"))
        cleaned[field] = value or (None if field == "national_id" else "")
    phone = str(data.get("phone") or "").strip()
    if phone and not PHONE.match(phone):
        errors.append(error("phone", "bad_phone"))
    cleaned["phone"] = phone
    relationship = str(data.get("relationship_to_head") or "").strip()
    if relationship and relationship not in Relationship.values:
        errors.append(error("relationship_to_head", "bad_relationship"))
    cleaned["relationship_to_head"] = relationship
    for field in WASHINGTON_GROUP_DOMAINS:
        value = data.get(field)
        if value in (None, ""):
            cleaned[field] = None
        elif str(value) in ("1", "2", "3", "4"):
            cleaned[field] = int(value)
        else:
            errors.append(error(field, "bad_difficulty"))
    cleaned["uxo_survivor"] = str(data.get("uxo_survivor", "")).lower() in ("1", "true", "yes",
                                                                             "on")
    return cleaned, errors
