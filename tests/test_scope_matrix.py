"""Who sees and changes what: every role x every place x every way in (pages, API, search,
exports, household, duplicate queue, changes), each cell checked against a real response.

The expectation is computed here from the written rule, independently of the code under test:
a staff account's scope is a path prefix, and it reaches exactly the places whose path starts
with that prefix; an auditor reads but never changes; other roles reach nothing in the registry.
A place out of reach looks the same as one that does not exist (404, or simply absent).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pakan.accounts.scope import OutOfScope
from pakan.registry import services
from pakan.registry.models import DuplicateCandidate, Household, LifeEvent, Person
from tests.factories import make_household, make_person

# The rule, written out: each account's scope prefix (None: no registry access at all).
SCOPE_PREFIX: dict[str, str | None] = {
    "admin": "/LA/",
    "central": "/LA/",
    "auditor": "/LA/",
    "province_vientiane": "/LA/01/",
    "province_luangprabang": "/LA/06/",
    "district_chanthabuly": "/LA/01/0101/",
    "district_sikhottabong": "/LA/01/0102/",
    "employer": None,
    "member": None,
    "public": None,
}
READ_ONLY = {"auditor"}


@dataclass(frozen=True)
class Place:
    village_code: str
    path: str
    family_name_latin: str  # unique per place, so a search finds this place's person only
    national_id: str


PLACES = {
    "chanthabuly_0101": Place("0101001", "/LA/01/0101/0101001/", "Sengsouvanh", "MX-010101"),
    "sikhottabong_0102": Place("0102001", "/LA/01/0102/0102001/", "Vongkhamsao", "MX-010201"),
    "luangprabang_0601": Place("0601001", "/LA/06/0601/0601001/", "Bounnhang", "MX-060101"),
}

ALLOWED, HIDDEN, FORBIDDEN = "allowed", "hidden", "forbidden"
READS = ("person_page", "person_api", "search_page", "search_api", "search_export_csv",
         "household_page", "household_api", "duplicate_queue_page")
CHANGES = ("change_via_service", "change_via_api")


def expected(role: str, place: Place, resource: str) -> str:
    prefix = SCOPE_PREFIX[role]
    if prefix is None:
        return FORBIDDEN
    if resource in CHANGES and role in READ_ONLY:
        return FORBIDDEN
    return ALLOWED if place.path.startswith(prefix) else HIDDEN


@dataclass
class World:
    person: Person
    twin: Person  # same national ID: the pair waits in the duplicate queue
    household: Household


@pytest.fixture
def world(geography, request) -> World:
    place = PLACES[request.node.callspec.params["place"]]
    village = geography[place.village_code]
    household = make_household(village)
    person = make_person(village, household=household, relationship_to_head="head",
                         given_name_latin="Kongkeo", family_name_latin=place.family_name_latin,
                         national_id=place.national_id)
    twin = make_person(village, given_name_latin="Douangchai", family_name_latin="Ounkham",
                       national_id=place.national_id)
    assert DuplicateCandidate.objects.filter(person=twin, existing=person).exists()
    return World(person, twin, household)


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_single_read(response, outcome: str, text: str, missing_response=None) -> None:
    """A page or record about one thing: shown, or refused without a hint it exists."""
    if outcome == ALLOWED:
        assert response.status_code == 200
        assert text in response.content.decode()
        return
    assert response.status_code == (404 if outcome == HIDDEN else 403)
    assert text not in response.content.decode()
    if missing_response is not None:  # indistinguishable from an id that does not exist
        assert (response.status_code, response.content) == (
            missing_response.status_code, missing_response.content)


def assert_listed(response, outcome: str, text: str) -> None:
    """A list (search, queue, export): the row appears, is absent, or the list is refused."""
    if outcome == FORBIDDEN:
        assert response.status_code == 403
        assert text not in response.content.decode()
        return
    assert response.status_code == 200
    assert (text in response.content.decode()) == (outcome == ALLOWED)


def check_person_page(user, world: World, place: Place, outcome: str) -> None:
    response = page_client(user).get(reverse("registry:person", args=[world.person.pk]))
    assert_single_read(response, outcome, place.family_name_latin)


def check_person_api(user, world: World, place: Place, outcome: str) -> None:
    client = api_client(user)
    response = client.get(reverse("registry-api:person", args=[world.person.pk]))
    missing = client.get(reverse("registry-api:person", args=[world.twin.pk + 1000]))
    assert_single_read(response, outcome, place.family_name_latin,
                       missing if outcome == HIDDEN else None)


def check_search_page(user, world: World, place: Place, outcome: str) -> None:
    # The page repeats the query, so a result is recognised by its link, not its name.
    link = f'href="{reverse("registry:person", args=[world.person.pk])}"'
    response = page_client(user).get(reverse("registry:search"),
                                     {"q": place.family_name_latin})
    assert_listed(response, outcome, link)
    by_id = page_client(user).get(reverse("registry:search"), {"q": place.national_id})
    assert_listed(by_id, outcome, link)


def check_search_api(user, world: World, place: Place, outcome: str) -> None:
    response = api_client(user).get(reverse("registry-api:people"),
                                    {"q": place.family_name_latin.lower()})
    assert_listed(response, outcome, place.family_name_latin)
    if outcome != FORBIDDEN:
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == ([world.person.pk] if outcome == ALLOWED else [])


def check_search_export_csv(user, world: World, place: Place, outcome: str) -> None:
    response = page_client(user).get(reverse("registry:search"),
                                     {"q": place.national_id, "format": "csv"})
    if outcome == FORBIDDEN:
        assert response.status_code == 403
        assert place.family_name_latin not in body_text(response)
        return
    assert response.status_code == 200
    assert "csv" in response["Content-Type"]
    text = body_text(response)
    rows = list(csv.reader(io.StringIO(text)))
    exported = {row[0] for row in rows[1:]}
    expected_ids = {str(world.person.pk), str(world.twin.pk)} if outcome == ALLOWED else set()
    assert exported == expected_ids


def body_text(response) -> str:
    """The whole body, whether the response was streamed (large exports are) or not."""
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def check_household_page(user, world: World, place: Place, outcome: str) -> None:
    response = page_client(user).get(reverse("registry:household", args=[world.household.pk]))
    assert_single_read(response, outcome, world.household.family_book_number)


def check_household_api(user, world: World, place: Place, outcome: str) -> None:
    client = api_client(user)
    response = client.get(reverse("registry-api:household", args=[world.household.pk]))
    missing = client.get(reverse("registry-api:household", args=[world.household.pk + 1000]))
    assert_single_read(response, outcome, world.household.family_book_number,
                       missing if outcome == HIDDEN else None)


def check_duplicate_queue_page(user, world: World, place: Place, outcome: str) -> None:
    response = page_client(user).get(reverse("registry:duplicates"))
    assert_listed(response, outcome, "Douangchai Ounkham")


def check_change_via_service(user, world: World, place: Place, outcome: str) -> None:
    change = {"phone": "020 7777 0000"}
    if outcome == ALLOWED:
        services.update_person(user, world.person, change)
        assert Person.objects.get(pk=world.person.pk).phone == "020 7777 0000"
        return
    with pytest.raises(PermissionDenied) as refused:
        services.update_person(user, world.person, change)
    assert isinstance(refused.value, OutOfScope) == (outcome == HIDDEN)
    assert Person.objects.get(pk=world.person.pk).phone == ""


def check_change_via_api(user, world: World, place: Place, outcome: str) -> None:
    today = datetime.date.today().isoformat()
    response = api_client(user).post(
        reverse("registry-api:person-events", args=[world.person.pk]),
        {"kind": "death", "occurred_on": today}, format="json")
    assert response.status_code == {ALLOWED: 201, HIDDEN: 404, FORBIDDEN: 403}[outcome]
    died = Person.objects.get(pk=world.person.pk).date_of_death
    assert (died is not None) == (outcome == ALLOWED)
    assert LifeEvent.objects.exists() == (outcome == ALLOWED)


CHECKS = {name: globals()[f"check_{name}"] for name in READS + CHANGES}


@pytest.mark.parametrize("resource", list(CHECKS))
@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("role", list(SCOPE_PREFIX))
def test_scope_matrix(staff, world, role, place, resource):
    outcome = expected(role, PLACES[place], resource)
    CHECKS[resource](staff[role], world, PLACES[place], outcome)


def test_the_matrix_covers_every_outcome():
    outcomes = {expected(role, place, resource) for role in SCOPE_PREFIX
                for place in PLACES.values() for resource in CHECKS}
    assert outcomes == {ALLOWED, HIDDEN, FORBIDDEN}
    # The provincial and district rows each see exactly their own places.
    assert [name for name, place in PLACES.items()
            if expected("province_vientiane", place, "person_api") == ALLOWED] == [
        "chanthabuly_0101", "sikhottabong_0102"]
    assert [name for name, place in PLACES.items()
            if expected("district_sikhottabong", place, "person_api") == ALLOWED] == [
        "sikhottabong_0102"]


def test_anonymous_visitors_reach_nothing(world_anywhere):
    person, household = world_anywhere
    pages = [reverse("registry:person", args=[person.pk]),
             reverse("registry:household", args=[household.pk]),
             reverse("registry:search") + "?q=Kongkeo",
             reverse("registry:search") + "?q=Kongkeo&format=csv",
             reverse("registry:duplicates")]
    for page in pages:
        response = Client().get(page)
        assert response.status_code == 302 and "login" in response["Location"], page
    for path in (reverse("registry-api:person", args=[person.pk]),
                 reverse("registry-api:household", args=[household.pk]),
                 reverse("registry-api:people") + "?q=Kongkeo"):
        assert APIClient().get(path).status_code == 401, path


@pytest.fixture
def world_anywhere(geography):
    household = make_household(geography["0101001"])
    person = make_person(geography["0101001"], household=household, given_name_latin="Kongkeo")
    return person, household
