"""Everything that changes the registry: one function per use case, each in a transaction,
each checking the actor's scope and leaving an audit record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pakan.accounts.scope import (
    OutOfScope,
    require_change_permission,
    require_unit_in_scope,
    restrict,
)
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.registry.deduplication import queue_duplicates_of
from pakan.registry.models import (
    AdminUnit,
    DuplicateCandidate,
    Household,
    LifeEvent,
    Person,
    Relationship,
)
from pakan.registry.names import lao_key, latin_key
from pakan.registry.signals import person_died
from pakan.registry.validation import (
    IDENTIFIER,
    RegistryValidationError,
    clean_person_fields,
    error,
)


@dataclass(frozen=True)
class Registration:
    person: Person
    duplicates_queued: int


def search_keys(fields: dict) -> dict[str, str]:
    return {
        "given_key_latin": latin_key(fields["given_name_latin"]),
        "family_key_latin": latin_key(fields["family_name_latin"]),
        "given_key_lo": lao_key(fields["given_name_lo"]),
        "family_key_lo": lao_key(fields["family_name_lo"]),
    }


def village_by_code(actor, code: str, field: str = "village_code") -> AdminUnit:
    village = AdminUnit.objects.filter(code=code, level=AdminUnit.Level.VILLAGE).first()
    if village is None:
        raise RegistryValidationError([error(field, "unknown_village")])
    if actor is not None:
        try:
            require_unit_in_scope(actor, village)
        except OutOfScope:
            raise RegistryValidationError([error(field, "outside_scope")]) from None
    return village


def move_destination(code: str) -> AdminUnit:
    """Any village of the country: a move is recorded by the office the person leaves, and
    the village list is public knowledge."""
    return village_by_code(None, code.strip())


def household_by_book(actor, family_book_number: str,
                      field: str = "family_book_number") -> Household:
    """A household in the actor's area by its family-book number. One outside the area is
    reported unknown, exactly like one that does not exist, so its existence is not revealed."""
    household = restrict(Household.objects.select_related("village"), actor).filter(
        family_book_number=family_book_number.strip().upper()).first()
    if household is None:
        raise RegistryValidationError([error(field, "unknown_household")])
    return household


def _require_person_in_scope(actor, person: Person) -> None:
    require_change_permission(actor)
    require_unit_in_scope(actor, person.village)


@transaction.atomic
def register_household(actor, *, family_book_number: str, village: AdminUnit) -> Household:
    require_change_permission(actor)
    require_unit_in_scope(actor, village)
    family_book_number = family_book_number.strip().upper()
    if not IDENTIFIER.match(family_book_number):
        raise RegistryValidationError([error("family_book_number", "bad_identifier")])
    if Household.objects.filter(family_book_number=family_book_number).exists():
        raise RegistryValidationError([error("family_book_number", "household_exists")])
    household = Household.objects.create(family_book_number=family_book_number, village=village)
    record_change(actor, AuditEvent.Action.CREATE, household)
    return household


@transaction.atomic
def register_person(
    actor,
    fields: dict,
    *,
    village: AdminUnit,
    household: Household | None = None,
    today: datetime.date | None = None,
) -> Registration:
    """Register one person; likely duplicates go to the review queue, not into an error."""
    require_change_permission(actor)
    require_unit_in_scope(actor, village)
    cleaned, errors = clean_person_fields(fields, today or timezone.localdate())
    if errors:
        raise RegistryValidationError(errors)
    if household is not None:
        require_unit_in_scope(actor, household.village)
        cleaned["family_book_number"] = household.family_book_number
        if cleaned["relationship_to_head"] == Relationship.HEAD and household.head_id:
            raise RegistryValidationError([error("relationship_to_head", "head_exists")])
    person = Person.objects.create(**cleaned, **search_keys(cleaned), village=village,
                                   household=household)
    if household is not None and cleaned["relationship_to_head"] == Relationship.HEAD:
        _make_head(actor, household, person)
    record_change(actor, AuditEvent.Action.CREATE, person)
    return Registration(person, queue_duplicates_of(person))


def _make_head(actor, household: Household, person: Person) -> None:
    before = snapshot(household)
    household.head = person
    household.save(update_fields=["head", "updated_at"])
    record_change(actor, AuditEvent.Action.UPDATE, household, before)


@transaction.atomic
def update_person(actor, person: Person, changes: dict,
                  today: datetime.date | None = None) -> Person:
    """Correct a person's details (not a life event: those have their own services)."""
    _require_person_in_scope(actor, person)
    unknown = sorted(set(changes) - set(_EDITABLE))
    if unknown:
        raise RegistryValidationError([error(field, "not_editable") for field in unknown])
    before = snapshot(person)
    current = {field: getattr(person, field) for field in _EDITABLE}
    cleaned, errors = clean_person_fields({**current, **changes}, today or timezone.localdate())
    if errors:
        raise RegistryValidationError(errors)
    for field in _EDITABLE:
        setattr(person, field, cleaned[field])
    for field, value in search_keys(cleaned).items():
        setattr(person, field, value)
    person.save()
    record_change(actor, AuditEvent.Action.UPDATE, person, before)
    if any(before[field] != getattr(person, field) for field in _IDENTIFYING):
        queue_duplicates_of(person)
    if before["date_of_death"] is None and person.date_of_death is not None:
        person_died.send(sender=Person, person=person, date_of_death=person.date_of_death,
                         actor=actor)
    return person


_EDITABLE = (
    "national_id", "family_book_number", "given_name_lo", "family_name_lo", "given_name_latin",
    "family_name_latin", "sex", "date_of_birth", "date_of_death", "relationship_to_head",
    "difficulty_seeing", "difficulty_hearing", "difficulty_walking", "difficulty_remembering",
    "difficulty_self_care", "difficulty_communicating", "uxo_survivor", "phone",
)


# A change to any of these may make the record look like another: look for duplicates again.
_IDENTIFYING = ("national_id", "given_key_latin", "family_key_latin", "date_of_birth", "sex")


def _life_event(actor, person: Person, kind: str, occurred_on: datetime.date,
                **details: object) -> LifeEvent:
    if occurred_on > timezone.localdate():
        raise RegistryValidationError([error("occurred_on", "future_date")])
    if kind != LifeEvent.Kind.BIRTH and occurred_on < person.date_of_birth:
        raise RegistryValidationError([error("occurred_on", "before_birth")])
    if kind in (LifeEvent.Kind.MOVE, LifeEvent.Kind.MARRIAGE) and person.date_of_death:
        raise RegistryValidationError([error("person", "already_dead")])
    return LifeEvent.objects.create(
        person=person, kind=kind, occurred_on=occurred_on, details=details,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None)


@transaction.atomic
def record_birth(actor, fields: dict, *, household: Household,
                 occurred_on: datetime.date) -> Registration:
    """A child born into a household: registered with the birth date the event gives."""
    if occurred_on > timezone.localdate():  # named as the caller named it, not date_of_birth
        raise RegistryValidationError([error("occurred_on", "future_date")])
    fields = {**fields, "date_of_birth": occurred_on,
              "relationship_to_head": fields.get("relationship_to_head") or Relationship.CHILD}
    registration = register_person(actor, fields, village=household.village, household=household)
    _life_event(actor, registration.person, LifeEvent.Kind.BIRTH, occurred_on,
                household=household.family_book_number)
    return registration


@transaction.atomic
def record_death(actor, person: Person, *, occurred_on: datetime.date) -> LifeEvent:
    _require_person_in_scope(actor, person)
    if person.date_of_death is not None:
        raise RegistryValidationError([error("date_of_death", "already_dead")])
    if occurred_on < person.date_of_birth:
        raise RegistryValidationError([error("date_of_death", "death_before_birth")])
    event = _life_event(actor, person, LifeEvent.Kind.DEATH, occurred_on)
    before = snapshot(person)
    person.date_of_death = occurred_on
    person.save(update_fields=["date_of_death", "updated_at"])
    record_change(actor, AuditEvent.Action.UPDATE, person, before, note="death")
    person_died.send(sender=Person, person=person, date_of_death=occurred_on, actor=actor)
    return event


@transaction.atomic
def record_move(actor, person: Person, *, village: AdminUnit, occurred_on: datetime.date,
                with_household: bool = False) -> LifeEvent:
    """A move to another village, recorded by the office where the person lived. With
    `with_household`, the whole household (and its family book) moves along."""
    _require_person_in_scope(actor, person)
    if village.level != AdminUnit.Level.VILLAGE:
        raise RegistryValidationError([error("village_code", "unknown_village")])
    movers = [person]
    household = person.household
    if with_household and household is not None:
        movers = list(household.members.filter(village=person.village, date_of_death=None))
        before = snapshot(household)
        household.village = village
        household.save(update_fields=["village", "updated_at"])
        record_change(actor, AuditEvent.Action.UPDATE, household, before, note="move")
    event = _life_event(actor, person, LifeEvent.Kind.MOVE, occurred_on,
                        from_village=person.village.code, to_village=village.code,
                        with_household=with_household)
    for mover in movers:
        before = snapshot(mover)
        mover.village = village
        mover.save(update_fields=["village", "updated_at"])
        record_change(actor, AuditEvent.Action.UPDATE, mover, before, note="move")
    if not any(mover is person for mover in movers):
        person.refresh_from_db()  # the household's copy was saved, not the caller's object
    return event


@transaction.atomic
def record_marriage(actor, person: Person, *, into_household: Household,
                    occurred_on: datetime.date,
                    relationship: str = Relationship.SPOUSE) -> LifeEvent:
    """Marriage into another household (of the actor's area): the person joins it and its
    village. A marriage across areas is recorded by an officer whose area covers both."""
    _require_person_in_scope(actor, person)
    require_unit_in_scope(actor, into_household.village)
    if person.household_id == into_household.pk:
        raise RegistryValidationError([error("household", "same_household")])
    if relationship not in Relationship.values or relationship == Relationship.HEAD:
        raise RegistryValidationError([error("relationship_to_head", "bad_relationship")])
    event = _life_event(actor, person, LifeEvent.Kind.MARRIAGE, occurred_on,
                        from_household=getattr(person.household, "family_book_number", None),
                        to_household=into_household.family_book_number)
    old_household = person.household
    before = snapshot(person)
    person.household = into_household
    person.family_book_number = into_household.family_book_number
    person.village = into_household.village
    person.relationship_to_head = relationship
    person.save()
    record_change(actor, AuditEvent.Action.UPDATE, person, before, note="marriage")
    if old_household is not None and old_household.head_id == person.pk:
        _make_head_vacant(actor, old_household)
    return event


def _make_head_vacant(actor, household: Household) -> None:
    before = snapshot(household)
    household.head = None
    household.save(update_fields=["head", "updated_at"])
    record_change(actor, AuditEvent.Action.UPDATE, household, before, note="head left")


MERGE_FILLABLE = ("national_id", "family_book_number", "phone", "date_of_death", "household_id")


@transaction.atomic
def merge_duplicate(actor, candidate: DuplicateCandidate, *, keep: Person,
                    note: str = "") -> Person:
    """Keep one record, retire the other into it; blanks of the kept record are filled from
    the retired one. Both records and the decision are audited."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    _require_decidable(actor, candidate)
    if keep.pk not in (candidate.person_id, candidate.existing_id):
        raise RegistryValidationError([error("keep", "not_in_pair")])
    retired = candidate.person if keep.pk == candidate.existing_id else candidate.existing
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    before_keep, before_retired = snapshot(keep), snapshot(retired)
    for field in MERGE_FILLABLE:
        if getattr(keep, field) in (None, "") and getattr(retired, field) not in (None, ""):
            setattr(keep, field, getattr(retired, field))
    retired_id = retired.national_id
    retired.status, retired.merged_into, retired.national_id = (
        Person.Status.MERGED, keep, None)
    retired.save()
    if keep.national_id is None:
        keep.national_id = retired_id
    keep.save()
    Household.objects.filter(head=retired).update(head=keep)
    record_change(actor, AuditEvent.Action.MERGE, retired, before_retired,
                  note=f"merged into {keep.pk}")
    record_change(actor, AuditEvent.Action.UPDATE, keep, before_keep,
                  note=f"kept; {retired.pk} merged in")
    if before_keep["date_of_death"] is None and keep.date_of_death is not None:
        person_died.send(sender=Person, person=keep, date_of_death=keep.date_of_death,
                         actor=actor)
    _decide(actor, candidate, DuplicateCandidate.Status.MERGED, note)
    # Other pairs of the retired record are moot; the kept record is checked afresh, so a
    # real duplicate of it comes back to the queue paired with the record that remains.
    DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.PENDING).filter(
        Q(person=retired) | Q(existing=retired)).update(
        status=DuplicateCandidate.Status.MERGED, decided_by=actor, decided_at=timezone.now(),
        decision_note=f"record {retired.pk} merged into {keep.pk}")
    queue_duplicates_of(keep)
    return keep


@transaction.atomic
def keep_apart(actor, candidate: DuplicateCandidate, *, note: str = "") -> DuplicateCandidate:
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    _require_decidable(actor, candidate)
    return _decide(actor, candidate, DuplicateCandidate.Status.KEPT_APART, note)


def _require_decidable(actor, candidate: DuplicateCandidate) -> None:
    """Deciding needs both records in the actor's scope, and a pair still waiting."""
    require_change_permission(actor)
    require_unit_in_scope(actor, candidate.person.village)
    require_unit_in_scope(actor, candidate.existing.village)
    if candidate.status != DuplicateCandidate.Status.PENDING:
        raise RegistryValidationError([error("status", "already_decided")])


def _decide(actor, candidate: DuplicateCandidate, status: str, note: str) -> DuplicateCandidate:
    candidate.status = status
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.decision_note = note[:2000]
    candidate.save()
    record_change(actor, AuditEvent.Action.UPDATE, candidate, note=f"duplicate {status}")
    return candidate
