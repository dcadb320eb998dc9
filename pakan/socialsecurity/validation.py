"""Social security's rules for single fields, and its messages in English and Lao.

Errors have the registry's shape (pakan.registry.validation.FieldError: field, code, reason in
both languages) and the error class is a RegistryValidationError, so pages, the API and import
reports show them the way they already show the registry's.

Lao terms from the project glossary: ຜູ້ໃຊ້ແຮງງານ (employer), ວິສາຫະກິດ (enterprise), ຜູ້ປະກັນຕົນ
(insured person), ເລກທະບຽນ (registration number), ລະຫັດປະກັນສັງຄົມ (social security number),
ເງິນເດືອນປະກັນຕົນ (insurable wage), ໂຈະ (suspended), ປິດ (closed), ເຄື່ອນໄຫວ (active),
ສະມາຊິກຄອບຄົວ (family member), ສະຖານະ (status), ວັນທີ (date), ເບີໂທລະສັບ (phone number).
"""

from __future__ import annotations

import re

from pakan.registry.columns import IDENTIFIER_PATTERN, PHONE_PATTERN
from pakan.registry.validation import FieldError, RegistryValidationError
from pakan.socialsecurity.messages import PART_TABLES

# PROVISIONAL: the formats of the enterprise number, the NSSF registration number and the
# social security number are not in the sources; the registry's identifier pattern (6 to 20
# digits, capital letters or hyphens) stands in until they are known.
IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
PHONE = re.compile(PHONE_PATTERN)
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 500

# code: (English, Lao). Placeholders are filled with str.format.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("This field is required.", "ຕ້ອງຕື່ມຄ່າ."),
    "too_long": ("Longer than {limit} characters.", "ຍາວເກີນ {limit} ຕົວອັກສອນ."),
    "bad_identifier": ("Must be 6 to 20 digits, capital letters or hyphens.",
                       "ຕ້ອງແມ່ນຕົວເລກ, ຕົວອັກສອນໃຫຍ່ ຫຼື ຂີດ 6 ຫາ 20 ຕົວ."),
    "enterprise_number_taken": (
        "An employer with this enterprise number is already registered.",
        "ວິສາຫະກິດທີ່ມີເລກທະບຽນນີ້ໄດ້ຂຶ້ນທະບຽນແລ້ວ."),
    "registration_number_taken": (
        "An employer with this NSSF registration number is already registered.",
        "ຜູ້ໃຊ້ແຮງງານທີ່ມີເລກທະບຽນປະກັນສັງຄົມນີ້ໄດ້ຂຶ້ນທະບຽນແລ້ວ."),
    "social_security_number_taken": (
        "This social security number is already given to another insured person.",
        "ລະຫັດປະກັນສັງຄົມນີ້ໄດ້ໃຫ້ຜູ້ປະກັນຕົນຄົນອື່ນແລ້ວ."),
    "bad_sector": ("Unknown sector (ISIC section letter).",
                   "ບໍ່ຮູ້ຈັກຂະແໜງການນີ້ (ຕົວອັກສອນໝວດ ISIC)."),
    "bad_number_of_workers": ("The number of workers must be a whole number, 0 or more.",
                              "ຈຳນວນແຮງງານຕ້ອງແມ່ນຈຳນວນເຕັມ, 0 ຫຼື ຫຼາຍກວ່າ."),
    "bad_phone": ("Not a phone number.", "ເບີໂທລະສັບບໍ່ຖືກຕ້ອງ."),
    "bad_email": ("Not an email address.", "ທີ່ຢູ່ອີເມວບໍ່ຖືກຕ້ອງ."),
    "not_a_village": ("The place must be a village.", "ສະຖານທີ່ຕ້ອງແມ່ນບ້ານ."),
    "outside_scope": ("This place is outside your province or district.",
                      "ສະຖານທີ່ນີ້ຢູ່ນອກແຂວງ ຫຼື ເມືອງ ຂອງທ່ານ."),
    "future_date": ("The date is in the future.", "ວັນທີຢູ່ໃນອະນາຄົດ."),
    "bad_date": ("Not a date.", "ບໍ່ແມ່ນວັນທີ."),
    "bad_status": ("Unknown status; it must be active, suspended or closed.",
                   "ສະຖານະບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນ ເຄື່ອນໄຫວ, ໂຈະ ຫຼື ປິດ."),
    "bad_status_change": (
        "An employer that is {current} cannot become {requested}.",
        "ຜູ້ໃຊ້ແຮງງານທີ່ມີສະຖານະ {current_lo} ບໍ່ສາມາດປ່ຽນເປັນ {requested_lo}."),
    "before_last_status_change": (
        "The date is before the employer's last status change ({last}).",
        "ວັນທີນີ້ກ່ອນການປ່ຽນສະຖານະຄັ້ງສຸດທ້າຍຂອງຜູ້ໃຊ້ແຮງງານ ({last})."),
    "employment_after_closure": (
        "Workers start with this employer after that date; end or correct their employment "
        "first.",
        "ມີແຮງງານເລີ່ມວຽກກັບຜູ້ໃຊ້ແຮງງານນີ້ຫຼັງວັນທີນັ້ນ; ໃຫ້ສິ້ນສຸດ ຫຼື ແກ້ໄຂການຈ້າງງານກ່ອນ."),
    "employer_not_active": (
        "The employer is {status}: no employment can start with it.",
        "ຜູ້ໃຊ້ແຮງງານມີສະຖານະ {status_lo}: ບໍ່ສາມາດເລີ່ມການຈ້າງງານໄດ້."),
    "before_registration": ("The date is before the employer's registration ({registered}).",
                            "ວັນທີນີ້ກ່ອນວັນຂຶ້ນທະບຽນຂອງຜູ້ໃຊ້ແຮງງານ ({registered})."),
    "bad_category": (
        "Unknown category; it must be enterprise_employee, civil_servant, police_military "
        "or voluntary.",
        "ປະເພດບໍ່ຖືກຕ້ອງ; ຕ້ອງແມ່ນ enterprise_employee, civil_servant, police_military "
        "ຫຼື voluntary."),
    "person_dead": ("This person's death is recorded.", "ບຸກຄົນນີ້ໄດ້ບັນທຶກການເສຍຊີວິດແລ້ວ."),
    "person_merged": ("This record was merged into another; use the kept record.",
                      "ຂໍ້ມູນນີ້ຖືກລວມເຂົ້າກັບຂໍ້ມູນອື່ນແລ້ວ; ໃຫ້ໃຊ້ຂໍ້ມູນທີ່ຮັກສາໄວ້."),
    "too_young": ("Younger than {years} on that date.", "ອາຍຸຕໍ່າກວ່າ {years} ປີ ໃນວັນທີນັ້ນ."),
    "before_birth": ("The date is before the person's date of birth.",
                     "ວັນທີນີ້ກ່ອນວັນເດືອນປີເກີດຂອງບຸກຄົນນີ້."),
    "already_member": ("This person is already an insured person of the fund.",
                       "ບຸກຄົນນີ້ເປັນຜູ້ປະກັນຕົນຢູ່ແລ້ວ."),
    "membership_overlap": (
        "This membership overlaps another of the same insured person ({start} to {end}).",
        "ການເປັນສະມາຊິກນີ້ຊ້ອນກັບອີກໄລຍະໜຶ່ງຂອງຜູ້ປະກັນຕົນຄົນດຽວກັນ ({start} ຫາ {end})."),
    "no_membership": ("The insured person is not a member of the fund on that date.",
                      "ຜູ້ປະກັນຕົນບໍ່ໄດ້ເປັນສະມາຊິກຂອງກອງທຶນໃນວັນທີນັ້ນ."),
    "employment_overlap": (
        "This employment overlaps another with the same employer ({start} to {end}).",
        "ການຈ້າງງານນີ້ຊ້ອນກັບອີກໄລຍະໜຶ່ງກັບຜູ້ໃຊ້ແຮງງານດຽວກັນ ({start} ຫາ {end})."),
    "wage_not_integer": ("The monthly wage must be a whole number of kip.",
                         "ເງິນເດືອນປະກັນຕົນຕ້ອງແມ່ນຈຳນວນກີບເຕັມ."),
    "negative_wage": ("The monthly wage cannot be negative.",
                      "ເງິນເດືອນປະກັນຕົນບໍ່ສາມາດຕິດລົບ."),
    "absurd_wage": ("A monthly wage above {limit} kip is not believable; check the figure.",
                    "ເງິນເດືອນປະກັນຕົນເກີນ {limit} ກີບ ຕໍ່ເດືອນ ບໍ່ໜ້າເຊື່ອ; ກະລຸນາກວດຄືນ."),
    "already_ended": ("This spell has already ended.", "ໄລຍະນີ້ໄດ້ສິ້ນສຸດແລ້ວ."),
    "end_before_start": ("The end date is before the start date.",
                         "ວັນທີສິ້ນສຸດກ່ອນວັນທີເລີ່ມຕົ້ນ."),
    "bad_relationship": ("The relationship must be spouse, child or parent.",
                         "ຄວາມສຳພັນຕ້ອງແມ່ນ ຜົວ/ເມຍ, ລູກ ຫຼື ພໍ່/ແມ່."),
    "dependant_is_member": ("An insured person cannot be their own family member.",
                            "ຜູ້ປະກັນຕົນບໍ່ສາມາດເປັນສະມາຊິກຄອບຄົວຂອງຕົນເອງ."),
    "dependant_overlap": (
        "This family member is already registered for that time ({start} to {end}).",
        "ສະມາຊິກຄອບຄົວນີ້ໄດ້ຂຶ້ນທະບຽນແລ້ວໃນໄລຍະນັ້ນ ({start} ຫາ {end})."),
    "not_employer_user": ("This account is not an employer account.",
                          "ບັນຊີນີ້ບໍ່ແມ່ນບັນຊີຂອງຜູ້ໃຊ້ແຮງງານ."),
    "already_linked": ("This account is already linked to an employer.",
                       "ບັນຊີນີ້ໄດ້ເຊື່ອມກັບຜູ້ໃຊ້ແຮງງານແລ້ວ."),
}

for _table in PART_TABLES:
    _clash = MESSAGES.keys() & _table.keys()
    if _clash:
        raise ImportError(f"message codes defined twice: {sorted(_clash)}")
    MESSAGES.update(_table)

STATUS_LO = {"active": "ເຄື່ອນໄຫວ", "suspended": "ໂຈະ", "closed": "ປິດ"}


def error(field: str, code: str, **values: object) -> FieldError:
    english, lao = MESSAGES[code]
    return FieldError(field, code, english.format(**values), lao.format(**values))


class SocialSecurityValidationError(RegistryValidationError):
    """Bad input to a social security service; nothing was changed."""


def refuse(field: str, code: str, **values: object) -> SocialSecurityValidationError:
    return SocialSecurityValidationError([error(field, code, **values)])


def check_identifier(field: str, value: str) -> list[FieldError]:
    if not value:
        return [error(field, "required")]
    return [] if IDENTIFIER.match(value) else [error(field, "bad_identifier")]


def check_name(field: str, value: str, required: bool = True) -> list[FieldError]:
    if not value:
        return [error(field, "required")] if required else []
    if len(value) > MAX_NAME_LENGTH:
        return [error(field, "too_long", limit=MAX_NAME_LENGTH)]
    return []
