"""Test data made through the real services, so every record carries search keys, an audit
trail and the de-duplication check, exactly as one registered by an officer."""

from __future__ import annotations

import datetime
import itertools

from pakan.accounts.models import Role, User
from pakan.registry import services
from pakan.registry.models import AdminUnit, Household, Person

_sequence = itertools.count(1)

# Names that are far apart from each other, so that people made by the factory are not taken
# for duplicates of one another unless a test asks for it.
GIVEN_NAMES = (
    ("ສົມໃຈ", "Somchai"), ("ບຸນມີ", "Bounmy"), ("ແສງດາວ", "Sengdao"), ("ຄຳຫຼ້າ", "Khamla"),
    ("ວັນນາ", "Vanna"), ("ພອນສະຫວັນ", "Phonsavan"), ("ດາລາ", "Dala"), ("ທອງໃສ", "Thongsai"),
)
FAMILY_NAMES = (
    ("ພົມມະວົງ", "Phommavong"), ("ສີສຸພັນ", "Sisouphanh"), ("ແກ້ວມະນີ", "Keomany"),
    ("ຈັນທະລາ", "Chanthala"), ("ອິນທະວົງ", "Inthavong"), ("ລາດສະວົງ", "Latsavong"),
)


def system_admin() -> User:
    """The actor for factory-made records: a system administrator seeing the whole country."""
    country = AdminUnit.objects.get(code="LA")
    user, _ = User.objects.get_or_create(
        username="factory_admin",
        defaults={"role": Role.SYSTEM_ADMIN, "scope_unit": country},
    )
    return user


def person_fields(**fields: object) -> dict:
    """A valid set of person fields; each call differs in names, birth date and national ID."""
    number = next(_sequence)
    given_lo, given_latin = GIVEN_NAMES[number % len(GIVEN_NAMES)]
    family_lo, family_latin = FAMILY_NAMES[(number // len(GIVEN_NAMES)) % len(FAMILY_NAMES)]
    # Birth dates cycle through 70 years (25,550 days, coprime with 37): no two factory
    # people of one test session share a birth date, and none is born in the future.
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=number * 37 % 25_550)
    defaults = {
        "given_name_lo": given_lo,
        "family_name_lo": family_lo,
        "given_name_latin": given_latin,
        "family_name_latin": family_latin,
        "sex": "F" if number % 2 else "M",
        "date_of_birth": birth.isoformat(),
        "national_id": f"NID{number:08d}",
    }
    return {**defaults, **fields}


def make_person(village: AdminUnit, household: Household | None = None,
                **fields: object) -> Person:
    """A person registered in `village` by a system administrator."""
    registration = services.register_person(
        system_admin(), person_fields(**fields), village=village, household=household)
    return registration.person


def make_household(village: AdminUnit, family_book_number: str | None = None) -> Household:
    number = family_book_number or f"FB{next(_sequence):08d}"
    return services.register_household(system_admin(), family_book_number=number,
                                       village=village)


def make_household_with_head(village: AdminUnit, **head_fields: object
                             ) -> tuple[Household, Person]:
    household = make_household(village)
    head = make_person(village, household=household, relationship_to_head="head", **head_fields)
    household.refresh_from_db()
    return household, head


# --- the social security fund -------------------------------------------------------------

def employer_fields(**fields: object) -> dict:
    """A valid set of employer fields; each call has its own enterprise and NSSF numbers."""
    number = next(_sequence)
    defaults = {
        "enterprise_number": f"ENT-{number:06d}",
        "nssf_registration_number": f"NSSF{number:06d}",
        "name_lo": "ບໍລິສັດ ທົດລອງ",
        "name_en": f"Test Company {number}",
        "sector": "C",
        "number_of_workers": 12,
        "contact_person": "Somchai",
        "phone": "020 5555 1234",
        "email": "office@example.la",
        "registered_on": datetime.date(2020, 1, 15),
    }
    return {**defaults, **fields}


def make_employer(village: AdminUnit, actor: User | None = None, **fields: object):
    from pakan.socialsecurity import services as fund_services

    return fund_services.register_employer(actor or system_admin(), employer_fields(**fields),
                                           village=village)


MEMBERSHIP_START = datetime.date(2020, 2, 1)


def make_member(village: AdminUnit, category: str = "enterprise_employee",
                start_on: datetime.date = MEMBERSHIP_START, **person_fields: object):
    """An insured person living in `village`, member from `start_on` in `category`."""
    from pakan.socialsecurity import services as fund_services

    person = make_person(village, **{"date_of_birth": "1990-05-01", **person_fields})
    return fund_services.enrol_member(system_admin(), person,
                                      social_security_number=f"SS{next(_sequence):08d}",
                                      category=category, start_on=start_on)


def make_worker(employer, monthly_wage: int = 3_000_000,
                start_on: datetime.date = MEMBERSHIP_START, **person_fields: object):
    """An enterprise employee of `employer` (living in the employer's village) from `start_on`."""
    from pakan.socialsecurity import services as fund_services

    member = make_member(employer.village, start_on=start_on, **person_fields)
    fund_services.start_employment(system_admin(), member, employer, start_on=start_on,
                                   monthly_wage=monthly_wage)
    return member
