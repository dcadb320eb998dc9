"""Monthly declarations: accepted whole or refused whole with every error row by row, in
English and Lao; corrections supersede, never edit; only the employer's own account or staff
in scope may declare."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from pakan.accounts.scope import OutOfScope
from pakan.audit.models import AuditEvent
from pakan.socialsecurity import services as fund_services
from pakan.socialsecurity.models import (
    ContributionRecord,
    Declaration,
    DeclarationLine,
    Invoice,
)
from pakan.socialsecurity.selectors import declarations as declaration_selectors
from pakan.socialsecurity.services.declarations import (
    DeclarationRefused,
    declaration_wage_floor,
    submit_declaration,
    submit_declaration_file,
)
from tests.factories import make_employer, make_member, make_worker, system_admin

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2024, 5, 1)
TODAY = datetime.date(2024, 6, 10)
WAGE = 3_000_000


@pytest.fixture
def firm(geography):
    employer = make_employer(geography["0101001"])
    workers = [make_worker(employer, WAGE) for _ in range(3)]
    return employer, workers


def line(member, wage=WAGE) -> dict:
    return {"social_security_number": member.social_security_number, "monthly_wage": wage}


def declare(actor, employer, lines, month=MONTH, **options) -> Declaration:
    return submit_declaration(actor, employer, month, lines, channel="form", today=TODAY,
                              **options)


def state() -> tuple:
    """What a refusal must leave untouched."""
    return (DeclarationLine.objects.count(),
            sorted(Declaration.objects.exclude(status="refused").values_list("pk", "status")),
            Invoice.objects.count(), ContributionRecord.objects.count())


def refusal(actor, employer, lines, month=MONTH, **options) -> list[dict]:
    """Submit, expect a refusal that changed nothing but storing itself; its errors."""
    before = state()
    refused_before = Declaration.objects.filter(status="refused").count()
    with pytest.raises(DeclarationRefused) as raised:
        declare(actor, employer, lines, month, **options)
    declaration = raised.value.declaration
    assert declaration.pk and declaration.status == Declaration.Status.REFUSED
    assert not declaration.lines.exists()
    assert state() == before
    assert Declaration.objects.filter(status="refused").count() == refused_before + 1
    assert [problem.code for problem in raised.value.errors] == [
        problem["code"] for problem in declaration.errors]
    for problem in declaration.errors:
        assert problem["en"] and problem["lo"] and problem["en"] != problem["lo"]
        assert any("\u0e80" <= character <= "\u0eff" for character in problem["lo"])
    return declaration.errors


def codes(errors: list[dict]) -> list[tuple]:
    return [(problem["row"], problem["field"], problem["code"]) for problem in errors]


# Accepted --------------------------------------------------------------------------------------

def test_a_good_declaration_is_accepted_with_its_lines_and_audited(firm, staff):
    employer, workers = firm
    declaration = declare(staff["district_chanthabuly"], employer,
                          [line(workers[0]), line(workers[1], "2,750,000"),
                           line(workers[2], 4_000_000)], declared_total=9_750_000)
    assert declaration.status == Declaration.Status.ACCEPTED
    assert declaration.number_of_lines == 3 and declaration.total_wages == 9_750_000
    assert list(declaration.lines.order_by("line_number").values_list(
        "line_number", "member_id", "monthly_wage")) == [
        (1, workers[0].pk, WAGE), (2, workers[1].pk, 2_750_000), (3, workers[2].pk, 4_000_000)]
    assert AuditEvent.objects.filter(object_type="socialsecurity.declaration",
                                     object_id=declaration.pk).exists()
    assert declaration_selectors.current_declaration(employer, MONTH) == declaration


def test_the_employers_own_account_may_declare_but_not_for_another_employer(firm, staff,
                                                                            geography):
    employer, workers = firm
    other = make_employer(geography["0101001"])
    fund_services.link_employer_user(system_admin(), staff["employer"], employer)
    declaration = declare(staff["employer"], employer, [line(worker) for worker in workers])
    assert declaration.submitted_by == staff["employer"]
    before = Declaration.objects.count()
    with pytest.raises(OutOfScope):
        declare(staff["employer"], other, [line(workers[0])])
    assert Declaration.objects.count() == before


def test_staff_outside_the_place_or_read_only_cannot_declare(firm, staff):
    employer, workers = firm
    with pytest.raises(OutOfScope):
        declare(staff["district_sikhottabong"], employer, [line(workers[0])])
    with pytest.raises(OutOfScope):
        declare(staff["province_luangprabang"], employer, [line(workers[0])])
    with pytest.raises(PermissionDenied):
        declare(staff["auditor"], employer, [line(workers[0])])
    with pytest.raises(PermissionDenied):
        declare(staff["public"], employer, [line(workers[0])])
    assert not Declaration.objects.exists()


# Refused: the bad input -----------------------------------------------------------------

def test_a_month_already_declared_is_refused_unless_sent_as_a_correction(firm, staff):
    employer, workers = firm
    first = declare(staff["admin"], employer, [line(worker) for worker in workers])
    errors = refusal(staff["admin"], employer, [line(worker) for worker in workers])
    assert codes(errors) == [(None, "month", "declaration_month_already_declared")]
    assert "2024-05" in errors[0]["en"] and "2024-05" in errors[0]["lo"]
    first.refresh_from_db()
    assert first.status == Declaration.Status.ACCEPTED


def test_a_closed_employer_cannot_declare_after_its_closure(firm, staff):
    employer, workers = firm
    fund_services.close_employer(staff["admin"], employer, effective_on=datetime.date(2024, 4, 20),
                                 reason="ceased trading")
    errors = refusal(staff["admin"], employer, [line(worker) for worker in workers])
    # Closing ended the workers' employment too: each row says so as well.
    assert codes(errors) == [(None, "employer", "declaration_employer_closed")] + [
        (row, "social_security_number", "declaration_not_employed") for row in (1, 2, 3)]
    assert "2024-04-20" in errors[0]["en"] and "2024-04-20" in errors[0]["lo"]
    # Its last month, which began before the closure, may still be declared.
    april = declare(staff["admin"], employer, [line(worker) for worker in workers],
                    month=datetime.date(2024, 4, 1))
    assert april.status == Declaration.Status.ACCEPTED


def test_a_suspended_employer_still_declares_the_workers_it_employs(firm, staff):
    employer, workers = firm
    fund_services.suspend_employer(staff["admin"], employer,
                                   effective_on=datetime.date(2024, 3, 1), reason="inspection")
    declaration = declare(staff["admin"], employer, [line(worker) for worker in workers])
    assert declaration.status == Declaration.Status.ACCEPTED


def test_a_worker_listed_twice_is_refused_on_the_second_row(firm, staff):
    employer, workers = firm
    errors = refusal(staff["admin"], employer,
                     [line(workers[0]), line(workers[1]), line(workers[0], 2_600_000)])
    assert codes(errors) == [(3, "social_security_number", "declaration_duplicate_line")]
    assert "row 1" in errors[0]["en"] and "1" in errors[0]["lo"]


@pytest.mark.parametrize(("wage", "code"), [
    (-2_500_000, "negative_wage"),
    ("-1", "negative_wage"),
    (1_000_000_001, "absurd_wage"),
    ("99999999999999", "absurd_wage"),
    ("2500000.50", "wage_not_integer"),
    ("three million", "wage_not_integer"),
    (True, "wage_not_integer"),
    ("", "required"),
])
def test_negative_absurd_or_unreadable_wages_are_refused_row_by_row(firm, staff, wage, code):
    employer, workers = firm
    errors = refusal(staff["admin"], employer, [line(workers[0]), line(workers[1], wage)])
    assert codes(errors) == [(2, "monthly_wage", code)]


def test_a_totals_row_that_does_not_match_its_lines_is_refused(firm, staff, tmp_path):
    employer, workers = firm
    path = tmp_path / "may.csv"
    path.write_text("social_security_number,monthly_wage\n"
                    + "".join(f"{worker.social_security_number},{WAGE}\n" for worker in workers)
                    + "TOTAL,9500000\n", encoding="utf-8")
    before = state()
    with pytest.raises(DeclarationRefused) as raised:
        submit_declaration_file(staff["admin"], employer, MONTH, path, "may.csv", today=TODAY)
    assert state() == before
    errors = raised.value.declaration.errors
    assert codes(errors) == [(5, "monthly_wage", "declaration_total_mismatch")]
    assert "9,500,000" in errors[0]["en"] and "9,000,000" in errors[0]["en"]
    assert "9,500,000" in errors[0]["lo"]
    assert raised.value.declaration.file_name == "may.csv"
    assert len(raised.value.declaration.file_sha256) == 64


def test_a_declared_total_sent_by_form_or_api_is_checked_too(firm, staff):
    employer, workers = firm
    errors = refusal(staff["admin"], employer, [line(worker) for worker in workers],
                     declared_total="9,000,001")
    assert codes(errors) == [(None, "declared_total", "declaration_total_mismatch")]
    # Negative wages still count towards the sum the totals row is checked against.
    errors = refusal(staff["admin"], employer, [line(workers[0], -WAGE), line(workers[1])],
                     declared_total=WAGE)
    assert ("declared_total", "declaration_total_mismatch") in [
        (problem["field"], problem["code"]) for problem in errors]


def test_every_error_of_every_row_is_reported_at_once(firm, staff, geography):
    employer, workers = firm
    elsewhere = make_worker(make_employer(geography["0101002"]), WAGE)
    not_working = make_member(geography["0101001"])
    errors = refusal(staff["admin"], employer, [
        line(workers[0]),
        {"social_security_number": "SS00000000X", "monthly_wage": WAGE},
        line(elsewhere),
        line(workers[1], 1_000_000),
        line(not_working, -5),
        {"social_security_number": "", "monthly_wage": WAGE},
        line(workers[0]),
    ])
    assert codes(errors) == [
        (2, "social_security_number", "declaration_unknown_member"),
        (3, "social_security_number", "declaration_not_employed"),
        (4, "monthly_wage", "declaration_wage_below_minimum"),
        (5, "monthly_wage", "negative_wage"),
        (5, "social_security_number", "declaration_not_employed"),
        (6, "social_security_number", "required"),
        (7, "social_security_number", "declaration_duplicate_line"),
    ]
    below = errors[2]
    assert "1,600,000" in below["en"] and "1,600,000" in below["lo"]


def test_the_minimum_wage_of_the_declared_month_is_the_floor(firm, staff):
    """1,600,000 kip until September 2024, 2,500,000 from October 2024."""
    employer, workers = firm
    assert declaration_wage_floor(datetime.date(2024, 9, 1)) == 1_600_000
    assert declaration_wage_floor(datetime.date(2024, 10, 1)) == 2_500_000
    assert declaration_wage_floor(datetime.date(2011, 1, 1)) == 290_000  # before any minimum
    late = datetime.date(2024, 11, 20)
    september = submit_declaration(staff["admin"], employer, datetime.date(2024, 9, 1),
                                   [line(workers[0], 2_000_000)], channel="api", today=late)
    assert september.status == Declaration.Status.ACCEPTED
    with pytest.raises(DeclarationRefused) as raised:
        submit_declaration(staff["admin"], employer, datetime.date(2024, 10, 1),
                           [line(workers[0], 2_000_000)], channel="api", today=late)
    assert codes(raised.value.declaration.errors) == [
        (1, "monthly_wage", "declaration_wage_below_minimum")]


def test_months_in_the_future_or_before_registration_are_refused(firm, staff):
    employer, workers = firm
    errors = refusal(staff["admin"], employer, [line(workers[0])],
                     month=datetime.date(2024, 7, 1))
    assert (None, "month", "declaration_month_in_future") in codes(errors)
    errors = refusal(staff["admin"], employer, [line(workers[0])],
                     month=datetime.date(2019, 12, 1))
    assert (None, "month", "declaration_before_registration") in codes(errors)
    # The month of today may be declared (payroll is paid before the month ends).
    declare(staff["admin"], employer, [line(workers[0])], month=datetime.date(2024, 6, 1))


def test_a_worker_whose_employment_ended_before_the_month_is_not_employed_there(firm, staff):
    employer, workers = firm
    spell = workers[2].employment_spells.get()
    fund_services.end_employment(staff["admin"], spell, end_on=datetime.date(2024, 4, 30),
                                 today=TODAY)
    errors = refusal(staff["admin"], employer, [line(worker) for worker in workers])
    assert codes(errors) == [(3, "social_security_number", "declaration_not_employed")]
    # Employed for part of the month is employed in it.
    april = declare(staff["admin"], employer, [line(worker) for worker in workers],
                    month=datetime.date(2024, 4, 1))
    assert april.number_of_lines == 3


def test_an_empty_declaration_is_refused(firm, staff):
    employer, _ = firm
    assert codes(refusal(staff["admin"], employer, [])) == [
        (None, "lines", "declaration_no_lines")]


# Corrections ------------------------------------------------------------------------------------

def test_a_correction_supersedes_the_accepted_declaration_and_keeps_it_as_it_was(firm, staff):
    employer, workers = firm
    first = declare(staff["admin"], employer, [line(worker) for worker in workers])
    first_lines = list(first.lines.values_list("member_id", "monthly_wage"))
    correction = declare(staff["admin"], employer,
                         [line(workers[0], 3_500_000), line(workers[1])], corrects=True)
    first.refresh_from_db()
    assert first.status == Declaration.Status.SUPERSEDED
    assert list(first.lines.values_list("member_id", "monthly_wage")) == first_lines
    assert correction.status == Declaration.Status.ACCEPTED
    assert correction.supersedes == first
    assert declaration_selectors.current_declaration(employer, MONTH) == correction
    assert list(declaration_selectors.declaration_history(employer, MONTH)) == [first,
                                                                                 correction]
    assert AuditEvent.objects.filter(object_type="socialsecurity.declaration",
                                     object_id=first.pk, action="update").exists()
    # A correction of the correction supersedes it in turn.
    third = declare(staff["admin"], employer, [line(workers[0])], corrects=True)
    assert third.supersedes == correction


def test_a_refused_correction_leaves_the_accepted_declaration_current(firm, staff):
    employer, workers = firm
    first = declare(staff["admin"], employer, [line(worker) for worker in workers])
    errors = refusal(staff["admin"], employer, [line(workers[0], -1)], corrects=True)
    assert codes(errors) == [(1, "monthly_wage", "negative_wage")]
    first.refresh_from_db()
    assert first.status == Declaration.Status.ACCEPTED


def test_a_correction_of_a_month_never_declared_is_refused(firm, staff):
    employer, workers = firm
    assert codes(refusal(staff["admin"], employer, [line(workers[0])], corrects=True)) == [
        (None, "corrects", "declaration_nothing_to_correct")]


# Files ------------------------------------------------------------------------------------------

def test_a_csv_upload_with_a_matching_totals_row_is_accepted(firm, staff, tmp_path):
    employer, workers = firm
    path = tmp_path / "upload.csv"
    path.write_text("social_security_number,monthly_wage\n"
                    f"{workers[0].social_security_number},\"3,000,000\"\n"
                    f" {workers[1].social_security_number.lower()} ,2500000\n"
                    f"TOTAL,5500000\n", encoding="utf-8")
    declaration = submit_declaration_file(staff["admin"], employer, MONTH, path, "upload.csv",
                                          today=TODAY)
    assert declaration.channel == Declaration.Channel.UPLOAD
    assert sorted(declaration.lines.values_list("line_number", "monthly_wage")) == [
        (2, 3_000_000), (3, 2_500_000)]


def test_an_xlsx_upload_reports_errors_with_the_spreadsheet_row(firm, staff, tmp_path):
    employer, workers = firm
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["social_security_number", "monthly_wage"])
    sheet.append([workers[0].social_security_number, 3_000_000])
    sheet.append([workers[1].social_security_number, -3_000_000])
    sheet.append([workers[0].social_security_number, 3_000_000])
    sheet.append(["TOTAL", 9_000_000])
    path = tmp_path / "upload.xlsx"
    workbook.save(path)
    with pytest.raises(DeclarationRefused) as raised:
        submit_declaration_file(staff["admin"], employer, MONTH, path, "upload.xlsx",
                                today=TODAY)
    assert codes(raised.value.declaration.errors) == [
        (3, "monthly_wage", "negative_wage"),
        (4, "social_security_number", "declaration_duplicate_line"),
        (5, "monthly_wage", "declaration_total_mismatch"),
    ]
    sheet.delete_rows(3, 3)
    workbook.save(path)
    accepted = submit_declaration_file(staff["admin"], employer, MONTH, path, "upload.xlsx",
                                       today=TODAY)
    assert accepted.number_of_lines == 1


def test_a_file_with_wrong_columns_or_a_total_in_the_middle_is_refused(firm, staff, tmp_path):
    employer, workers = firm
    path = tmp_path / "bad.csv"
    path.write_text("ssn,wage\nX,1\n", encoding="utf-8")
    with pytest.raises(DeclarationRefused) as raised:
        submit_declaration_file(staff["admin"], employer, MONTH, path, "bad.csv", today=TODAY)
    found = {(problem["field"], problem["code"]) for problem in raised.value.declaration.errors}
    assert ("social_security_number", "missing_column") in found
    assert ("ssn", "unknown_column") in found
    path.write_text("social_security_number,monthly_wage\nTOTAL,3000000\n"
                    f"{workers[0].social_security_number},3000000\n", encoding="utf-8")
    with pytest.raises(DeclarationRefused) as raised:
        submit_declaration_file(staff["admin"], employer, MONTH, path, "bad.csv", today=TODAY)
    assert codes(raised.value.declaration.errors) == [
        (2, "social_security_number", "declaration_total_not_last")]
    assert raised.value.declaration.errors[0]["lo"]
    before = state()
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(DeclarationRefused) as raised:
        submit_declaration_file(staff["admin"], employer, MONTH, path, "old.xls", today=TODAY)
    assert [problem["code"] for problem in raised.value.declaration.errors] == ["old_excel"]
    assert state() == before


def test_selectors_show_an_employer_only_its_own_declarations(firm, staff, geography):
    employer, workers = firm
    other = make_employer(geography["0601001"])
    other_worker = make_worker(other, WAGE)
    mine = declare(staff["admin"], employer, [line(workers[0])])
    theirs = declare(staff["admin"], other, [line(other_worker)])
    fund_services.link_employer_user(system_admin(), staff["employer"], employer)
    assert list(declaration_selectors.declarations_in_scope(staff["employer"])) == [mine]
    assert set(declaration_selectors.declarations_in_scope(staff["province_vientiane"])) == {
        mine}
    assert set(declaration_selectors.declarations_in_scope(staff["central"])) == {mine, theirs}
    with pytest.raises(OutOfScope):
        declaration_selectors.declaration_for(staff["employer"], theirs.pk)
    assert not declaration_selectors.declarations_in_scope(staff["public"]).exists()


def test_uploaded_file_path_may_be_a_string(firm, staff, tmp_path):
    employer, workers = firm
    path = tmp_path / "upload.csv"
    path.write_text(f"social_security_number,monthly_wage\n{workers[0].social_security_number},"
                    f"{WAGE}\n", encoding="utf-8")
    declaration = submit_declaration_file(staff["admin"], employer, MONTH, str(path),
                                          "upload.csv", today=TODAY)
    assert Path(declaration.file_name).suffix == ".csv"
