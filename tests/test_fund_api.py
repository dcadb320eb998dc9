"""The fund's REST API: scope the same as the pages (staff by area, an employer account only
its own enterprise), declarations sent as JSON through submit_declaration (channel api),
payments by officers, billing runs started as jobs, and every endpoint in the OpenAPI schema
with the bilingual error shape."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pakan.accounts.models import Role
from pakan.registry.names import contains_lao
from pakan.socialsecurity import services as fund_services
from pakan.socialsecurity.models import BillingRun, Declaration, Inspection, Invoice, Payment
from pakan.socialsecurity.services.billing import run_billing
from pakan.socialsecurity.services.declarations import submit_declaration
from pakan.socialsecurity.services.payments import record_payment
from tests.conftest import make_user
from tests.factories import make_employer, make_worker, system_admin

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2024, 5, 1)


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(name: str, *args) -> str:
    return reverse(f"socialsecurity-api:{name}", args=args)


def errors_of(response) -> list[tuple[str | None, str]]:
    body = response.json()
    assert body["errors"], body
    for error in body["errors"]:
        assert {"field", "code", "reason_en", "reason_lo"} <= set(error), error
        assert error["reason_en"] and contains_lao(error["reason_lo"]), error
    return [(error["field"], error["code"]) for error in body["errors"]]


@pytest.fixture
def fund(staff, geography):
    here = make_employer(geography["0101001"])
    there = make_employer(geography["0601001"])
    here_workers = [make_worker(here, 3_000_000), make_worker(here, 4_000_000)]
    there_worker = make_worker(there, 3_500_000)
    for employer, wages in ((here, {here_workers[0]: 3_000_000, here_workers[1]: 4_000_000}),
                            (there, {there_worker: 3_500_000})):
        submit_declaration(system_admin(), employer, MONTH,
                           [{"social_security_number": member.social_security_number,
                             "monthly_wage": wage} for member, wage in wages.items()],
                           channel="api", today=datetime.date(2024, 6, 10))
    run_billing(MONTH, issued_on=datetime.date(2024, 6, 1))
    record_payment(staff["admin"], amount=700_000, received_on=datetime.date(2024, 6, 20),
                   method=Payment.Method.BANK_TRANSFER, employer=here)
    fund_services.link_employer_user(staff["admin"], staff["employer"], here)
    other = make_user("employer_lpb", Role.EMPLOYER_USER, None)
    fund_services.link_employer_user(staff["admin"], other, there)
    Inspection.objects.create(employer=there, planned_on=datetime.date(2024, 6, 1))
    return {"here": here, "there": there, "here_workers": here_workers,
            "there_worker": there_worker, "other": other}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- reading, scoped -------------------------------------------------------------------------

def test_officers_read_their_area_only(staff, fund):
    district = client_for(staff["district_chanthabuly"])
    assert ids(district.get(url("employers"))) == {fund["here"].pk}
    assert district.get(url("employer", fund["there"].pk)).status_code == 404
    assert district.get(url("statement", fund["there"].pk)).status_code == 404
    assert district.get(url("member", fund["there_worker"].pk)).status_code == 404
    central = client_for(staff["central"])
    assert ids(central.get(url("employers"))) == {fund["here"].pk, fund["there"].pk}
    assert ids(central.get(url("employers"), {"province": "06"})) == {fund["there"].pk}


def test_an_employer_token_sees_only_its_own_enterprise(staff, fund):
    client = client_for(staff["employer"])
    here, there = fund["here"], fund["there"]
    assert ids(client.get(url("employers"))) == {here.pk}
    assert client.get(url("employer", there.pk)).status_code == 404
    assert client.get(url("statement", there.pk)).status_code == 404
    assert client.get(url("member", fund["there_worker"].pk)).status_code == 404
    assert {row["employer"] for row in client.get(url("invoices")).json()["results"]} == {
        here.pk}
    assert {row["employer"] for row in client.get(url("declarations")).json()["results"]} \
        == {here.pk}
    there_declaration = Declaration.objects.get(employer=there)
    assert client.get(url("declaration", there_declaration.pk)).status_code == 404
    assert client.get(url("declarations"), {"employer": there.pk}).status_code == 404
    assert {row["employer"] for row in client.get(url("payments")).json()["results"]} == {
        here.pk}
    assert client.get(url("inspections")).json()["results"] == []
    # Staff-only lists answer 403 or nothing for an employer.
    assert client.get(url("billing-runs")).json()["results"] == []


def test_an_employer_session_sees_the_same_as_its_token(staff, fund):
    client = APIClient()
    client.force_login(staff["employer"])
    assert ids(client.get(url("employers"))) == {fund["here"].pk}
    assert client.get(url("employer", fund["there"].pk)).status_code == 404


def test_accounts_without_a_link_or_a_scope_are_refused(staff, fund):
    for role in ("member", "public"):
        assert client_for(staff[role]).get(url("employers")).status_code == 403
    assert APIClient().get(url("employers")).status_code == 401


def test_statement_of_account_is_billed_minus_paid(staff, fund):
    here = fund["here"]
    response = client_for(staff["employer"]).get(url("statement", here.pk), {
        "start": "2024-01-01", "end": "2024-12-31"})
    body = response.json()
    total = Invoice.objects.get(employer=here).total
    assert body["total_billed"] == total and body["total_paid"] == 700_000
    assert body["closing_balance"] == total - 700_000
    assert [line["kind"] for line in body["lines"]] == ["invoice", "payment"]


def test_member_record_has_the_contribution_record(staff, fund):
    body = client_for(staff["central"]).get(url("member", fund["here_workers"][0].pk)).json()
    assert body["contributions"][0]["month"] == "2024-05-01"
    assert body["contributions"][0]["insurable_wage"] == 3_000_000


def test_arrears_by_age_province_and_employer(staff, fund):
    body = client_for(staff["central"]).get(url("arrears"), {"as_of": "2024-12-31"}).json()
    assert body["totals"]["total"] == sum(row["total"] for row in body["by_province"])
    assert {row["province_code"] for row in body["by_province"]} == {"01", "06"}
    here_row = next(row for row in body["by_employer"]
                    if row["employer_id"] == fund["here"].pk)
    assert here_row["total"] == Invoice.objects.get(employer=fund["here"]).total - 700_000
    district = client_for(staff["district_chanthabuly"]).get(
        url("arrears"), {"as_of": "2024-12-31"}).json()
    assert {row["province_code"] for row in district["by_province"]} == {"01"}


# --- declarations by API ---------------------------------------------------------------------

def test_an_employer_declares_a_month_as_json(staff, fund):
    first, second = fund["here_workers"]
    response = client_for(staff["employer"]).post(url("declarations"), {
        "month": "2024-06", "declared_total": 7_000_000,
        "lines": [{"social_security_number": first.social_security_number,
                   "monthly_wage": 3_000_000},
                  {"social_security_number": second.social_security_number,
                   "monthly_wage": 4_000_000}]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["channel"] == "api"
    assert [line["monthly_wage"] for line in body["lines"]] == [3_000_000, 4_000_000]
    assert body["employer"] == fund["here"].pk


def test_a_bad_declaration_is_refused_whole_with_rows(staff, fund):
    first = fund["here_workers"][0]
    response = client_for(staff["employer"]).post(url("declarations"), {
        "month": "2024-06",
        "lines": [{"social_security_number": first.social_security_number,
                   "monthly_wage": 3_000_000},
                  {"social_security_number": first.social_security_number,
                   "monthly_wage": 3_000_000},
                  {"social_security_number": fund["there_worker"].social_security_number,
                   "monthly_wage": 3_000_000}]}, format="json")
    assert response.status_code == 400
    body = response.json()
    codes = errors_of(response)
    assert ("social_security_number", "declaration_duplicate_line") in codes
    assert {error["row"] for error in body["errors"]} >= {2, 3}
    refused = Declaration.objects.get(pk=body["declaration"])
    assert refused.status == "refused" and refused.channel == "api"
    assert not Declaration.objects.filter(month=datetime.date(2024, 6, 1),
                                          status="accepted").exists()


def test_an_employer_cannot_declare_for_another_employer(staff, fund):
    response = client_for(staff["employer"]).post(url("declarations"), {
        "employer": fund["there"].pk, "month": "2024-06",
        "lines": [{"social_security_number": fund["there_worker"].social_security_number,
                   "monthly_wage": 3_500_000}]}, format="json")
    assert response.status_code == 404
    assert not Declaration.objects.filter(employer=fund["there"],
                                          month=datetime.date(2024, 6, 1)).exists()


def test_declaration_input_is_checked_in_both_languages(staff, fund):
    client = client_for(staff["employer"])
    response = client.post(url("declarations"), {"month": "June", "lines": [
        {"social_security_number": "X", "monthly_wage": 1}]}, format="json")
    assert response.status_code == 400 and ("month", "portal_bad_month") in errors_of(response)
    response = client.post(url("declarations"), {"month": "2024-06", "lines": [
        {"social_security_number": "X", "monthly_wage": "3,000,000"}], "extra": 1},
        format="json")
    assert response.status_code == 400
    codes = errors_of(response)
    assert ("extra", "unknown_field") in codes


def test_an_officer_declares_for_an_employer_in_the_area_only(staff, fund):
    client = client_for(staff["district_chanthabuly"])
    first = fund["here_workers"][0]
    response = client.post(url("declarations"), {
        "employer": fund["here"].pk, "month": "2024-06",
        "lines": [{"social_security_number": first.social_security_number,
                   "monthly_wage": 3_000_000}]}, format="json")
    assert response.status_code == 201
    response = client.post(url("declarations"), {
        "employer": fund["there"].pk, "month": "2024-06",
        "lines": [{"social_security_number": first.social_security_number,
                   "monthly_wage": 3_000_000}]}, format="json")
    assert response.status_code == 404


# --- payments and billing runs ---------------------------------------------------------------

def test_an_officer_records_a_payment_and_an_employer_may_not(staff, fund):
    body = {"employer": fund["here"].pk, "amount": 250_000, "received_on": "2024-06-30",
            "method": "cash"}
    response = client_for(staff["district_chanthabuly"]).post(url("payments"), body,
                                                              format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "identified"
    assert client_for(staff["employer"]).post(url("payments"), body,
                                              format="json").status_code == 403
    assert client_for(staff["auditor"]).post(url("payments"), body,
                                             format="json").status_code == 403
    outside = client_for(staff["district_chanthabuly"]).post(
        url("payments"), {**body, "employer": fund["there"].pk}, format="json")
    assert outside.status_code == 404
    bad = client_for(staff["district_chanthabuly"]).post(
        url("payments"), {**body, "amount": "lots"}, format="json")
    assert bad.status_code == 400 and ("amount", "not_integer") in errors_of(bad)


def test_a_central_officer_starts_a_billing_run(staff, fund, django_capture_on_commit_callbacks):
    client = client_for(staff["central"])
    runs = client.get(url("billing-runs")).json()["results"]
    assert [run["month"] for run in runs] == ["2024-05-01"]
    assert runs[0]["number_of_invoices"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("billing-runs"), {"month": "2024-05"}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["progress_url"].startswith("/jobs/")
    assert BillingRun.objects.filter(month=MONTH, kind="contributions").count() == 1
    assert Invoice.objects.filter(month=MONTH, kind="contribution").count() == 2
    district = client_for(staff["district_chanthabuly"])
    assert district.post(url("billing-runs"), {"month": "2024-05"},
                         format="json").status_code == 403


def test_inspections_are_scoped(staff, fund):
    assert len(client_for(staff["central"]).get(url("inspections")).json()["results"]) == 1
    assert client_for(staff["district_chanthabuly"]).get(
        url("inspections")).json()["results"] == []


# --- schema ----------------------------------------------------------------------------------

OPERATIONS = {
    "/api/v1/fund/employers/": {"get"},
    "/api/v1/fund/employers/{employer_id}/": {"get"},
    "/api/v1/fund/employers/{employer_id}/statement/": {"get"},
    "/api/v1/fund/members/": {"get"},
    "/api/v1/fund/members/{member_id}/": {"get"},
    "/api/v1/fund/declarations/": {"get", "post"},
    "/api/v1/fund/declarations/{declaration_id}/": {"get"},
    "/api/v1/fund/invoices/": {"get"},
    "/api/v1/fund/payments/": {"get", "post"},
    "/api/v1/fund/arrears/": {"get"},
    "/api/v1/fund/billing-runs/": {"get", "post"},
    "/api/v1/fund/inspections/": {"get"},
}


def test_schema_lists_the_fund_endpoints(db):
    from drf_spectacular.validation import validate_schema

    response = APIClient().get("/api/schema/", {"format": "json"})
    schema = json.loads(response.content)
    validate_schema(schema)
    for path, methods in OPERATIONS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
        for method in methods:
            operation = schema["paths"][path][method]
            assert "social security" in operation["tags"]
            assert {"401"} <= set(operation["responses"]), (path, method)
    submit = schema["paths"]["/api/v1/fund/declarations/"]["post"]
    assert "400" in submit["responses"] and "201" in submit["responses"]
    assert set(schema["components"]["schemas"]["DeclarationInput"]["required"]) == {
        "month", "lines"}
