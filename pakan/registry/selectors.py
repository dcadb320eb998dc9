"""Everything that reads the registry for display, search or export — always within scope."""

from __future__ import annotations

import re

from django.db.models import Count, Q, QuerySet

from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.audit.selectors import history_of
from pakan.audit.services import record_view
from pakan.registry.models import AdminUnit, DuplicateCandidate, Household, LifeEvent, Person
from pakan.registry.names import contains_lao, lao_key, latin_prefix_key

IDENTIFIER_QUERY = re.compile(r"^[0-9A-Za-z\-]*[0-9][0-9A-Za-z\-]*$")
MAX_RESULTS = 200


def people_in_scope(user) -> QuerySet[Person]:
    return restrict(Person.objects.filter(status=Person.Status.ACTIVE), user)


def search_people(user, query: str = "", *, village_code: str = "",
                  limit: int = MAX_RESULTS) -> QuerySet[Person]:
    """Search by national ID, family-book number or registry number, or by name in either
    script, tolerant of spelling and transliteration variants (each word of the query must
    begin a given or family name key). Optionally limited to one village."""
    people = people_in_scope(user)
    if village_code:
        people = people.filter(village__code=village_code)
    query = query.strip()
    if not query:
        return _first_matches_by_name(people, limit) if village_code else people.none()
    if IDENTIFIER_QUERY.match(query):
        identifier = query.upper()
        by_id = Q(national_id=identifier) | Q(family_book_number=identifier)
        if query.isdigit():
            by_id |= Q(pk=int(query))
        return _first_matches_by_name(people.filter(by_id), limit)
    # A word whose key is empty ("h", ".", a lone tone mark) would match every name: skip it,
    # and find nobody when no word is left.
    word_filters = [word_filter for word in query.split()
                    if (word_filter := _name_word_filter(word)) is not None]
    if not word_filters:
        return people.none()
    for word_filter in word_filters:
        people = people.filter(word_filter)
    return _first_matches_by_name(people, limit)


def _first_matches_by_name(matches: QuerySet[Person], limit: int) -> QuerySet[Person]:
    """At most `limit` matches, sorted by name. The database stops at the `limit`-th hit
    instead of sorting every match of a short, common prefix ("Bou", "Kha") — the difference
    between milliseconds and half a second among a million people. When more match, the page
    says so and asks for a narrower search."""
    first_matches = matches.order_by().values("id")[:limit]
    return (Person.objects.filter(id__in=first_matches)
            .select_related("village", "household")
            .order_by("family_key_latin", "given_key_latin", "id"))


def _name_word_filter(word: str) -> Q | None:
    if contains_lao(word):
        key = lao_key(word)
        return (Q(given_key_lo__startswith=key) | Q(family_key_lo__startswith=key)) if key \
            else None
    key = latin_prefix_key(word)
    return (Q(given_key_latin__startswith=key) | Q(family_key_latin__startswith=key)) if key \
        else None


def person_for(user, person_id: int) -> Person:
    """One person in scope. Anything else — absent or elsewhere — raises the same OutOfScope,
    so the answer never reveals whether a person exists outside the user's area."""
    person = people_in_scope(user).select_related("village__parent__parent", "household",
                                                  "merged_into").filter(pk=person_id).first()
    if person is None:
        raise OutOfScope
    return person


def open_person_record(user, person_id: int) -> Person:
    """The full record, with the opening logged in the audit trail."""
    person = person_for(user, person_id)
    record_view(user, person)
    return person


def person_history(person: Person):
    return history_of("registry.person", person.pk)


def life_events_of(person: Person) -> QuerySet[LifeEvent]:
    return person.life_events.select_related("recorded_by")


def households_in_scope(user) -> QuerySet[Household]:
    return restrict(Household.objects.all(), user)


def household_for(user, household_id: int) -> Household:
    household = households_in_scope(user).select_related("village", "head").filter(
        pk=household_id).first()
    if household is None:
        raise OutOfScope
    return household


def household_members(household: Household) -> QuerySet[Person]:
    return household.members.filter(status=Person.Status.ACTIVE).select_related("village")


def households_in_village(user, village_code: str) -> QuerySet[Household]:
    return households_in_scope(user).filter(village__code=village_code).select_related(
        "head").annotate(member_count=Count(
            "members", filter=Q(members__status=Person.Status.ACTIVE))).order_by(
        "family_book_number")


def villages_in_scope(user) -> QuerySet[AdminUnit]:
    return restrict(AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE), user)


def village_for(user, code: str) -> AdminUnit:
    village = villages_in_scope(user).filter(code=code).select_related("parent__parent").first()
    if village is None:
        raise OutOfScope
    return village


def duplicates_in_scope(user) -> QuerySet[DuplicateCandidate]:
    """Pairs whose both records lie in the user's scope."""
    candidates = restrict(DuplicateCandidate.objects.all(), user)
    prefix = scope_path(user)
    if prefix is not None:
        candidates = candidates.filter(existing__village__path__startswith=prefix)
    return candidates.select_related("person__village", "existing__village", "decided_by")


def duplicate_queue(user, status: str = DuplicateCandidate.Status.PENDING
                    ) -> QuerySet[DuplicateCandidate]:
    return duplicates_in_scope(user).filter(status=status)


def duplicate_for(user, candidate_id: int) -> DuplicateCandidate:
    candidate = duplicates_in_scope(user).filter(pk=candidate_id).first()
    if candidate is None:
        raise OutOfScope
    return candidate
