"""The benefit estimator's pages and API: a member sees their own estimate (self-service, in Lao
or English, with the assumption and the provisional values shown), an officer any member in
their area and nothing outside it, and bad questions are answered with bilingual errors."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pakan.accounts.models import Role
from pakan.audit.models import AuditEvent
from pakan.benefits.services import estimates as services
from pakan.socialsecurity.models import MemberUser
from tests.benefit_factories import give_contribution_record
from tests.conftest import make_user
from tests.factories import make_employer, make_worker, system_admin

pytestmark = pytest.mark.django_db

LAO = range(0x0E80, 0x0F00)
API_OWN = "/api/v1/benefits/estimates/me/"


def has_lao(text: str) -> bool:
    return any(ord(character) in LAO for character in text)


def months_before_this_one(count: int) -> datetime.date:
    """The first of `count` months that end with last month."""
    first = timezone.localdate().replace(day=1)
    year, month = divmod(first.year * 12 + first.month - 1 - count, 12)
    return datetime.date(year, month + 1, 1)


@pytest.fixture
def members(staff, geography):
    """A worker in Chanthabuly (district 0101) with 20 years of record up to last month and a
    self-service login; a worker in Sikhottabong (district 0102) without one."""
    long_ago = datetime.date(1990, 1, 1)
    here = make_employer(geography["0101001"], registered_on=long_ago)
    there = make_employer(geography["0102001"], registered_on=long_ago)
    own = make_worker(here, monthly_wage=3_200_000, start_on=datetime.date(2005, 1, 1),
                      date_of_birth="1975-04-02", sex="F")
    give_contribution_record(own, months_before_this_one(240), 240, 3_200_000, employer=here)
    other = make_worker(there, monthly_wage=2_600_000, start_on=datetime.date(2010, 1, 1),
                        date_of_birth="1980-09-09", sex="M")
    give_contribution_record(other, months_before_this_one(120), 120, 2_600_000,
                             employer=there)
    MemberUser.objects.create(user=staff["member"], member=own)
    return {"own": own, "other": other}


def page_client(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def member_api(member) -> str:
    return f"/api/v1/benefits/estimates/member/{member.pk}/"


# --- the member's own page -----------------------------------------------------------------------

def test_the_own_page_answers_retiring_at_60_by_default(staff, members):
    response = page_client(staff["member"]).get(reverse("benefits:own_estimate"))
    assert response.status_code == 200
    page = response.content.decode()
    estimate = services.estimate_for_member(
        staff["member"], members["own"], services.Scenario("retire", age=60),
        timezone.localdate())
    main = estimate.main
    amount = main["monthly_amount"] if main["kind"] == "periodic" else main["lump_sum"]
    assert f"{amount:,}" in page
    assert 'id="answer"' in page and 'value="retire" checked' in page
    assert f'id="months-counted">{main["months_counted"]}<' in page
    assert "If your record continues until then" in page
    assert "If you stopped contributing today" in page
    assert "keep contributing at your current insurable wage of 3,200,000 kip" in page
    assert members["other"].social_security_number not in page
    if estimate.provisional_parameters:
        assert 'class="badge provisional"' in page


def test_the_own_page_speaks_lao(staff, members):
    page = page_client(staff["member"], "lo").get(
        reverse("benefits:own_estimate"), {"scenario": "sickness", "days": "12"}
    ).content.decode()
    assert "ຂ້ອຍຈະໄດ້ຮັບເທົ່າໃດ ຖ້າ…" in page and "ວິທີຄິດໄລ່" in page
    assert "ການຄາດຄະເນບໍ່ແມ່ນການຕັດສິນ" in page  # a note, in the page's language
    assert "An estimate is not a decision" not in page
    assert 'value="sickness" checked' in page


@pytest.mark.parametrize(("query", "code"), [
    ({"scenario": "retire", "age": "200"}, "estimate_bad_age"),
    ({"scenario": "sickness", "days": "-4"}, "estimate_bad_days"),
    ({"scenario": "holiday"}, "estimate_unknown_scenario"),
])
def test_a_bad_question_on_the_page_is_explained_in_both_languages(staff, members, query, code):
    response = page_client(staff["member"]).get(reverse("benefits:own_estimate"), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-code="{code}"' in page and 'id="answer"' not in page
    errors = page.split('id="estimate-errors"')[1].split("</ul>")[0]
    assert has_lao(errors)


def test_the_twins_question_is_answered(staff, members):
    response = page_client(staff["member"]).get(
        reverse("benefits:own_estimate"), {"scenario": "maternity", "children": "2"})
    assert response.status_code == 200
    assert '<option value="2" selected>' in response.content.decode()


def test_only_a_linked_member_account_has_an_own_page(staff, members):
    assert page_client(staff["employer"]).get(
        reverse("benefits:own_estimate")).status_code == 403
    unlinked = make_user("unlinked", Role.INSURED_MEMBER, None)
    assert page_client(unlinked).get(reverse("benefits:own_estimate")).status_code == 403
    anonymous = Client().get(reverse("benefits:own_estimate"))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


# --- the officer's page ---------------------------------------------------------------------------

def test_an_officer_sees_a_member_of_their_area_and_the_look_is_logged(staff, members):
    url = reverse("benefits:member_estimate", args=[members["own"].pk])
    response = page_client(staff["district_chanthabuly"]).get(url, {"scenario": "retire",
                                                                     "age": "62"})
    assert response.status_code == 200
    page = response.content.decode()
    assert members["own"].person.full_name_latin in page and 'id="reasoning"' in page
    assert AuditEvent.objects.filter(actor=staff["district_chanthabuly"],
                                     action=AuditEvent.Action.VIEW,
                                     object_id=members["own"].pk).exists()


@pytest.mark.parametrize(("role", "status"), [
    ("district_sikhottabong", 404), ("province_luangprabang", 404), ("member", 403),
    ("employer", 403), ("public", 403),
])
def test_outside_their_area_an_officer_finds_nothing(staff, members, role, status):
    url = reverse("benefits:member_estimate", args=[members["own"].pk])
    assert page_client(staff[role]).get(url).status_code == status


def test_an_unknown_member_is_not_found(staff, members):
    url = reverse("benefits:member_estimate", args=[10**9])
    assert page_client(staff["central"]).get(url).status_code == 404


# --- the API --------------------------------------------------------------------------------------

def test_the_api_answers_a_member_about_their_own_record(staff, members):
    response = api_client(staff["member"]).get(API_OWN, {"scenario": "retire", "age": "60"})
    assert response.status_code == 200
    body = response.json()
    assert body["member"] == members["own"].pk
    assert body["scenario"] == {"name": "retire", "age": 60}
    assert body["branch"] == "old_age"
    expected = services.estimate_for_member(
        system_admin(), members["own"], services.Scenario("retire", age=60),
        timezone.localdate())
    assert body["if_stopped_today"] == expected.if_stopped
    assert body["if_record_continues"] == expected.if_continued
    assert body["continuation"]["wage"] == 3_200_000
    assert {"en", "lo"} <= set(body["notes"][0])
    assert body["if_stopped_today"]["steps"] and body["rules_version"]


def test_the_api_answers_sickness_and_maternity(staff, members):
    client = api_client(staff["member"])
    sick = client.get(API_OWN, {"scenario": "sickness", "days": "10", "work_related": "yes"})
    assert sick.status_code == 200 and sick.json()["branch"] == "sickness"
    assert sick.json()["scenario"]["work_related"] is True
    twins = client.get(API_OWN, {"scenario": "maternity", "children": "2"})
    assert twins.status_code == 200 and twins.json()["scenario"]["children"] == 2


def test_bad_api_questions_get_every_error_in_both_languages(staff, members):
    response = api_client(staff["member"]).get(
        API_OWN, {"scenario": "sickness", "days": "-1", "on": "not a date"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {error["field"] for error in errors} == {"days", "on"}
    assert all(error["reason_en"] and has_lao(error["reason_lo"]) for error in errors)
    unknown = api_client(staff["member"]).get(API_OWN, {"scenario": "lottery"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["code"] == "estimate_unknown_scenario"
    too_old = api_client(staff["member"]).get(API_OWN, {"scenario": "retire", "age": "200"})
    assert too_old.json()["errors"][0]["code"] == "estimate_bad_age"


def test_only_a_linked_member_account_reads_its_own_estimate(staff, members):
    assert api_client(staff["employer"]).get(API_OWN, {"scenario": "retire", "age": "60"}
                                             ).status_code == 403
    assert api_client(staff["central"]).get(API_OWN, {"scenario": "retire", "age": "60"}
                                            ).status_code == 403
    assert APIClient().get(API_OWN, {"scenario": "retire", "age": "60"}).status_code in (
        401, 403)


@pytest.mark.parametrize(("role", "member", "status"), [
    ("district_chanthabuly", "own", 200), ("province_vientiane", "other", 200),
    ("auditor", "other", 200), ("district_chanthabuly", "other", 404),
    ("district_sikhottabong", "own", 404), ("province_luangprabang", "own", 404),
    ("member", "own", 403), ("member", "other", 403), ("employer", "own", 403),
])
def test_staff_read_estimates_of_their_area_only(staff, members, role, member, status):
    response = api_client(staff[role]).get(member_api(members[member]),
                                           {"scenario": "retire", "age": "60"})
    assert response.status_code == status
    if status == 200:
        assert response.json()["member"] == members[member].pk


def test_the_api_refuses_to_change_anything(staff, members):
    response = api_client(staff["central"]).post(member_api(members["own"]), {}, format="json")
    assert response.status_code in (403, 405)
