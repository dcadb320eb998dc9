"""Unit tests of the registry's rules, services, selectors, de-duplication and name keys, and of
sign-in throttling. Every write is checked for its effect, its audit record, and for changing
nothing when refused."""

from __future__ import annotations

import datetime

import polars
import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from pakan.accounts.scope import OutOfScope
from pakan.accounts.services import LoginThrottled, authenticate_throttled, login_locked
from pakan.audit.models import AuditEvent
from pakan.registry import deduplication, selectors, services
from pakan.registry.models import DuplicateCandidate, Household, LifeEvent, Person
from pakan.registry.names import (
    LATIN_KEY_RULES,
    contains_lao,
    fold_accents,
    is_broken_lao,
    lao_key,
    latin_key,
    name_key,
)
from pakan.registry.validation import (
    MESSAGES,
    RegistryValidationError,
    clean_person_fields,
    error,
    parse_date,
)
from tests.factories import (
    make_household,
    make_household_with_head,
    make_person,
    person_fields,
    system_admin,
)

TODAY = datetime.date(2025, 6, 15)
VALID = {
    "given_name_lo": "ສົມໃຈ",
    "family_name_lo": "ພົມມະວົງ",
    "given_name_latin": "Somchai",
    "family_name_latin": "Phommavong",
    "sex": "M",
    "date_of_birth": "1985-03-31",
}


def codes(errors) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in errors]


def refused_codes(call) -> list[tuple[str, str]]:
    with pytest.raises(RegistryValidationError) as refused:
        call()
    return codes(refused.value.errors)


# --- validation ------------------------------------------------------------------------------

def test_valid_fields_are_normalised():
    cleaned, errors = clean_person_fields(
        {**VALID, "given_name_latin": "  Somchai ", "sex": "m", "national_id": "ab-123456",
         "phone": "+856 20 5555 1234", "difficulty_seeing": "3", "uxo_survivor": "yes"}, TODAY)
    assert errors == []
    assert cleaned["given_name_latin"] == "Somchai"
    assert cleaned["sex"] == "M"
    assert cleaned["national_id"] == "AB-123456"
    assert cleaned["date_of_birth"] == datetime.date(1985, 3, 31)
    assert cleaned["difficulty_seeing"] == 3 and cleaned["difficulty_hearing"] is None
    assert cleaned["uxo_survivor"] is True
    assert cleaned["family_book_number"] == "" and cleaned["date_of_death"] is None


def test_blank_national_id_is_stored_as_null_so_blanks_never_look_alike():
    cleaned, errors = clean_person_fields({**VALID, "national_id": "  "}, TODAY)
    assert errors == [] and cleaned["national_id"] is None


@pytest.mark.parametrize("field", ["given_name_lo", "family_name_lo", "given_name_latin",
                                   "family_name_latin", "date_of_birth"])
@pytest.mark.parametrize("missing", [None, "", "   "])
def test_each_required_field_is_named_when_missing(field, missing):
    _, errors = clean_person_fields({**VALID, field: missing}, TODAY)
    assert codes(errors) == [(field, "required")]


def test_missing_sex_is_an_error():
    _, errors = clean_person_fields({**VALID, "sex": ""}, TODAY)
    assert codes(errors) == [("sex", "bad_sex")]


def test_all_errors_of_a_record_are_reported_together():
    _, errors = clean_person_fields({"sex": "X", "date_of_birth": "31/03/1985"}, TODAY)
    assert set(codes(errors)) == {
        ("given_name_lo", "required"), ("family_name_lo", "required"),
        ("given_name_latin", "required"), ("family_name_latin", "required"),
        ("sex", "bad_sex"), ("date_of_birth", "bad_date")}


def test_overlong_name_is_refused_with_the_limit_in_both_languages():
    _, errors = clean_person_fields({**VALID, "family_name_latin": "A" * 101}, TODAY)
    assert codes(errors) == [("family_name_latin", "too_long")]
    assert "100" in errors[0].reason_en and "100" in errors[0].reason_lo
    _, errors = clean_person_fields({**VALID, "family_name_latin": "A" * 100}, TODAY)
    assert errors == []


@pytest.mark.parametrize("broken", [
    "\u0ec8ສົມ",  # tone mark at the start
    "ສົ\u0ec8\u0ec9ມ",  # two tone marks together
    "a\u0eb4",  # vowel sign after a Latin letter
    "ສົມ \u0eb5",  # vowel sign after a space
])
def test_broken_lao_is_refused_in_lao_names_only(broken):
    _, errors = clean_person_fields({**VALID, "given_name_lo": broken}, TODAY)
    assert codes(errors) == [("given_name_lo", "broken_lao")]


@pytest.mark.parametrize("text", ["ສົມໃຈ", "ຄຳຫຼ້າ", "ຄໍາ", "ແກ້ວມະນີ", "ນ້ອຍ", "ຫຼວງພະບາງ"])
def test_well_formed_lao_is_not_broken(text):
    assert not is_broken_lao(text)


@pytest.mark.parametrize("value", ["31/03/1985", "1985/03/31", "03-31-1985", "1985-3-31",
                                   "19850331", "1985-02-30", "1985-13-01", "yesterday",
                                   "1985-03-31T00:00"])
def test_dates_other_than_iso_are_refused(value):
    _, errors = clean_person_fields({**VALID, "date_of_birth": value}, TODAY)
    assert codes(errors) == [("date_of_birth", "bad_date")]
    assert "YYYY-MM-DD" in errors[0].reason_en and "ປປປປ-ດດ-ວວ" in errors[0].reason_lo


def test_parse_date_accepts_date_objects_and_blank():
    assert parse_date("x", datetime.date(2001, 2, 3)) == (datetime.date(2001, 2, 3), [])
    assert parse_date("x", "") == (None, [])
    assert parse_date("x", " 2001-02-03 ") == (datetime.date(2001, 2, 3), [])


@pytest.mark.parametrize(("changes", "expected"), [
    ({"date_of_birth": "2025-06-16"}, [("date_of_birth", "future_date")]),
    ({"date_of_birth": "1904-06-15"}, [("date_of_birth", "too_old")]),
    ({"date_of_death": "2025-06-16"}, [("date_of_death", "future_date")]),
    ({"date_of_death": "1985-03-30"}, [("date_of_death", "death_before_birth")]),
    ({"date_of_death": "bad"}, [("date_of_death", "bad_date")]),
])
def test_life_dates_must_make_sense(changes, expected):
    _, errors = clean_person_fields({**VALID, **changes}, TODAY)
    assert codes(errors) == expected


def test_born_today_and_not_yet_121_are_accepted():
    for birth in ("2025-06-15", "1905-06-15", "1904-06-16"):
        assert clean_person_fields({**VALID, "date_of_birth": birth}, TODAY)[1] == []


@pytest.mark.parametrize(("field", "value", "code"), [
    ("sex", "X", "bad_sex"),
    ("national_id", "12345", "bad_identifier"),
    ("national_id", "123 456 789", "bad_identifier"),
    ("national_id", "1" * 21, "bad_identifier"),
    ("family_book_number", "FB/2020/1", "bad_identifier"),
    ("phone", "call me", "bad_phone"),
    ("phone", "12345", "bad_phone"),
    ("phone", "+" + "2" * 20, "bad_phone"),  # 21 characters: more than the column holds
    ("relationship_to_head", "cousin", "bad_relationship"),
    ("difficulty_walking", "5", "bad_difficulty"),
    ("difficulty_walking", 0, "bad_difficulty"),
    ("difficulty_walking", "a lot", "bad_difficulty"),
])
def test_field_formats(field, value, code):
    _, errors = clean_person_fields({**VALID, field: value}, TODAY)
    assert codes(errors) == [(field, code)]


def test_longest_phone_numbers_accepted_fit_the_column():
    for phone in ("2" * 20, "+" + "2" * 19):
        cleaned, errors = clean_person_fields({**VALID, "phone": phone}, TODAY)
        assert errors == [] and len(cleaned["phone"]) <= Person._meta.get_field("phone").max_length


@pytest.mark.parametrize("value", [True, "1", "true", "YES", "on"])
def test_uxo_survivor_true_values(value):
    assert clean_person_fields({**VALID, "uxo_survivor": value}, TODAY)[0]["uxo_survivor"]


@pytest.mark.parametrize("value", [False, None, "", "0", "no"])
def test_uxo_survivor_false_values(value):
    assert not clean_person_fields({**VALID, "uxo_survivor": value}, TODAY)[0]["uxo_survivor"]


def test_every_message_has_english_and_lao_text():
    for code, (english, lao) in MESSAGES.items():
        assert english.strip() and lao.strip(), code
        assert contains_lao(lao), code
        assert not contains_lao(english), code
        filled = error("field", code, limit=100)
        assert "{" not in filled.reason_en + filled.reason_lo, code


def test_validation_error_lists_fields_in_its_message():
    problem = RegistryValidationError([error("sex", "bad_sex"), error("phone", "bad_phone")])
    assert "sex" in str(problem) and "phone" in str(problem)


# --- name keys -------------------------------------------------------------------------------

@pytest.mark.parametrize("variants", [
    ("Phetsamone", "Petsamon", "Phetsamon", "PHETSAMONE"),
    ("Xaysomboun", "Saisomboun", "Xaysombun", "Zaysomboun"),
    ("Chanthavong", "Janthavong", "Chanthavongh"),
    ("Vilayvanh", "Wilaivan", "Vilaivanh"),
    ("Souvanna", "Suvana", "Souvannah"),
    ("Khamla", "Kham-La", "Kham la", "Khàmla"),
    ("Rattana", "Lattana", "Ratana"),
])
def test_latin_spelling_variants_share_one_key(variants):
    assert len({latin_key(name) for name in variants}) == 1


def test_different_names_keep_different_keys():
    assert len({latin_key(n) for n in ("Somchai", "Somphone", "Bounmy", "Khamla", "Keo")}) == 5


@pytest.mark.parametrize("variants", [
    ("ຄຳຫຼ້າ", "ຄຳຫລ້າ", "ຄໍາຫຼ້າ", "ຄຳຫຼາ", "ຄຳ ຫຼ້າ"),
    ("ສີສຸພັນ", "ສີສຸພັນ\u200b"),
    ("ວິໄລລັດ", "ວິໄລຣັດ"),
    ("ແກ້ວ", "ແກວ", "ແກ້້ວ"),
])
def test_lao_spelling_variants_share_one_key(variants):
    assert len({lao_key(name) for name in variants}) == 1


def test_name_key_chooses_the_script():
    assert name_key("ຄຳຫຼ້າ") == lao_key("ຄຳຫຼ້າ")
    assert name_key("Khamla") == latin_key("Khamla") == "kamla"


def test_fold_accents():
    assert fold_accents("Phétsàmoné") == "Phetsamone"


def test_latin_rules_run_the_same_in_polars():
    names = ["phetsamone", "xaysomboun", "chanthavong", "vilayvanh", "souvanna", "kham-la",
             "rattana", "khounnavong", "aee", "sisouphanh", "bee", "ooue"]
    column = polars.Series("name", names)
    for pattern, replacement in LATIN_KEY_RULES:
        column = column.str.replace_all(pattern, replacement)
    assert column.to_list() == [latin_key(name) for name in names]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_latin_key_only_ever_holds_plain_letters(text):
    assert set(latin_key(text)) <= set("abcdefghijklmnopqrstuvwxyz")
    is_broken_lao(text)  # never raises


# --- registering and changing ----------------------------------------------------------------

@pytest.fixture
def vientiane(geography):
    return geography["0101001"]


def audit_actions(instance) -> list[str]:
    return list(AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=instance.pk
    ).order_by("id").values_list("action", flat=True))


def test_register_person_stores_keys_and_audits(staff, vientiane):
    actor = staff["district_chanthabuly"]
    registration = services.register_person(
        actor, {**VALID, "given_name_latin": "Phetsamone", "given_name_lo": "ຄຳຫຼ້າ"},
        village=vientiane, today=TODAY)
    person = Person.objects.get(pk=registration.person.pk)
    assert registration.duplicates_queued == 0
    assert person.village == vientiane and person.status == Person.Status.ACTIVE
    assert (person.given_key_latin, person.family_key_latin) == ("petsamon", "pomawong")
    assert person.given_key_lo == lao_key("ຄຳຫຼ້າ")
    event = AuditEvent.objects.get(object_type="registry.person", object_id=person.pk)
    assert (event.action, event.actor) == (AuditEvent.Action.CREATE, actor)
    assert event.after["given_name_latin"] == "Phetsamone"


def test_register_person_with_errors_writes_nothing(staff, vientiane):
    with pytest.raises(RegistryValidationError):
        services.register_person(staff["admin"], {**VALID, "sex": "?"}, village=vientiane)
    assert not Person.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(("actor_key", "refusal"), [
    ("district_sikhottabong", OutOfScope),
    ("province_luangprabang", OutOfScope),
    ("auditor", PermissionDenied),
    ("employer", PermissionDenied),
    ("member", PermissionDenied),
    ("public", PermissionDenied),
])
def test_register_person_refused_outside_scope_or_role(staff, vientiane, actor_key, refusal):
    with pytest.raises(refusal):
        services.register_person(staff[actor_key], VALID, village=vientiane)
    assert not Person.objects.exists()


def test_register_person_refused_for_anonymous_or_no_actor(vientiane):
    from django.contrib.auth.models import AnonymousUser

    for actor in (None, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.register_person(actor, VALID, village=vientiane)


def test_register_person_into_a_household_as_head(staff, vientiane):
    household = make_household(vientiane)
    registration = services.register_person(
        staff["district_chanthabuly"], {**VALID, "relationship_to_head": "head",
                                        "family_book_number": "IGNORED-1"},
        village=vientiane, household=household)
    household.refresh_from_db()
    assert household.head == registration.person
    assert registration.person.family_book_number == household.family_book_number
    assert audit_actions(household) == ["create", "update"]


def test_register_person_into_a_household_outside_scope_is_refused(staff, geography):
    household = make_household(geography["0102001"])
    with pytest.raises(OutOfScope):
        services.register_person(staff["district_chanthabuly"], VALID,
                                 village=geography["0101001"], household=household)
    assert not Person.objects.exists()


def test_same_national_id_is_registered_and_queued_as_duplicate(staff, geography):
    first = make_person(geography["0601001"], national_id="ID-000777")
    registration = services.register_person(
        staff["admin"], {**VALID, "national_id": "id-000777"}, village=geography["0101001"])
    assert registration.duplicates_queued == 1
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.person, candidate.existing) == (registration.person, first)
    assert candidate.reason == DuplicateCandidate.Reason.SAME_NATIONAL_ID
    assert candidate.status == DuplicateCandidate.Status.PENDING


def test_similar_name_same_birth_and_sex_in_the_same_district_is_queued(staff, geography):
    first = make_person(geography["0101001"], **VALID, national_id="")
    registration = services.register_person(
        staff["admin"], {**VALID, "given_name_latin": "Somxay", "family_name_latin": "Pommavong"},
        village=geography["0101002"])
    candidate = DuplicateCandidate.objects.get()
    assert registration.duplicates_queued == 1
    assert candidate.existing == first and candidate.reason == "similar_name"
    assert 0.8 <= candidate.score < 1


def test_swapped_given_and_family_names_are_queued(staff, geography):
    make_person(geography["0101001"], **VALID, national_id="")
    registration = services.register_person(
        staff["admin"], {**VALID, "given_name_latin": "Phommavong",
                         "family_name_latin": "Somchai"}, village=geography["0101001"])
    assert registration.duplicates_queued == 1


@pytest.mark.parametrize("difference", [
    {"village": "0102001"},  # another district
    {"village": "0601001"},  # another province
    {"sex": "F"},
    {"date_of_birth": "1985-04-01"},
    {"given_name_latin": "Bounmy", "family_name_latin": "Keomany"},
])
def test_no_duplicate_without_the_same_birth_sex_district_and_close_name(staff, geography,
                                                                         difference):
    make_person(geography["0101001"], **VALID, national_id="")
    fields = {**VALID, **{k: v for k, v in difference.items() if k != "village"}}
    village = geography[difference.get("village", "0101001")]
    registration = services.register_person(staff["admin"], fields, village=village)
    assert registration.duplicates_queued == 0 and not DuplicateCandidate.objects.exists()


def test_merged_records_are_not_offered_as_duplicates(staff, geography):
    kept = make_person(geography["0101001"], national_id="ID-000888")
    other = make_person(geography["0101001"], national_id="ID-000888")
    services.merge_duplicate(staff["admin"], DuplicateCandidate.objects.get(), keep=kept)
    assert Person.objects.get(pk=other.pk).status == Person.Status.MERGED
    registration = services.register_person(staff["admin"], {**VALID, "national_id": "ID-000888"},
                                            village=geography["0101001"])
    assert registration.duplicates_queued == 1
    assert DuplicateCandidate.objects.filter(status="pending").get().existing == kept


def test_queue_likely_duplicates_for_a_batch_pairs_each_couple_once(geography):
    village = geography["0101001"]
    people = [make_person(village, **VALID, national_id="ID-424242") for _ in range(3)]
    DuplicateCandidate.objects.all().delete()
    queued = deduplication.queue_likely_duplicates(people[0].pk, people[-1].pk)
    pairs = set(DuplicateCandidate.objects.values_list("person_id", "existing_id"))
    ids = [p.pk for p in people]
    assert pairs == {(ids[1], ids[0]), (ids[2], ids[0]), (ids[2], ids[1])}
    assert queued == 3
    deduplication.queue_likely_duplicates(people[0].pk, people[-1].pk)
    assert DuplicateCandidate.objects.count() == 3


def test_name_similarity_tolerates_swapped_order():
    assert deduplication.name_similarity(("somjai", "pomawong"), ("pomawong", "somjai")) == 1.0
    assert deduplication.name_similarity(("somjai", "pomawong"), ("bunmi", "kemani")) < 0.5


def test_register_household(staff, vientiane):
    household = services.register_household(
        staff["district_chanthabuly"], family_book_number=" fb-0101-0001 ", village=vientiane)
    assert household.family_book_number == "FB-0101-0001"
    assert audit_actions(household) == ["create"]


@pytest.mark.parametrize(("number", "code"), [
    ("FB 1", "bad_identifier"), ("", "bad_identifier"), ("X" * 21, "bad_identifier"),
    ("fb-0001-01", "household_exists")])
def test_register_household_refuses_bad_or_repeated_numbers(staff, vientiane, number, code):
    make_household(vientiane, "FB-0001-01")
    assert refused_codes(lambda: services.register_household(
        staff["admin"], family_book_number=number, village=vientiane)) == [
        ("family_book_number", code)]
    assert Household.objects.count() == 1


@pytest.mark.parametrize(("actor_key", "refusal"), [
    ("district_sikhottabong", OutOfScope), ("auditor", PermissionDenied),
    ("public", PermissionDenied)])
def test_register_household_scope_and_role(staff, vientiane, actor_key, refusal):
    with pytest.raises(refusal):
        services.register_household(staff[actor_key], family_book_number="FB-000001",
                                    village=vientiane)


def test_village_by_code(staff, geography):
    district = staff["district_chanthabuly"]
    assert services.village_by_code(district, "0101002") == geography["0101002"]
    assert refused_codes(lambda: services.village_by_code(district, "0102001")) == [
        ("village_code", "outside_scope")]
    assert refused_codes(lambda: services.village_by_code(district, "9999999")) == [
        ("village_code", "unknown_village")]
    assert refused_codes(lambda: services.village_by_code(None, "0101")) == [
        ("village_code", "unknown_village")]  # a district is not a village
    assert services.village_by_code(None, "0601001") == geography["0601001"]


def test_update_person_recomputes_keys_and_audits_only_the_change(staff, vientiane):
    person = make_person(vientiane, phone="")
    services.update_person(staff["district_chanthabuly"], person,
                           {"given_name_latin": "Phetsamone", "phone": "020 5555 1234"})
    person.refresh_from_db()
    assert person.given_key_latin == "petsamon" and person.phone == "020 5555 1234"
    event = AuditEvent.objects.filter(object_id=person.pk, action="update").get()
    assert set(event.after) == {"given_name_latin", "phone", "given_key_latin", "updated_at"}
    assert event.before["phone"] == ""


def test_update_person_with_errors_changes_nothing(staff, vientiane):
    person = make_person(vientiane)
    before = Person.objects.filter(pk=person.pk).values().get()
    assert refused_codes(lambda: services.update_person(
        staff["admin"], person, {"given_name_latin": "", "sex": "Q"})) == [
        ("given_name_latin", "required"), ("sex", "bad_sex")]
    assert Person.objects.filter(pk=person.pk).values().get() == before
    assert audit_actions(person) == ["create"]


@pytest.mark.parametrize("actor_key", ["district_sikhottabong", "province_luangprabang",
                                       "auditor", "member"])
def test_update_person_refused_outside_scope_or_role(staff, vientiane, actor_key):
    person = make_person(vientiane)
    with pytest.raises(PermissionDenied):
        services.update_person(staff[actor_key], person, {"phone": "020 5555 1234"})
    person.refresh_from_db()
    assert person.phone == ""


# --- life events -----------------------------------------------------------------------------

def test_record_birth_registers_a_child_into_the_household(staff, vientiane, today):
    household, _head = make_household_with_head(vientiane)
    born = today - datetime.timedelta(days=3)
    registration = services.record_birth(
        staff["district_chanthabuly"], {**VALID, "date_of_birth": None},
        household=household, occurred_on=born)
    child = registration.person
    assert (child.date_of_birth, child.relationship_to_head) == (born, "child")
    assert (child.household, child.village) == (household, vientiane)
    assert child.family_book_number == household.family_book_number
    event = child.life_events.get()
    assert (event.kind, event.occurred_on, event.recorded_by) == (
        LifeEvent.Kind.BIRTH, born, staff["district_chanthabuly"])
    assert event.details == {"household": household.family_book_number}


def test_record_birth_in_the_future_is_refused_and_writes_nothing(staff, vientiane, today):
    household, _ = make_household_with_head(vientiane)
    tomorrow = today + datetime.timedelta(days=1)
    assert refused_codes(lambda: services.record_birth(
        staff["admin"], VALID, household=household, occurred_on=tomorrow)) == [
        ("occurred_on", "future_date")]
    assert household.members.count() == 1 and not LifeEvent.objects.exists()


def test_record_birth_outside_scope(staff, geography, today):
    household, _ = make_household_with_head(geography["0601001"])
    with pytest.raises(OutOfScope):
        services.record_birth(staff["province_vientiane"], VALID, household=household,
                              occurred_on=today)


def test_record_death(staff, vientiane, today):
    person = make_person(vientiane)
    event = services.record_death(staff["district_chanthabuly"], person, occurred_on=today)
    person.refresh_from_db()
    assert person.date_of_death == today and event.kind == "death"
    assert AuditEvent.objects.filter(object_id=person.pk, note="death").exists()
    assert refused_codes(lambda: services.record_death(
        staff["admin"], person, occurred_on=today)) == [("date_of_death", "already_dead")]


def test_record_death_before_birth_or_in_the_future_is_refused(staff, vientiane, today):
    person = make_person(vientiane, date_of_birth="2000-01-01")
    assert refused_codes(lambda: services.record_death(
        staff["admin"], person, occurred_on=datetime.date(1999, 12, 31))) == [
        ("date_of_death", "death_before_birth")]
    assert refused_codes(lambda: services.record_death(
        staff["admin"], person, occurred_on=today + datetime.timedelta(days=1))) == [
        ("occurred_on", "future_date")]
    person.refresh_from_db()
    assert person.date_of_death is None and not LifeEvent.objects.exists()


def test_record_move_of_one_person(staff, geography, today):
    person = make_person(geography["0101001"])
    event = services.record_move(staff["district_chanthabuly"], person,
                                 village=geography["0601001"], occurred_on=today)
    assert Person.objects.get(pk=person.pk).village == geography["0601001"]
    assert event.details == {"from_village": "0101001", "to_village": "0601001",
                             "with_household": False}
    # The office of the old village no longer sees the person.
    with pytest.raises(OutOfScope):
        selectors.person_for(staff["district_chanthabuly"], person.pk)


def test_record_move_with_household_moves_the_living_members_and_the_book(staff, geography,
                                                                         today):
    household, head = make_household_with_head(geography["0101001"])
    spouse = make_person(geography["0101001"], household=household,
                         relationship_to_head="spouse")
    departed = make_person(geography["0101001"], household=household,
                           relationship_to_head="parent", date_of_death="2020-01-01")
    services.record_move(staff["admin"], head, village=geography["0102001"], occurred_on=today,
                         with_household=True)
    household.refresh_from_db()
    assert household.village == geography["0102001"]
    assert head.village == geography["0102001"]  # the caller's object is up to date too
    assert Person.objects.get(pk=spouse.pk).village == geography["0102001"]
    assert Person.objects.get(pk=departed.pk).village == geography["0101001"]


def test_record_move_refusals(staff, geography, today):
    person = make_person(geography["0101001"])
    assert refused_codes(lambda: services.record_move(
        staff["admin"], person, village=geography["0101"], occurred_on=today)) == [
        ("village_code", "unknown_village")]
    assert refused_codes(lambda: services.record_move(
        staff["admin"], person, village=geography["0101002"],
        occurred_on=today + datetime.timedelta(days=2))) == [("occurred_on", "future_date")]
    with pytest.raises(OutOfScope):
        services.record_move(staff["district_sikhottabong"], person,
                             village=geography["0102001"], occurred_on=today)
    assert Person.objects.get(pk=person.pk).village == geography["0101001"]
    assert not LifeEvent.objects.exists()


def test_record_move_with_household_in_the_future_moves_nobody(staff, geography, today):
    household, head = make_household_with_head(geography["0101001"])
    with pytest.raises(RegistryValidationError):
        services.record_move(staff["admin"], head, village=geography["0102001"],
                             occurred_on=today + datetime.timedelta(days=1), with_household=True)
    assert Household.objects.get(pk=household.pk).village == geography["0101001"]
    assert Person.objects.get(pk=head.pk).village == geography["0101001"]


def test_record_marriage_into_another_household(staff, geography, today):
    old_household, bride = make_household_with_head(geography["0101001"])
    new_household, _groom = make_household_with_head(geography["0601001"])
    with pytest.raises(OutOfScope):  # across areas: for an officer whose area covers both
        services.record_marriage(staff["district_chanthabuly"], bride,
                                 into_household=new_household, occurred_on=today)
    event = services.record_marriage(staff["central"], bride, into_household=new_household,
                                     occurred_on=today)
    bride.refresh_from_db()
    old_household.refresh_from_db()
    assert (bride.household, bride.village) == (new_household, geography["0601001"])
    assert bride.family_book_number == new_household.family_book_number
    assert bride.relationship_to_head == "spouse"
    assert old_household.head is None
    assert event.details == {"from_household": old_household.family_book_number,
                             "to_household": new_household.family_book_number}


def test_record_marriage_refusals(staff, geography, today):
    household, head = make_household_with_head(geography["0101001"])
    other = make_household(geography["0101002"])
    assert refused_codes(lambda: services.record_marriage(
        staff["admin"], head, into_household=household, occurred_on=today)) == [
        ("household", "same_household")]
    assert refused_codes(lambda: services.record_marriage(
        staff["admin"], head, into_household=other, occurred_on=today,
        relationship="head")) == [("relationship_to_head", "bad_relationship")]
    assert refused_codes(lambda: services.record_marriage(
        staff["admin"], head, into_household=other, occurred_on=today,
        relationship="friend")) == [("relationship_to_head", "bad_relationship")]
    with pytest.raises(PermissionDenied):
        services.record_marriage(staff["auditor"], head, into_household=other,
                                 occurred_on=today)
    assert Person.objects.get(pk=head.pk).household == household


# --- duplicate decisions ---------------------------------------------------------------------

@pytest.fixture
def duplicate_pair(geography):
    _household, existing = make_household_with_head(geography["0101001"], national_id="ID-123123",
                                                   phone="")
    newer = make_person(geography["0101002"], national_id="ID-123123", phone="020 1234 5678")
    return DuplicateCandidate.objects.get(), existing, newer


def test_merge_keeps_one_record_and_fills_its_blanks(staff, duplicate_pair):
    candidate, existing, newer = duplicate_pair
    kept = services.merge_duplicate(staff["district_chanthabuly"], candidate, keep=newer,
                                    note="same card")
    existing.refresh_from_db()
    assert kept == newer and kept.national_id == "ID-123123"
    assert kept.household == existing.household and kept.phone == "020 1234 5678"
    assert (existing.status, existing.merged_into, existing.national_id) == (
        Person.Status.MERGED, newer, None)
    assert Household.objects.get(pk=existing.household_id).head == newer
    candidate.refresh_from_db()
    assert (candidate.status, candidate.decided_by, candidate.decision_note) == (
        "merged", staff["district_chanthabuly"], "same card")
    assert "merge" in audit_actions(existing)
    with pytest.raises(OutOfScope):
        selectors.person_for(staff["admin"], existing.pk)


def test_merge_closes_other_pending_pairs_of_the_retired_record(staff, geography, duplicate_pair):
    candidate, existing, _newer = duplicate_pair
    third = make_person(geography["0101001"], national_id="ID-123123")
    assert DuplicateCandidate.objects.filter(status="pending").count() == 3
    services.merge_duplicate(staff["admin"], candidate, keep=existing)
    pending = DuplicateCandidate.objects.filter(status="pending")
    assert list(pending.values_list("person_id", "existing_id")) == [(third.pk, existing.pk)]


def test_merge_refusals(staff, geography, duplicate_pair):
    candidate, existing, _newer = duplicate_pair
    stranger = make_person(geography["0101001"])
    assert refused_codes(lambda: services.merge_duplicate(
        staff["admin"], candidate, keep=stranger)) == [("keep", "not_in_pair")]
    with pytest.raises(PermissionDenied):
        services.merge_duplicate(staff["auditor"], candidate, keep=existing)
    with pytest.raises(OutOfScope):
        services.merge_duplicate(staff["district_sikhottabong"], candidate, keep=existing)
    assert Person.objects.filter(status="merged").count() == 0
    services.keep_apart(staff["admin"], candidate, note="twins")
    assert refused_codes(lambda: services.merge_duplicate(
        staff["admin"], candidate, keep=existing)) == [("status", "already_decided")]
    assert refused_codes(lambda: services.keep_apart(staff["admin"], candidate)) == [
        ("status", "already_decided")]


def test_deciding_a_pair_needs_both_records_in_scope(staff, geography):
    make_person(geography["0101001"], national_id="ID-555555")
    make_person(geography["0601001"], national_id="ID-555555")
    candidate = DuplicateCandidate.objects.get()
    for actor_key in ("district_chanthabuly", "province_vientiane", "province_luangprabang"):
        with pytest.raises(OutOfScope):
            services.keep_apart(staff[actor_key], candidate)
        assert not selectors.duplicate_queue(staff[actor_key]).exists()
    assert services.keep_apart(staff["central"], candidate).status == "kept_apart"


# --- selectors -------------------------------------------------------------------------------

@pytest.fixture
def people(geography):
    village = geography["0101001"]
    return {
        "phetsamone": make_person(village, given_name_latin="Phetsamone",
                                  family_name_latin="Xaysomboun", given_name_lo="ເພັດສະໝອນ",
                                  family_name_lo="ໄຊສົມບູນ", national_id="AB-100001",
                                  family_book_number="FB-777001"),
        "khamla": make_person(geography["0101002"], given_name_latin="Khamla",
                              family_name_latin="Phommavong", given_name_lo="ຄຳຫຼ້າ",
                              family_name_lo="ພົມມະວົງ"),
        "far": make_person(geography["0601001"], given_name_latin="Phetsamone",
                           family_name_latin="Keomany", given_name_lo="ເພັດສະໝອນ",
                           family_name_lo="ແກ້ວມະນີ"),
    }


def found(user, query, **options) -> set[str]:
    return {p.given_name_latin + " " + p.family_name_latin
            for p in selectors.search_people(user, query, **options)}


def test_search_by_name_in_either_spelling_or_script(staff, people):
    admin = staff["admin"]
    both = {"Phetsamone Xaysomboun", "Phetsamone Keomany"}
    assert found(admin, "petsamon") == both
    assert found(admin, "Phetsamon Saisomboun") == {"Phetsamone Xaysomboun"}
    assert found(admin, "saisom") == {"Phetsamone Xaysomboun"}
    assert found(admin, "ຄຳຫລາ") == {"Khamla Phommavong"}
    assert found(admin, "ພົມມະ") == {"Khamla Phommavong"}
    assert found(admin, "xaysomboun keomany") == set()


def test_search_by_identifiers(staff, people):
    admin = staff["admin"]
    assert found(admin, "ab-100001") == {"Phetsamone Xaysomboun"}
    assert found(admin, "FB-777001") == {"Phetsamone Xaysomboun"}
    assert found(admin, str(people["khamla"].pk)) == {"Khamla Phommavong"}
    assert found(admin, "99999999999999999999999") == set()


def test_search_stays_in_scope(staff, people):
    assert found(staff["district_chanthabuly"], "phetsamone") == {"Phetsamone Xaysomboun"}
    assert found(staff["province_luangprabang"], "phetsamone") == {"Phetsamone Keomany"}
    assert found(staff["district_sikhottabong"], "phetsamone") == set()
    assert found(staff["district_sikhottabong"], str(people["khamla"].pk)) == set()
    for key in ("employer", "member", "public"):
        assert found(staff[key], "phetsamone") == set()


def test_search_by_village_and_blank_query(staff, people):
    admin = staff["admin"]
    assert found(admin, "") == set()
    assert found(admin, "", village_code="0101002") == {"Khamla Phommavong"}
    assert found(admin, "phetsamone", village_code="0601001") == {"Phetsamone Keomany"}
    assert found(staff["district_chanthabuly"], "", village_code="0601001") == set()


@pytest.mark.parametrize("query", ["h", ".", "-", "hh h", "\u0ec8"])
def test_search_words_without_any_letter_to_match_find_nobody(staff, people, query):
    assert found(staff["admin"], query) == set()


def test_search_limit(staff, people):
    assert len(selectors.search_people(staff["admin"], "phetsamone", limit=1)) == 1


def test_open_person_record_logs_the_view_and_hides_what_is_out_of_scope(staff, people):
    person = people["phetsamone"]
    district = staff["district_chanthabuly"]
    assert selectors.open_person_record(district, person.pk) == person
    view = AuditEvent.objects.get(action="view")
    assert (view.actor, view.object_id) == (district, person.pk)
    for user_key, person_id in (("district_sikhottabong", person.pk),
                                ("district_sikhottabong", 10**9), ("public", person.pk)):
        with pytest.raises(OutOfScope):
            selectors.open_person_record(staff[user_key], person_id)
    assert AuditEvent.objects.filter(action="view").count() == 1


def test_households_and_villages_in_scope(staff, geography):
    household, _head = make_household_with_head(geography["0101001"])
    make_person(geography["0101001"], household=household, relationship_to_head="child")
    district = staff["district_chanthabuly"]
    assert selectors.household_for(district, household.pk) == household
    assert selectors.household_members(household).count() == 2
    assert selectors.households_in_village(district, "0101001").get().member_count == 2
    with pytest.raises(OutOfScope):
        selectors.household_for(staff["district_sikhottabong"], household.pk)
    assert {v.code for v in selectors.villages_in_scope(district)} == {"0101001", "0101002"}
    assert {v.code for v in selectors.villages_in_scope(staff["province_vientiane"])} == {
        "0101001", "0101002", "0102001"}
    assert not selectors.villages_in_scope(staff["member"]).exists()
    assert selectors.village_for(district, "0101002").code == "0101002"
    with pytest.raises(OutOfScope):
        selectors.village_for(district, "0601001")


def test_life_events_and_history(staff, geography, today):
    person = make_person(geography["0101001"])
    services.record_move(staff["admin"], person, village=geography["0101002"],
                         occurred_on=today - datetime.timedelta(days=10))
    services.record_death(staff["admin"], Person.objects.get(pk=person.pk), occurred_on=today)
    assert [e.kind for e in selectors.life_events_of(person)] == ["death", "move"]
    assert [e.action for e in selectors.person_history(person).order_by("id")] == [
        "create", "update", "update"]


# --- sign-in throttling ----------------------------------------------------------------------

def sign_in(username: str, password: str, address: str = "10.0.0.1"):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
    return authenticate_throttled(request, username, password)


@pytest.fixture
def failure_limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    return 3


def test_sign_in_with_the_right_password(staff):
    assert sign_in("dist_ctb", "correct-horse-battery") == staff["district_chanthabuly"]
    assert sign_in("dist_ctb", "wrong") is None


def test_too_many_failures_lock_the_username_even_with_the_right_password(staff, failure_limit):
    for _ in range(failure_limit):
        assert sign_in("dist_ctb", "wrong", address=f"10.0.0.{_}") is None
    assert login_locked("dist_ctb", "10.9.9.9")
    assert login_locked("DIST_CTB", "10.9.9.9")
    with pytest.raises(LoginThrottled):
        sign_in("dist_ctb", "correct-horse-battery", address="10.9.9.9")
    assert sign_in("dist_skb", "correct-horse-battery", address="10.9.9.9") == staff[
        "district_sikhottabong"]


def test_too_many_failures_from_one_address_lock_that_address(staff, failure_limit):
    for username in ("a", "b", "c"):
        assert sign_in(username, "wrong", address="10.1.1.1") is None
    with pytest.raises(LoginThrottled):
        sign_in("dist_ctb", "correct-horse-battery", address="10.1.1.1")
    assert sign_in("dist_ctb", "correct-horse-battery", address="10.1.1.2") is not None


def test_a_successful_sign_in_forgets_earlier_failures_of_the_username(staff, failure_limit):
    for attempt in range(failure_limit - 1):
        sign_in("dist_ctb", "wrong", address=f"10.2.0.{attempt}")
    assert sign_in("dist_ctb", "correct-horse-battery", address="10.2.1.1") is not None
    for attempt in range(failure_limit - 1):
        sign_in("dist_ctb", "wrong", address=f"10.3.0.{attempt}")
    assert not login_locked("dist_ctb", "10.4.0.0")


def test_factory_people_are_registered_through_the_service(geography):
    person = make_person(geography["0102001"])
    assert audit_actions(person) == ["create"]
    assert AuditEvent.objects.get(object_id=person.pk).actor == system_admin()
    assert person_fields()["given_name_latin"] != person_fields()["given_name_latin"]
