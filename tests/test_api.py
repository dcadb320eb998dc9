"""The registry REST API: every endpoint's happy path and its refusals, the error shape in both
languages, tokens and throttling, and the OpenAPI schema and its documentation page."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pakan.audit.models import AuditEvent
from pakan.registry import services
from pakan.registry.models import DuplicateCandidate, Household, LifeEvent, Person
from pakan.registry.names import contains_lao
from tests.factories import make_household, make_household_with_head, make_person

NEW_PERSON = {
    "given_name_lo": "ສົມໃຈ",
    "family_name_lo": "ພົມມະວົງ",
    "given_name_latin": "Somchai",
    "family_name_latin": "Phommavong",
    "sex": "M",
    "date_of_birth": "1985-03-31",
    "village_code": "0101001",
}
PASSWORD = "correct-horse-battery"  # tests/conftest.py


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def officer(staff) -> APIClient:
    """The district officer of Chanthabuly (0101), the usual caller below."""
    return client_for(staff["district_chanthabuly"])


@pytest.fixture
def admin(staff) -> APIClient:
    return client_for(staff["admin"])


def url(name: str, *args) -> str:
    return reverse(f"registry-api:{name}", args=args)


def errors_of(response) -> list[tuple[str | None, str]]:
    """(field, code) pairs of an error answer, after checking every error is bilingual."""
    body = response.json()
    assert set(body) == {"errors"}, body
    for error in body["errors"]:
        assert set(error) == {"field", "code", "reason_en", "reason_lo"}, error
        assert error["reason_en"] and not contains_lao(error["reason_en"]), error
        assert contains_lao(error["reason_lo"]), error
    return [(error["field"], error["code"]) for error in body["errors"]]


def post(client: APIClient, path: str, body) -> object:
    return client.post(path, body, format="json")


# --- tokens ----------------------------------------------------------------------------------

TOKEN_URL = "/api/v1/auth/token/"


def test_token_for_username_and_password_then_use_it(staff):
    response = APIClient().post(TOKEN_URL, {"username": "dist_ctb", "password": PASSWORD},
                                format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "dist_ctb" and body["role"] == "district_officer"
    assert body["token"] == Token.objects.get(user=staff["district_chanthabuly"]).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get(url("villages")).status_code == 200
    again = APIClient().post(TOKEN_URL, {"username": "dist_ctb", "password": PASSWORD},
                             format="json")
    assert again.json()["token"] == body["token"]


@pytest.mark.parametrize(("body", "expected"), [
    ({"username": "dist_ctb", "password": "wrong"}, [(None, "invalid_credentials")]),
    ({"username": "nobody", "password": PASSWORD}, [(None, "invalid_credentials")]),
    ({"username": "dist_ctb"}, [("password", "required")]),
    ({}, [("username", "required"), ("password", "required")]),
    ({"username": 42, "password": PASSWORD}, [("username", "not_text")]),
    (["dist_ctb", PASSWORD], [(None, "not_an_object")]),
])
def test_token_refusals(staff, body, expected):
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert errors_of(response) == expected
    assert not Token.objects.exists()


def test_token_sign_in_is_throttled_even_with_the_right_password(staff, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = APIClient()
    for _ in range(3):
        refused = client.post(TOKEN_URL, {"username": "dist_ctb", "password": "guess"},
                              format="json")
        assert refused.status_code == 400
    locked = client.post(TOKEN_URL, {"username": "dist_ctb", "password": PASSWORD},
                         format="json")
    assert locked.status_code == 429
    assert errors_of(locked) == [(None, "throttled")]
    assert int(locked["Retry-After"]) == settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert not Token.objects.exists()
    # Another account from another address is not locked out by this one.
    other = APIClient(REMOTE_ADDR="10.20.30.40").post(
        TOKEN_URL, {"username": "dist_skb", "password": PASSWORD}, format="json")
    assert other.status_code == 200


ENDPOINTS = [
    ("get", "/api/v1/people/?q=somchai"),
    ("post", "/api/v1/people/"),
    ("get", "/api/v1/people/1/"),
    ("post", "/api/v1/people/1/events/"),
    ("post", "/api/v1/households/"),
    ("get", "/api/v1/households/1/"),
    ("post", "/api/v1/households/1/births/"),
    ("get", "/api/v1/villages/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_token_is_required(db, method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert errors_of(response) == [(None, "not_authenticated")]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_wrong_token_is_refused(db, method, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = getattr(client, method)(path, {}, format="json")
    assert response.status_code == 401
    assert errors_of(response) == [(None, "authentication_failed")]


@pytest.mark.parametrize("role", ["employer", "member", "public"])
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_accounts_without_registry_access_are_refused(staff, role, method, path):
    response = getattr(client_for(staff[role]), method)(path, {}, format="json")
    assert response.status_code == 403
    assert errors_of(response) == [(None, "permission_denied")]


@pytest.mark.parametrize(("method", "path"), [e for e in ENDPOINTS if e[0] == "post"])
def test_the_auditor_may_read_but_not_write(staff, geography, method, path):
    response = client_for(staff["auditor"]).post(path, NEW_PERSON, format="json")
    assert response.status_code == 403
    assert errors_of(response) == [(None, "permission_denied")]
    assert not Person.objects.exists() and not Household.objects.exists()


def test_a_signed_in_session_works_too(staff, geography):
    person = make_person(geography["0101001"])
    client = APIClient()
    client.force_login(staff["district_chanthabuly"])
    assert client.get(url("person", person.pk)).status_code == 200


def test_a_session_write_needs_the_csrf_token(staff, geography):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff["district_chanthabuly"])
    response = client.post(url("people"), NEW_PERSON, format="json")
    assert response.status_code == 403
    assert not Person.objects.exists()


# --- search ----------------------------------------------------------------------------------

@pytest.fixture
def people(geography):
    return {
        "anou": make_person(geography["0101001"], given_name_latin="Phetsamone",
                            family_name_latin="Xaysomboun", national_id="AB-100001"),
        "mixay": make_person(geography["0101002"], given_name_latin="Phetsamone",
                             family_name_latin="Keomany"),
        "sikhottabong": make_person(geography["0102001"], given_name_latin="Phetsamone",
                                    family_name_latin="Inthavong"),
        "luangprabang": make_person(geography["0601001"], given_name_latin="Phetsamone",
                                    family_name_latin="Latsavong"),
    }


def search(client, **params) -> list[str]:
    response = client.get(url("people"), params)
    assert response.status_code == 200, response.content
    return [row["family_name_latin"] for row in response.json()["results"]]


def test_search_by_name_variant_within_scope(officer, admin, people):
    assert search(officer, q="petsamon") == ["Keomany", "Xaysomboun"]
    assert search(admin, q="Phetsamon") == ["Inthavong", "Keomany", "Latsavong", "Xaysomboun"]
    assert search(admin, q="petsamon saisom") == ["Xaysomboun"]


def test_search_by_identifier_and_village(officer, people):
    assert search(officer, q="ab-100001") == ["Xaysomboun"]
    assert search(officer, q=str(people["mixay"].pk)) == ["Keomany"]
    assert search(officer, q=str(people["sikhottabong"].pk)) == []
    assert search(officer, village="0101002") == ["Keomany"]
    assert search(officer, q="phetsamone", village="0102001") == []
    assert search(officer) == []


def test_an_overlong_query_is_refused(officer):
    response = officer.get(url("people"), {"q": "phetsamone " * 40})
    assert response.status_code == 400
    assert errors_of(response) == [("q", "max_length")]


def test_search_results_are_paginated(admin, people):
    response = admin.get(url("people"), {"q": "phetsamone", "limit": 2, "offset": 1})
    body = response.json()
    assert body["count"] == 4 and len(body["results"]) == 2
    assert "offset=3" in body["next"] and body["previous"] is not None
    row = body["results"][0]
    assert set(row) == {"id", "national_id", "family_book_number", "given_name_lo",
                        "family_name_lo", "given_name_latin", "family_name_latin", "sex",
                        "date_of_birth", "date_of_death", "village_code", "household",
                        "relationship_to_head"}


# --- reading a person ------------------------------------------------------------------------

def test_read_a_full_record_with_household_and_life_events(officer, staff, geography, today):
    household, head = make_household_with_head(geography["0101001"], phone="020 5555 1234")
    make_person(geography["0101001"], household=household, relationship_to_head="child")
    officer.post(url("person-events", head.pk),
                 {"kind": "move", "occurred_on": today.isoformat(), "village_code": "0101002"},
                 format="json")
    response = officer.get(url("person", head.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == head.pk and body["phone"] == "020 5555 1234"
    assert body["village"] == {
        "code": "0101002", "name_en": "Ban Mixay", "name_lo": "ບ້ານມີໄຊ",
        "district_code": "0101", "district_name_en": "Chanthabuly",
        "district_name_lo": "ຈັນທະບູລີ", "province_code": "01",
        "province_name_en": "Vientiane Capital", "province_name_lo": "ນະຄອນຫຼວງວຽງຈັນ"}
    assert body["household"] == {"id": household.pk,
                                 "family_book_number": household.family_book_number,
                                 "village_code": "0101001", "head": head.pk}
    [event] = body["life_events"]
    assert event["kind"] == "move" and event["recorded_by"] == "dist_ctb"
    assert event["details"]["to_village"] == "0101002"
    view = AuditEvent.objects.get(action="view")
    assert (view.actor, view.object_id) == (staff["district_chanthabuly"], head.pk)


def test_another_districts_person_looks_exactly_like_a_missing_one(officer, people):
    elsewhere = officer.get(url("person", people["sikhottabong"].pk))
    missing = officer.get(url("person", 987654321))
    huge = officer.get(url("person", 10**30))
    assert elsewhere.status_code == missing.status_code == huge.status_code == 404
    assert elsewhere.json() == missing.json() == huge.json()
    assert errors_of(missing) == [(None, "not_found")]
    assert elsewhere.content == missing.content
    assert not AuditEvent.objects.filter(action="view").exists()


def test_a_merged_record_is_not_found(admin, staff, geography):
    kept = make_person(geography["0101001"], national_id="ID-300300")
    retired = make_person(geography["0101001"], national_id="ID-300300")
    services.merge_duplicate(staff["admin"], DuplicateCandidate.objects.get(), keep=kept)
    assert admin.get(url("person", retired.pk)).status_code == 404
    assert admin.get(url("person", kept.pk)).status_code == 200


def test_the_auditor_reads_and_is_logged(staff, people):
    response = client_for(staff["auditor"]).get(url("person", people["luangprabang"].pk))
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="view").actor == staff["auditor"]


# --- registering a person --------------------------------------------------------------------

def test_register_a_person(officer, staff):
    response = post(officer, url("people"), {**NEW_PERSON, "national_id": "ab-123456",
                                             "uxo_survivor": True, "difficulty_walking": 3})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["duplicates_queued"] == 0
    person = Person.objects.get(pk=body["person"]["id"])
    assert person.national_id == "AB-123456" and person.uxo_survivor
    assert person.difficulty_walking == 3 and person.village.code == "0101001"
    assert body["person"]["village"]["district_code"] == "0101"
    assert body["person"]["life_events"] == [] and body["person"]["household"] is None
    assert AuditEvent.objects.get(object_id=person.pk).actor == staff["district_chanthabuly"]


def test_same_national_id_is_registered_and_a_duplicate_candidate_queued(officer, geography):
    existing = make_person(geography["0601001"], national_id="AB-123456")
    response = post(officer, url("people"), {**NEW_PERSON, "national_id": "AB-123456"})
    assert response.status_code == 201
    assert response.json()["duplicates_queued"] == 1
    candidate = DuplicateCandidate.objects.get()
    assert candidate.person_id == response.json()["person"]["id"]
    assert candidate.existing == existing and candidate.reason == "same_national_id"


def test_register_into_a_household(officer, geography):
    household = make_household(geography["0101002"])
    response = post(officer, url("people"), {**NEW_PERSON, "village_code": "",
                                             "household": household.pk,
                                             "relationship_to_head": "head"})
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["person"]["id"])
    assert person.household == household and person.village.code == "0101002"
    assert Household.objects.get(pk=household.pk).head == person
    assert response.json()["person"]["household"]["head"] == person.pk


def test_register_into_a_household_of_another_village_or_area(officer, geography):
    here = make_household(geography["0101002"])
    elsewhere = make_household(geography["0102001"])
    response = post(officer, url("people"), {**NEW_PERSON, "household": here.pk})
    assert errors_of(response) == [("village_code", "household_in_other_village")]
    outside = post(officer, url("people"), {**NEW_PERSON, "household": elsewhere.pk})
    missing = post(officer, url("people"), {**NEW_PERSON, "household": 10**12})
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json()
    assert errors_of(outside) == [("household", "unknown_household_id")]
    assert not Person.objects.exists()


def test_missing_fields_are_each_named(officer):
    response = post(officer, url("people"), {})
    assert response.status_code == 400
    assert set(errors_of(response)) == {
        (field, "required") for field in ("given_name_lo", "family_name_lo", "given_name_latin",
                                          "family_name_latin", "sex", "date_of_birth")}


def test_missing_village_and_bad_fields_come_back_together(officer):
    response = post(officer, url("people"), {**NEW_PERSON, "village_code": "", "sex": "X"})
    assert errors_of(response) == [("village_code", "required"), ("sex", "bad_sex")]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"given_name_lo": 123}, [("given_name_lo", "not_text")]),
    ({"sex": ["M"]}, [("sex", "not_text")]),
    ({"date_of_birth": 19850331}, [("date_of_birth", "not_text")]),
    ({"date_of_birth": None}, [("date_of_birth", "required")]),
    ({"difficulty_seeing": "a lot"}, [("difficulty_seeing", "not_integer")]),
    ({"difficulty_seeing": True}, [("difficulty_seeing", "not_integer")]),
    ({"difficulty_seeing": 2.5}, [("difficulty_seeing", "not_integer")]),
    ({"uxo_survivor": "maybe"}, [("uxo_survivor", "not_boolean")]),
    ({"household": "FB-1"}, [("household", "not_integer")]),
    ({"village_code": {"code": "0101001"}}, [("village_code", "not_text")]),
    ({"nickname": "Noy"}, [("nickname", "unknown_field")]),
])
def test_wrong_types_and_unknown_fields(officer, changes, expected):
    response = post(officer, url("people"), {**NEW_PERSON, **changes})
    assert response.status_code == 400
    assert errors_of(response) == expected
    assert not Person.objects.exists()


@pytest.mark.parametrize("date", ["31/03/1985", "1985/03/31", "19850331", "1985-3-31",
                                  "31 March 1985", "1985-02-29", "1985-03-31T08:00:00"])
def test_dates_in_other_formats_are_refused(officer, date):
    response = post(officer, url("people"), {**NEW_PERSON, "date_of_birth": date})
    assert errors_of(response) == [("date_of_birth", "bad_date")]


def test_future_and_impossible_dates_are_refused(officer, today):
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = post(officer, url("people"), {**NEW_PERSON, "date_of_birth": tomorrow})
    assert errors_of(response) == [("date_of_birth", "future_date")]
    response = post(officer, url("people"), {**NEW_PERSON, "date_of_death": "1980-01-01"})
    assert errors_of(response) == [("date_of_death", "death_before_birth")]
    response = post(officer, url("people"), {**NEW_PERSON, "date_of_birth": "1850-01-01"})
    assert errors_of(response) == [("date_of_birth", "too_old")]
    assert not Person.objects.exists()


@pytest.mark.parametrize(("village_code", "code"), [
    ("9999999", "unknown_village"), ("0101", "unknown_village"),
    ("0102001", "outside_scope"), ("0601001", "outside_scope")])
def test_unknown_or_out_of_scope_village(officer, village_code, code):
    response = post(officer, url("people"), {**NEW_PERSON, "village_code": village_code})
    assert errors_of(response) == [("village_code", code)]


@pytest.mark.parametrize("broken", ["\u0ec8ສົມໃຈ", "ສົ\u0ec8\u0ec9ມໃຈ", "Som\u0eb4chai"])
def test_broken_lao_is_refused(officer, broken):
    response = post(officer, url("people"), {**NEW_PERSON, "given_name_lo": broken})
    assert errors_of(response) == [("given_name_lo", "broken_lao")]


@pytest.mark.parametrize(("field", "value", "code"), [
    ("given_name_latin", "S" * 101, "too_long"),
    ("family_name_lo", "ກ" * 101, "too_long"),
    ("national_id", "1" * 21, "bad_identifier"),
    ("family_book_number", "F" * 21, "bad_identifier"),
    ("phone", "+" + "2" * 20, "bad_phone"),
    ("relationship_to_head", "x" * 50, "bad_relationship"),
    ("sex", "M" * 30, "bad_sex"),
])
def test_overlong_fields_are_refused(officer, field, value, code):
    response = post(officer, url("people"), {**NEW_PERSON, field: value})
    assert errors_of(response) == [(field, code)]
    assert not Person.objects.exists()


def test_body_must_be_a_json_object(officer):
    as_list = post(officer, url("people"), [NEW_PERSON])
    assert errors_of(as_list) == [(None, "not_an_object")]
    broken = officer.post(url("people"), "{not json", content_type="application/json")
    assert broken.status_code == 400 and errors_of(broken) == [(None, "parse_error")]
    form = officer.post(url("people"), NEW_PERSON)  # multipart form
    assert form.status_code == 415 and errors_of(form) == [(None, "unsupported_media_type")]


def test_wrong_method(officer):
    response = officer.delete(url("villages"))
    assert response.status_code == 405
    assert errors_of(response) == [(None, "method_not_allowed")]


# --- life events -----------------------------------------------------------------------------

def test_record_a_death(officer, geography, today):
    person = make_person(geography["0101001"])
    response = post(officer, url("person-events", person.pk),
                    {"kind": "death", "occurred_on": today.isoformat()})
    assert response.status_code == 201, response.content
    event = response.json()["event"]
    assert (event["kind"], event["person"], event["occurred_on"]) == (
        "death", person.pk, today.isoformat())
    assert Person.objects.get(pk=person.pk).date_of_death == today
    again = post(officer, url("person-events", person.pk),
                 {"kind": "death", "occurred_on": today.isoformat()})
    assert errors_of(again) == [("date_of_death", "already_dead")]


def test_record_a_move_out_of_the_district(officer, geography, today):
    household, head = make_household_with_head(geography["0101001"])
    spouse = make_person(geography["0101001"], household=household,
                         relationship_to_head="spouse")
    response = post(officer, url("person-events", head.pk),
                    {"kind": "move", "occurred_on": today.isoformat(),
                     "village_code": "0601001", "with_household": True})
    assert response.status_code == 201, response.content
    assert response.json()["event"]["details"] == {
        "from_village": "0101001", "to_village": "0601001", "with_household": True}
    assert {p.village.code for p in Person.objects.filter(pk__in=[head.pk, spouse.pk])} == {
        "0601001"}
    # The Chanthabuly office no longer sees them.
    assert officer.get(url("person", head.pk)).status_code == 404


def test_record_a_marriage_by_family_book_number(officer, geography, today):
    _, bride = make_household_with_head(geography["0101001"])
    household = make_household(geography["0101002"], "FB-2024-0001")
    response = post(officer, url("person-events", bride.pk),
                    {"kind": "marriage", "occurred_on": today.isoformat(),
                     "family_book_number": "fb-2024-0001"})
    assert response.status_code == 201, response.content
    bride.refresh_from_db()
    assert bride.household == household and bride.relationship_to_head == "spouse"
    assert bride.village.code == "0101002"


def test_a_marriage_into_a_household_of_another_area_reads_as_unknown(officer, geography,
                                                                        today):
    _, bride = make_household_with_head(geography["0101001"])
    make_household(geography["0102001"], "FB-2024-0002")
    response = post(officer, url("person-events", bride.pk),
                    {"kind": "marriage", "occurred_on": today.isoformat(),
                     "family_book_number": "FB-2024-0002"})
    missing = post(officer, url("person-events", bride.pk),
                   {"kind": "marriage", "occurred_on": today.isoformat(),
                    "family_book_number": "FB-2024-9999"})
    assert response.status_code == missing.status_code == 400
    assert response.json() == missing.json()
    assert response.json()["errors"][0]["code"] == "unknown_household"


@pytest.mark.parametrize(("body", "expected"), [
    ({"occurred_on": "2020-01-01"}, [("kind", "required")]),
    ({"kind": "birth", "occurred_on": "2020-01-01"}, [("kind", "bad_event_kind")]),
    ({"kind": "divorce", "occurred_on": "2020-01-01"}, [("kind", "bad_event_kind")]),
    ({"kind": 3, "occurred_on": "2020-01-01"}, [("kind", "bad_event_kind")]),
    ({"kind": "death"}, [("occurred_on", "required")]),
    ({"kind": "death", "occurred_on": ""}, [("occurred_on", "required")]),
    ({"kind": "death", "occurred_on": "01/01/2020"}, [("occurred_on", "bad_date")]),
    ({"kind": "death", "occurred_on": "20200101"}, [("occurred_on", "bad_date")]),
    ({"kind": "death", "occurred_on": "2999-01-01"}, [("occurred_on", "future_date")]),
    ({"kind": "death", "occurred_on": "1900-01-01"}, [("date_of_death", "death_before_birth")]),
    ({"kind": "move", "occurred_on": "2020-01-01"}, [("village_code", "required")]),
    ({"kind": "move", "occurred_on": "2020-01-01", "village_code": "7777777"},
     [("village_code", "unknown_village")]),
    ({"kind": "move", "occurred_on": "2020-01-01", "village_code": "0101002",
      "with_household": "perhaps"}, [("with_household", "not_boolean")]),
    ({"kind": "marriage", "occurred_on": "2020-01-01"}, [("family_book_number", "required")]),
    ({"kind": "marriage", "occurred_on": "2020-01-01", "family_book_number": "FB-0000-404"},
     [("family_book_number", "unknown_household")]),
    ({"kind": "marriage", "occurred_on": "2020-01-01", "family_book_number": "FB-OTHER-1",
      "relationship_to_head": "head"}, [("relationship_to_head", "bad_relationship")]),
    ({"kind": "death", "occurred_on": "2020-01-01", "cause": "fever"},
     [("cause", "unknown_field")]),
])
def test_life_event_refusals(officer, geography, body, expected):
    person = make_person(geography["0101001"], date_of_birth="1960-05-05")
    make_household(geography["0101002"], "FB-OTHER-1")
    response = post(officer, url("person-events", person.pk), body)
    assert response.status_code == 400
    assert errors_of(response) == expected
    assert not LifeEvent.objects.exists()
    person.refresh_from_db()
    assert person.date_of_death is None and person.village.code == "0101001"


def test_life_event_for_a_person_elsewhere_looks_like_a_missing_one(officer, people, today):
    body = {"kind": "death", "occurred_on": today.isoformat()}
    elsewhere = post(officer, url("person-events", people["sikhottabong"].pk), body)
    missing = post(officer, url("person-events", 55555555), body)
    bad_elsewhere = post(officer, url("person-events", people["sikhottabong"].pk), {})
    assert elsewhere.status_code == missing.status_code == bad_elsewhere.status_code == 404
    assert elsewhere.json() == missing.json() == bad_elsewhere.json()
    assert not LifeEvent.objects.exists()


# --- households and births -------------------------------------------------------------------

def test_register_and_read_a_household(officer, geography):
    response = post(officer, url("households"),
                    {"family_book_number": "fb-0101-0042", "village_code": "0101002"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["family_book_number"] == "FB-0101-0042"
    assert body["village"]["code"] == "0101002" and body["members"] == []
    household = Household.objects.get(pk=body["id"])
    head = make_person(geography["0101002"], household=household, relationship_to_head="head")
    read = officer.get(url("household", household.pk)).json()
    assert read["head"] == head.pk
    assert [m["id"] for m in read["members"]] == [head.pk]


@pytest.mark.parametrize(("body", "expected"), [
    ({"village_code": "0101001"}, [("family_book_number", "required")]),
    ({"family_book_number": "FB-0001-01"}, [("village_code", "required")]),
    ({"family_book_number": 123456, "village_code": "0101001"},
     [("family_book_number", "not_text")]),
    ({"family_book_number": "FB 1", "village_code": "0101001"},
     [("family_book_number", "bad_identifier")]),
    ({"family_book_number": "F" * 21, "village_code": "0101001"},
     [("family_book_number", "bad_identifier")]),
    ({"family_book_number": "FB-TAKEN-1", "village_code": "0101001"},
     [("family_book_number", "household_exists")]),
    ({"family_book_number": "FB-0001-01", "village_code": "0000000"},
     [("village_code", "unknown_village")]),
    ({"family_book_number": "FB-0001-01", "village_code": "0601001"},
     [("village_code", "outside_scope")]),
])
def test_household_refusals(officer, geography, body, expected):
    make_household(geography["0601001"], "FB-TAKEN-1")
    response = post(officer, url("households"), body)
    assert response.status_code == 400
    assert errors_of(response) == expected
    assert Household.objects.count() == 1


def test_a_household_elsewhere_looks_like_a_missing_one(officer, geography):
    elsewhere = make_household(geography["0102001"])
    responses = [officer.get(url("household", elsewhere.pk)),
                 officer.get(url("household", 4040404))]
    assert [r.status_code for r in responses] == [404, 404]
    assert responses[0].json() == responses[1].json()


def test_record_a_birth(officer, geography, today):
    household, _ = make_household_with_head(geography["0101001"])
    born = today - datetime.timedelta(days=1)
    fields = {k: v for k, v in NEW_PERSON.items() if k not in ("date_of_birth", "village_code")}
    response = post(officer, url("household-births", household.pk),
                    {**fields, "occurred_on": born.isoformat()})
    assert response.status_code == 201, response.content
    child = response.json()["person"]
    assert child["date_of_birth"] == born.isoformat()
    assert child["relationship_to_head"] == "child"
    assert child["household"]["id"] == household.pk
    assert [e["kind"] for e in child["life_events"]] == ["birth"]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"occurred_on": "2999-01-01"}, [("occurred_on", "future_date")]),
    ({"occurred_on": "1/1/2024"}, [("occurred_on", "bad_date")]),
    ({"occurred_on": None}, [("occurred_on", "required")]),
    ({"given_name_lo": ""}, [("given_name_lo", "required")]),
    ({"date_of_birth": "2024-01-01"}, [("date_of_birth", "unknown_field")]),
    ({"village_code": "0101001"}, [("village_code", "unknown_field")]),
])
def test_birth_refusals(officer, geography, changes, expected):
    household, _ = make_household_with_head(geography["0101001"])
    fields = {k: v for k, v in NEW_PERSON.items() if k not in ("date_of_birth", "village_code")}
    response = post(officer, url("household-births", household.pk),
                    {**fields, "occurred_on": "2024-01-01", **changes})
    assert response.status_code == 400
    assert errors_of(response) == expected
    assert household.members.count() == 1


def test_a_birth_into_a_household_elsewhere_is_not_found(officer, geography, today):
    household, _ = make_household_with_head(geography["0601001"])
    fields = {k: v for k, v in NEW_PERSON.items() if k not in ("date_of_birth", "village_code")}
    response = post(officer, url("household-births", household.pk),
                    {**fields, "occurred_on": today.isoformat()})
    assert response.status_code == 404
    assert household.members.count() == 1


# --- villages --------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "expected"), [
    ("district_chanthabuly", ["0101001", "0101002"]),
    ("district_sikhottabong", ["0102001"]),
    ("province_vientiane", ["0101001", "0101002", "0102001"]),
    ("province_luangprabang", ["0601001"]),
    ("central", ["0101001", "0101002", "0102001", "0601001"]),
    ("auditor", ["0101001", "0101002", "0102001", "0601001"]),
])
def test_villages_in_scope(staff, role, expected):
    response = client_for(staff[role]).get(url("villages"))
    assert [v["code"] for v in response.json()["results"]] == expected


def test_villages_of_one_district(admin):
    body = admin.get(url("villages"), {"district": "0101"}).json()
    assert body["count"] == 2
    assert body["results"][0] == {
        "code": "0101001", "name_en": "Ban Anou", "name_lo": "ບ້ານອະນຸ",
        "district_code": "0101", "district_name_en": "Chanthabuly",
        "district_name_lo": "ຈັນທະບູລີ", "province_code": "01",
        "province_name_en": "Vientiane Capital", "province_name_lo": "ນະຄອນຫຼວງວຽງຈັນ"}


# --- OpenAPI schema and documentation --------------------------------------------------------

OPERATIONS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/people/": {"get", "post"},
    "/api/v1/people/{person_id}/": {"get"},
    "/api/v1/people/{person_id}/events/": {"post"},
    "/api/v1/households/": {"post"},
    "/api/v1/households/{household_id}/": {"get"},
    "/api/v1/households/{household_id}/births/": {"post"},
    "/api/v1/villages/": {"get"},
}


@pytest.fixture
def schema(db) -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema


def test_schema_is_also_served_as_yaml(db):
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Pakan API"


def test_schema_lists_every_endpoint_with_request_and_response_shapes(schema):
    for path, methods in OPERATIONS.items():
        assert path in schema["paths"], path
        operations = schema["paths"][path]
        assert methods <= set(operations), path
        for method in methods:
            operation = operations[method]
            success = "201" if method == "post" and path != "/api/v1/auth/token/" else "200"
            body = resolve(schema, operation["responses"][success]["content"][
                "application/json"]["schema"])
            assert body.get("properties"), (path, method)
            error = resolve(schema, operation["responses"]["400" if method == "post" else "401"
                                                          ]["content"]["application/json"][
                "schema"])
            assert set(resolve(schema, error["properties"]["errors"]["items"])["properties"]) == {
                "field", "code", "reason_en", "reason_lo"}
            if method == "post":
                request = resolve(schema, operation["requestBody"]["content"][
                    "application/json"]["schema"])
                assert request["properties"] and request["required"], (path, method)


def test_schema_describes_the_fields_as_they_are(schema):
    components = schema["components"]["schemas"]
    person_input = components["PersonInput"]
    assert person_input["properties"]["date_of_birth"]["format"] == "date"
    assert set(person_input["required"]) == {"given_name_lo", "family_name_lo",
                                             "given_name_latin", "family_name_latin", "sex",
                                             "date_of_birth"}
    assert components["LifeEventInputKindEnum"]["enum"] == ["death", "move", "marriage"]
    detail = components["PersonDetail"]["properties"]
    assert detail["life_events"]["items"]["$ref"].endswith("/LifeEvent")
    search = schema["paths"]["/api/v1/people/"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "village", "limit", "offset"}
    assert search["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"].endswith("/PaginatedPersonSummaryList")
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert schema["paths"]["/api/v1/auth/token/"]["post"].get("security") in (None, [], [{}])


def test_swagger_ui_is_served_from_local_static_files(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/api/schema/" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset
