"""Rules added after the first review of the registry services: heads, life-event dates,
merges that re-check the kept record, prefix search, broken Lao, and the throttling address."""

from __future__ import annotations

import datetime

import pytest
from django.test import RequestFactory

from pakan.accounts.services import LoginThrottled, authenticate_throttled, client_address
from pakan.registry import selectors, services
from pakan.registry.models import DuplicateCandidate, Person
from pakan.registry.names import is_broken_lao, latin_prefix_key
from pakan.registry.validation import RegistryValidationError
from tests.factories import make_household_with_head, make_person, person_fields


def refused(call) -> list[tuple[str, str]]:
    with pytest.raises(RegistryValidationError) as refusal:
        call()
    return [(e.field, e.code) for e in refusal.value.errors]


@pytest.mark.django_db
def test_a_household_cannot_get_a_second_head(staff, geography):
    household, head = make_household_with_head(geography["0101001"])
    assert refused(lambda: services.register_person(
        staff["admin"], person_fields(relationship_to_head="head"), village=household.village,
        household=household)) == [("relationship_to_head", "head_exists")]
    household.refresh_from_db()
    assert household.head == head
    assert household.members.count() == 1


@pytest.mark.django_db
def test_no_move_or_marriage_for_the_dead_nor_before_birth(staff, geography):
    person = make_person(geography["0101001"], date_of_birth="1990-05-01")
    elsewhere, _ = make_household_with_head(geography["0102001"])
    assert refused(lambda: services.record_move(
        staff["admin"], person, village=geography["0101002"],
        occurred_on=datetime.date(1989, 1, 1))) == [("occurred_on", "before_birth")]
    services.record_death(staff["admin"], person, occurred_on=datetime.date(2020, 1, 1))
    assert refused(lambda: services.record_move(
        staff["admin"], person, village=geography["0101002"],
        occurred_on=datetime.date(2021, 1, 1))) == [("person", "already_dead")]
    assert refused(lambda: services.record_marriage(
        staff["admin"], person, into_household=elsewhere,
        occurred_on=datetime.date(2021, 1, 1))) == [("person", "already_dead")]
    person.refresh_from_db()
    assert person.village.code == "0101001" and person.household is None


@pytest.mark.django_db
def test_only_listed_fields_can_be_corrected(staff, geography):
    person = make_person(geography["0101001"])
    assert refused(lambda: services.update_person(staff["admin"], person, {"status": "merged"})
                   ) == [("status", "not_editable")]
    assert Person.objects.get(pk=person.pk).status == "active"


@pytest.mark.django_db
def test_correcting_a_name_looks_for_duplicates_again(staff, geography):
    original = make_person(geography["0101001"], given_name_latin="Phetsamone",
                           family_name_latin="Keomany", date_of_birth="1980-02-02", sex="F")
    other = make_person(geography["0101002"], given_name_latin="Dala",
                        family_name_latin="Latsavong", date_of_birth="1980-02-02", sex="F",
                        national_id="")
    assert not DuplicateCandidate.objects.exists()
    services.update_person(staff["admin"], other, {"given_name_latin": "Petsamon",
                                                   "family_name_latin": "Kaeomany"})
    pair = DuplicateCandidate.objects.get()
    assert {pair.person_id, pair.existing_id} == {original.pk, other.pk}


@pytest.mark.django_db
def test_merging_closes_the_retired_records_other_pairs_and_rechecks_the_kept_one(staff,
                                                                                  geography):
    fields = {"given_name_latin": "Souksavanh", "family_name_latin": "Phommavong",
              "date_of_birth": "1975-07-07", "sex": "M"}
    first = make_person(geography["0101001"], **fields)
    second = make_person(geography["0101002"], **{**fields, "national_id": ""})
    third = make_person(geography["0101001"], **{**fields, "national_id": "",
                                                  "given_name_latin": "Souksavan"})
    pairs = {(c.person_id, c.existing_id): c for c in DuplicateCandidate.objects.all()}
    assert set(pairs) == {(second.pk, first.pk), (third.pk, first.pk), (third.pk, second.pk)}
    services.merge_duplicate(staff["admin"], pairs[(second.pk, first.pk)], keep=first)
    closed = DuplicateCandidate.objects.get(person=third, existing=second)
    assert closed.status == "merged" and closed.decided_by == staff["admin"]
    assert DuplicateCandidate.objects.get(person=third, existing=first).status == "pending"
    assert selectors.duplicate_queue(staff["admin"]).count() == 1


def test_a_name_cut_short_still_finds_the_full_name():
    assert "puma".startswith(latin_prefix_key("Pho"))
    assert "keo".startswith(latin_prefix_key("Ka"))
    assert latin_prefix_key("Souk") == "suk"


@pytest.mark.django_db
def test_search_finds_phoumma_from_pho(staff, geography):
    person = make_person(geography["0101001"], given_name_latin="Phoumma")
    found = selectors.search_people(staff["central"], "Pho")
    assert person in list(found)


@pytest.mark.parametrize("text", ["ເ່ກ", "ກິິ", "໑່", "ກ່່"])
def test_more_broken_lao_sequences_are_caught(text):
    assert is_broken_lao(text)


@pytest.mark.parametrize("text", ["ບໍ່", "ນ້ຳ", "ນ້ໍາ", "ຫຼັກ", "ແກ້ວ"])
def test_common_lao_words_are_not_broken(text):
    assert not is_broken_lao(text)


def test_throttling_uses_the_proxy_header_when_configured(settings):
    request = RequestFactory().post("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1",
                                    REMOTE_ADDR="10.0.0.1")
    assert client_address(request) == "10.0.0.1"
    settings.PAKAN_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_address(request) == "203.0.113.9"


@pytest.mark.django_db
def test_a_locked_address_stays_locked_after_someone_else_logs_in(settings, staff):
    settings.LOGIN_FAILURE_LIMIT = 3
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    for attempt in range(3):
        assert authenticate_throttled(request, f"guess{attempt}", "wrong") is None
    with pytest.raises(LoginThrottled):
        authenticate_throttled(request, "central", "correct-horse-battery")
    other = RequestFactory().post("/", REMOTE_ADDR="198.51.100.8")
    assert authenticate_throttled(other, "central", "correct-horse-battery") == staff["central"]


@pytest.mark.django_db
def test_both_duplicate_search_paths_find_the_same_pairs(staff, geography, monkeypatch):
    from pakan.registry import deduplication

    fields = {"date_of_birth": "1968-03-03", "sex": "F"}
    people = [
        make_person(geography["0101001"], given_name_latin="Vilayvanh",
                    family_name_latin="Sisouphanh", **fields),
        make_person(geography["0101002"], given_name_latin="Vilaivan",
                    family_name_latin="Sisuphan", national_id="", **fields),
        make_person(geography["0102001"], given_name_latin="Vilayvanh",
                    family_name_latin="Sisouphanh", national_id="", **fields),  # other district
        make_person(geography["0101001"], given_name_latin="Sisouphanh",
                    family_name_latin="Vilayvanh", national_id="", **fields),  # swapped order
    ]
    first, last = people[0].pk, people[-1].pk

    def pairs(limit: int) -> set[tuple[int, int]]:
        monkeypatch.setattr(deduplication, "INDEXED_LOOKUP_LIMIT", limit)
        return {(new, old) for new, old, *_ in deduplication._candidate_pairs(first, last)}

    by_index, by_hash_join = pairs(10_000), pairs(0)
    assert by_index == by_hash_join
    assert by_index == {(people[1].pk, people[0].pk), (people[3].pk, people[0].pk),
                        (people[3].pk, people[1].pk)}
