"""Everything that changes the fund's register of employers and insured members: one function
per use case, each in a transaction, each checking the actor's scope (through the employer's
or the person's village) and leaving an audit record. Bad input raises
SocialSecurityValidationError naming the field, a code and the reason in English and Lao, and
changes nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from pakan.accounts.models import Role, User
from pakan.accounts.scope import require_change_permission, require_unit_in_scope
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.registry.models import AdminUnit, Person
from pakan.registry.validation import FieldError, parse_date
from pakan.socialsecurity.models import (
    Dependant,
    Employer,
    EmployerStatusChange,
    EmployerUser,
    EmploymentSpell,
    InsuredMember,
    MemberCategory,
    MembershipSpell,
    Sector,
    SizeClass,
)
from pakan.socialsecurity.validation import (
    MAX_REASON_LENGTH,
    PHONE,
    STATUS_LO,
    SocialSecurityValidationError,
    check_identifier,
    check_name,
    error,
    refuse,
)

# PROVISIONAL: the labour law's minimum working age is not in the facts file; 15 stands in.
MINIMUM_MEMBER_AGE_YEARS = 15
# No monthly wage in Laos comes near this; a figure above it is a typing error.
MAXIMUM_MONTHLY_WAGE_KIP = 1_000_000_000
# PROVISIONAL: upper bounds (workers) of the size classes, after the SME decree as commonly
# summarised (micro up to 5, small up to 50, medium up to 99); not in the facts file.
SIZE_CLASS_BOUNDS: tuple[tuple[int, str], ...] = (
    (5, SizeClass.MICRO),
    (50, SizeClass.SMALL),
    (99, SizeClass.MEDIUM),
)
# Which status may follow which: suspend, reinstate, close. Closing is final.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Employer.Status.ACTIVE: frozenset({Employer.Status.SUSPENDED, Employer.Status.CLOSED}),
    Employer.Status.SUSPENDED: frozenset({Employer.Status.ACTIVE, Employer.Status.CLOSED}),
    Employer.Status.CLOSED: frozenset(),
}


def size_class_for(number_of_workers: int) -> str:
    for upper_bound, size_class in SIZE_CLASS_BOUNDS:
        if number_of_workers <= upper_bound:
            return size_class
    return SizeClass.LARGE


def _require_staff_for(actor, unit: AdminUnit) -> None:
    require_change_permission(actor)
    require_unit_in_scope(actor, unit)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _check_not_future(field: str, value: datetime.date, today: datetime.date) -> None:
    if value > today:
        raise refuse(field, "future_date")


def _age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _first_overlap(spells: QuerySet, start_on: datetime.date,
                   end_on: datetime.date | None):
    """The first spell of `spells` sharing at least one day with [start_on, end_on]."""
    overlapping = spells.filter(Q(end_on__isnull=True) | Q(end_on__gte=start_on))
    if end_on is not None:
        overlapping = overlapping.filter(start_on__lte=end_on)
    return overlapping.order_by("start_on").first()


def _overlap_error(field: str, code: str, spell) -> SocialSecurityValidationError:
    return refuse(field, code, start=spell.start_on.isoformat(),
                  end=spell.end_on.isoformat() if spell.end_on else "…")


def _lock_member(member: InsuredMember) -> InsuredMember:
    """Spells of one member are checked for overlap under a lock on the member, so two
    officers adding spells at once cannot both pass the check."""
    return InsuredMember.objects.select_for_update().select_related("person__village").get(
        pk=member.pk)


def _check_person_usable(field: str, person: Person) -> None:
    if person.status == Person.Status.MERGED:
        raise refuse(field, "person_merged")
    if person.date_of_death is not None:
        raise refuse(field, "person_dead")


# Employers ----------------------------------------------------------------------------------

def clean_employer_fields(fields: dict, today: datetime.date) -> tuple[dict, list[FieldError]]:
    """Check and normalise an employer's fields (as typed in a form or sent to the API)."""
    errors: list[FieldError] = []
    cleaned: dict = {}
    for field in ("enterprise_number", "nssf_registration_number"):
        cleaned[field] = str(fields.get(field) or "").strip().upper()
        errors += check_identifier(field, cleaned[field])
    for field, required in (("name_lo", True), ("name_en", True), ("contact_person", False)):
        cleaned[field] = str(fields.get(field) or "").strip()
        errors += check_name(field, cleaned[field], required)
    cleaned["sector"] = str(fields.get("sector") or "").strip().upper()
    if cleaned["sector"] not in Sector.values:
        errors.append(error("sector", "bad_sector"))
    workers = fields.get("number_of_workers")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        errors.append(error("number_of_workers", "bad_number_of_workers"))
    else:
        cleaned["number_of_workers"] = workers
        cleaned["size_class"] = size_class_for(workers)
    cleaned["phone"] = str(fields.get("phone") or "").strip()
    if cleaned["phone"] and not PHONE.match(cleaned["phone"]):
        errors.append(error("phone", "bad_phone"))
    cleaned["email"] = str(fields.get("email") or "").strip()
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors.append(error("email", "bad_email"))
    registered_on, date_errors = parse_date("registered_on", fields.get("registered_on"))
    errors += date_errors
    cleaned["registered_on"] = registered_on or today
    if cleaned["registered_on"] > today:
        errors.append(error("registered_on", "future_date"))
    return cleaned, errors


@transaction.atomic
def register_employer(actor, fields: dict, *, village: AdminUnit,
                      today: datetime.date | None = None) -> Employer:
    """Register an enterprise with the fund; it starts active on its registration date."""
    _require_staff_for(actor, village)
    cleaned, errors = clean_employer_fields(fields, _today(today))
    if village.level != AdminUnit.Level.VILLAGE:
        errors.append(error("village", "not_a_village"))
    if cleaned["enterprise_number"] and Employer.objects.filter(
            enterprise_number=cleaned["enterprise_number"]).exists():
        errors.append(error("enterprise_number", "enterprise_number_taken"))
    if cleaned["nssf_registration_number"] and Employer.objects.filter(
            nssf_registration_number=cleaned["nssf_registration_number"]).exists():
        errors.append(error("nssf_registration_number", "registration_number_taken"))
    if errors:
        raise SocialSecurityValidationError(errors)
    employer = Employer.objects.create(**cleaned, village=village,
                                       status=Employer.Status.ACTIVE,
                                       status_since=cleaned["registered_on"])
    change = EmployerStatusChange.objects.create(
        employer=employer, status=Employer.Status.ACTIVE, effective_on=employer.registered_on,
        reason="registration", recorded_by=_recorder(actor))
    record_change(actor, AuditEvent.Action.CREATE, employer)
    record_change(actor, AuditEvent.Action.CREATE, change)
    return employer


def _recorder(actor) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def change_employer_status(actor, employer: Employer, *, status: str,
                           effective_on: datetime.date, reason: str,
                           today: datetime.date | None = None) -> EmployerStatusChange:
    """Suspend, reinstate or close an employer from a date, for a reason. Closing ends the
    employment spells still open on that date, so no worker stays employed by a closed firm."""
    employer = Employer.objects.select_for_update().select_related("village").get(
        pk=employer.pk)
    _require_staff_for(actor, employer.village)
    if status not in Employer.Status.values:
        raise refuse("status", "bad_status")
    if status not in STATUS_TRANSITIONS[employer.status]:
        raise refuse("status", "bad_status_change", current=employer.status, requested=status,
                     current_lo=STATUS_LO[employer.status], requested_lo=STATUS_LO[status])
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", "required")
    if len(reason) > MAX_REASON_LENGTH:
        raise refuse("reason", "too_long", limit=MAX_REASON_LENGTH)
    _check_not_future("effective_on", effective_on, _today(today))
    if effective_on < employer.status_since:
        raise refuse("effective_on", "before_last_status_change",
                     last=employer.status_since.isoformat())
    if status == Employer.Status.CLOSED:
        _end_employment_at_closure(actor, employer, effective_on)
    before = snapshot(employer)
    employer.status, employer.status_since = status, effective_on
    employer.save(update_fields=["status", "status_since", "updated_at"])
    record_change(actor, AuditEvent.Action.UPDATE, employer, before, note=f"status {status}")
    change = EmployerStatusChange.objects.create(
        employer=employer, status=status, effective_on=effective_on, reason=reason,
        recorded_by=_recorder(actor))
    record_change(actor, AuditEvent.Action.CREATE, change)
    return change


def _end_employment_at_closure(actor, employer: Employer, closed_on: datetime.date) -> None:
    spells = employer.employment_spells.select_for_update()
    if spells.filter(start_on__gt=closed_on).exists():
        raise refuse("effective_on", "employment_after_closure")
    for spell in spells.filter(Q(end_on__isnull=True) | Q(end_on__gt=closed_on)):
        before = snapshot(spell)
        spell.end_on = closed_on
        spell.save(update_fields=["end_on"])
        record_change(actor, AuditEvent.Action.UPDATE, spell, before, note="employer closed")


def suspend_employer(actor, employer: Employer, *, effective_on: datetime.date,
                     reason: str) -> EmployerStatusChange:
    return change_employer_status(actor, employer, status=Employer.Status.SUSPENDED,
                                  effective_on=effective_on, reason=reason)


def reinstate_employer(actor, employer: Employer, *, effective_on: datetime.date,
                       reason: str) -> EmployerStatusChange:
    return change_employer_status(actor, employer, status=Employer.Status.ACTIVE,
                                  effective_on=effective_on, reason=reason)


def close_employer(actor, employer: Employer, *, effective_on: datetime.date,
                   reason: str) -> EmployerStatusChange:
    return change_employer_status(actor, employer, status=Employer.Status.CLOSED,
                                  effective_on=effective_on, reason=reason)


@transaction.atomic
def link_employer_user(actor, user: User, employer: Employer) -> EmployerUser:
    """Give an employer account its enterprise: the one employer its selectors will show."""
    _require_staff_for(actor, employer.village)
    if user.role != Role.EMPLOYER_USER:
        raise refuse("user", "not_employer_user")
    if EmployerUser.objects.filter(user=user).exists():
        raise refuse("user", "already_linked")
    link = EmployerUser.objects.create(user=user, employer=employer)
    record_change(actor, AuditEvent.Action.CREATE, link)
    return link


# Insured members ----------------------------------------------------------------------------

def _check_category(category: str) -> None:
    if category not in MemberCategory.values:
        raise refuse("category", "bad_category")


@transaction.atomic
def enrol_member(actor, person: Person, *, social_security_number: str, category: str,
                 start_on: datetime.date, today: datetime.date | None = None) -> InsuredMember:
    """Make a registry person an insured person of the fund, with a first membership."""
    person = Person.objects.select_for_update().select_related("village").get(pk=person.pk)
    _require_staff_for(actor, person.village)
    _check_person_usable("person", person)
    if InsuredMember.objects.filter(person=person).exists():
        raise refuse("person", "already_member")
    social_security_number = (social_security_number or "").strip().upper()
    errors = check_identifier("social_security_number", social_security_number)
    if errors:
        raise SocialSecurityValidationError(errors)
    if InsuredMember.objects.filter(social_security_number=social_security_number).exists():
        raise refuse("social_security_number", "social_security_number_taken")
    _check_category(category)
    _check_membership_start(person, start_on, _today(today))
    member = InsuredMember.objects.create(person=person,
                                          social_security_number=social_security_number)
    spell = MembershipSpell.objects.create(member=member, category=category, start_on=start_on)
    record_change(actor, AuditEvent.Action.CREATE, member)
    record_change(actor, AuditEvent.Action.CREATE, spell)
    return member


def _check_membership_start(person: Person, start_on: datetime.date,
                            today: datetime.date) -> None:
    _check_not_future("start_on", start_on, today)
    if start_on < person.date_of_birth:
        raise refuse("start_on", "before_birth")
    if _age_on(person.date_of_birth, start_on) < MINIMUM_MEMBER_AGE_YEARS:
        raise refuse("start_on", "too_young", years=MINIMUM_MEMBER_AGE_YEARS)


@transaction.atomic
def add_membership(actor, member: InsuredMember, *, category: str, start_on: datetime.date,
                   end_on: datetime.date | None = None,
                   today: datetime.date | None = None) -> MembershipSpell:
    """Another membership spell (a return to the fund, or a past spell entered late)."""
    member = _lock_member(member)
    _require_staff_for(actor, member.person.village)
    _check_person_usable("person", member.person)
    _check_category(category)
    _check_membership_start(member.person, start_on, _today(today))
    if end_on is not None and end_on < start_on:
        raise refuse("end_on", "end_before_start")
    clash = _first_overlap(member.membership_spells.all(), start_on, end_on)
    if clash is not None:
        raise _overlap_error("start_on", "membership_overlap", clash)
    spell = MembershipSpell.objects.create(member=member, category=category, start_on=start_on,
                                           end_on=end_on)
    record_change(actor, AuditEvent.Action.CREATE, spell)
    return spell


@transaction.atomic
def end_membership(actor, spell: MembershipSpell, *, end_on: datetime.date,
                   today: datetime.date | None = None) -> MembershipSpell:
    member = _lock_member(spell.member)
    _require_staff_for(actor, member.person.village)
    spell = MembershipSpell.objects.get(pk=spell.pk)
    return _end_spell(actor, spell, end_on, _today(today))


@transaction.atomic
def change_category(actor, member: InsuredMember, *, category: str, on: datetime.date,
                    today: datetime.date | None = None) -> MembershipSpell:
    """A member moving to another category (a civil servant who joins a firm, an employee who
    goes on as a voluntary member): the open spell ends the day before, a new one starts."""
    member = _lock_member(member)
    _require_staff_for(actor, member.person.village)
    _check_category(category)
    current = member.membership_spells.filter(end_on__isnull=True, start_on__lt=on).first()
    if current is None:
        raise refuse("on", "no_membership")
    _end_spell(actor, current, on - datetime.timedelta(days=1), _today(today))
    return add_membership(actor, member, category=category, start_on=on, today=today)


def _end_spell(actor, spell, end_on: datetime.date, today: datetime.date):
    if spell.end_on is not None:
        raise refuse("end_on", "already_ended")
    if end_on < spell.start_on:
        raise refuse("end_on", "end_before_start")
    _check_not_future("end_on", end_on, today)
    before = snapshot(spell)
    spell.end_on = end_on
    spell.save(update_fields=["end_on"])
    record_change(actor, AuditEvent.Action.UPDATE, spell, before, note="ended")
    return spell


# Employment ---------------------------------------------------------------------------------

def check_monthly_wage(monthly_wage: object, field: str = "monthly_wage") -> None:
    if isinstance(monthly_wage, bool) or not isinstance(monthly_wage, int):
        raise refuse(field, "wage_not_integer")
    if monthly_wage < 0:
        raise refuse(field, "negative_wage")
    if monthly_wage > MAXIMUM_MONTHLY_WAGE_KIP:
        raise refuse(field, "absurd_wage", limit=f"{MAXIMUM_MONTHLY_WAGE_KIP:,}")


@transaction.atomic
def start_employment(actor, member: InsuredMember, employer: Employer, *,
                     start_on: datetime.date, monthly_wage: int,
                     today: datetime.date | None = None) -> EmploymentSpell:
    """A member starts working for an employer. Several employers at once are allowed; two
    spells with the same employer may not overlap."""
    employer = Employer.objects.select_related("village").get(pk=employer.pk)
    _require_staff_for(actor, employer.village)
    member = _lock_member(member)
    if employer.status != Employer.Status.ACTIVE:
        raise refuse("employer", "employer_not_active", status=employer.status,
                     status_lo=STATUS_LO[employer.status])
    check_monthly_wage(monthly_wage)
    _check_person_usable("person", member.person)
    _check_not_future("start_on", start_on, _today(today))
    if start_on < employer.registered_on:
        raise refuse("start_on", "before_registration",
                     registered=employer.registered_on.isoformat())
    if _first_overlap(member.membership_spells.all(), start_on, start_on) is None:
        raise refuse("start_on", "no_membership")
    clash = _first_overlap(member.employment_spells.filter(employer=employer), start_on, None)
    if clash is not None:
        raise _overlap_error("start_on", "employment_overlap", clash)
    spell = EmploymentSpell.objects.create(member=member, employer=employer, start_on=start_on,
                                           monthly_wage=monthly_wage)
    record_change(actor, AuditEvent.Action.CREATE, spell)
    return spell


@transaction.atomic
def end_employment(actor, spell: EmploymentSpell, *, end_on: datetime.date,
                   today: datetime.date | None = None) -> EmploymentSpell:
    spell = EmploymentSpell.objects.select_for_update().select_related(
        "employer__village").get(pk=spell.pk)
    _require_staff_for(actor, spell.employer.village)
    return _end_spell(actor, spell, end_on, _today(today))


# Dependants ---------------------------------------------------------------------------------

@transaction.atomic
def add_dependant(actor, member: InsuredMember, person: Person, *, relationship: str,
                  start_on: datetime.date,
                  today: datetime.date | None = None) -> Dependant:
    """Register a spouse, child or parent of a member for health care. The family member may
    live in another district: scope follows the member, whose office registers the family."""
    member = _lock_member(member)
    _require_staff_for(actor, member.person.village)
    if person.pk == member.person_id:
        raise refuse("person", "dependant_is_member")
    _check_person_usable("person", person)
    if relationship not in Dependant.Relationship.values:
        raise refuse("relationship", "bad_relationship")
    _check_not_future("start_on", start_on, _today(today))
    if start_on < person.date_of_birth:
        raise refuse("start_on", "before_birth")
    clash = _first_overlap(member.dependants.filter(person=person), start_on, None)
    if clash is not None:
        raise _overlap_error("person", "dependant_overlap", clash)
    dependant = Dependant.objects.create(member=member, person=person,
                                         relationship=relationship, start_on=start_on)
    record_change(actor, AuditEvent.Action.CREATE, dependant)
    return dependant


@transaction.atomic
def end_dependant(actor, dependant: Dependant, *, end_on: datetime.date,
                  today: datetime.date | None = None) -> Dependant:
    member = _lock_member(dependant.member)
    _require_staff_for(actor, member.person.village)
    dependant = Dependant.objects.get(pk=dependant.pk)
    return _end_spell(actor, dependant, end_on, _today(today))
