"""Compliance lists (stopped declaring, vanished workers, wage drops, enterprises with no
registration), the enterprise register import, risk scores and their ranking, inspection
plans, and a case from visit to findings, assessment and closure — with its refusals and scope.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from pakan.accounts.scope import OutOfScope
from pakan.audit.models import AuditEvent
from pakan.ledger.models import Entry
from pakan.socialsecurity import accounting
from pakan.socialsecurity.enterprise_register import (
    EnterpriseRegisterRefused,
    import_enterprise_register,
)
from pakan.socialsecurity.models import (
    ContributionRecord,
    Declaration,
    DeclarationLine,
    EmployerUser,
    EnterpriseRegisterEntry,
    Inspection,
    InspectionFinding,
    InspectionPlan,
    InspectionStatusChange,
    Invoice,
    RiskScore,
)
from pakan.socialsecurity.selectors import compliance
from pakan.socialsecurity.selectors import inspections as inspection_selectors
from pakan.socialsecurity.services import inspections
from pakan.socialsecurity.services.register import end_employment, suspend_employer
from pakan.socialsecurity.validation import SocialSecurityValidationError
from pakan.tabular.messages import TableRefused
from tests.factories import make_employer, make_member, make_person, make_worker, system_admin

D = datetime.date
TODAY = D(2025, 6, 30)
MARCH, APRIL, MAY = D(2024, 3, 1), D(2024, 4, 1), D(2024, 5, 1)


def codes(raised: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in raised.value.errors]


def declare(employer, month, wages: dict) -> Declaration:
    """An accepted declaration written directly: these tests read declarations, they do not
    test how they are made."""
    declaration = Declaration.objects.create(
        employer=employer, month=month, status=Declaration.Status.ACCEPTED,
        channel=Declaration.Channel.FORM, number_of_lines=len(wages),
        total_wages=sum(wages.values()))
    DeclarationLine.objects.bulk_create([
        DeclarationLine(declaration=declaration, line_number=number, member=member,
                        monthly_wage=wage)
        for number, (member, wage) in enumerate(wages.items(), start=1)])
    return declaration


@pytest.fixture
def villages(geography):
    return {"anou": geography["0101001"], "sithan": geography["0102001"],
            "xiengmouane": geography["0601001"]}


@pytest.fixture
def fund(villages):
    """Three employers in Chanthabuly, one in Sikhottabong, one in Luang Prabang:
    `stopping` declared to March then nothing; `steady` declares every month, one worker
    vanishing in April and one wage cut by a third; `quiet` never declared; `elsewhere` and
    `far` stopped like `stopping`."""
    stopping = make_employer(villages["anou"], sector="F", number_of_workers=12)
    steady = make_employer(villages["anou"], sector="K", number_of_workers=200)
    quiet = make_employer(villages["anou"], sector="C", number_of_workers=3)
    elsewhere = make_employer(villages["sithan"], sector="I", number_of_workers=60)
    far = make_employer(villages["xiengmouane"], sector="A", number_of_workers=12)
    workers = {name: make_worker(steady, 3_000_000) for name in ("kept", "vanished", "cut",
                                                                 "trimmed", "left")}
    end_employment(system_admin(), steady.employment_spells.get(member=workers["left"]),
                   end_on=D(2024, 4, 10))
    stopping_worker = make_worker(stopping, 2_500_000)
    others = {employer: make_worker(employer, 2_500_000) for employer in (elsewhere, far)}
    for month in (D(2024, 1, 1), D(2024, 2, 1), MARCH):
        declare(stopping, month, {stopping_worker: 2_500_000})
        for employer, worker in others.items():
            declare(employer, month, {worker: 2_500_000})
        declare(steady, month, {worker: 3_000_000 for worker in workers.values()})
    declare(steady, APRIL, {workers["kept"]: 3_000_000, workers["cut"]: 2_000_000,
                            workers["trimmed"]: 2_200_000})
    declare(steady, MAY, {workers["kept"]: 3_000_000, workers["cut"]: 2_000_000,
                          workers["trimmed"]: 2_200_000, workers["vanished"]: 3_000_000})
    return {"stopping": stopping, "steady": steady, "quiet": quiet, "elsewhere": elsewhere,
            "far": far, **workers}


# Compliance lists ------------------------------------------------------------------------------

def test_stopped_declaring_lists_active_employers_silent_for_the_last_months(fund, staff):
    central = staff["central"]
    listed = {e.pk: e.last_declared_month for e in compliance.stopped_declaring(central, MAY)}
    assert listed == {fund["stopping"].pk: MARCH, fund["elsewhere"].pk: MARCH,
                      fund["far"].pk: MARCH}
    # Over three months (March to May) March counts: nobody stopped.
    assert not compliance.stopped_declaring(central, MAY, months=3).exists()
    # In April (window March-April) nobody had stopped yet.
    assert not compliance.stopped_declaring(central, APRIL).exists()
    suspend_employer(system_admin(), fund["far"], effective_on=D(2024, 5, 2), reason="audit")
    assert fund["far"].pk not in {e.pk for e in compliance.stopped_declaring(central, MAY)}
    # Scope: a district officer sees the district's; an employer account at most itself.
    district = {e.pk for e in compliance.stopped_declaring(staff["district_chanthabuly"], MAY)}
    assert district == {fund["stopping"].pk}
    EmployerUser.objects.create(user=staff["employer"], employer=fund["steady"])
    assert not compliance.stopped_declaring(staff["employer"], MAY).exists()
    assert not compliance.stopped_declaring(staff["public"], MAY).exists()


def test_vanished_workers_are_those_still_employed_but_left_off(fund, staff):
    spells = list(compliance.vanished_workers(staff["central"], APRIL))
    # "left" ended on 10 April: not employed over the whole month, not listed.
    assert [(s.employer_id, s.member_id) for s in spells] == [
        (fund["steady"].pk, fund["vanished"].pk)]
    # In May the worker is back on the declaration.
    assert not compliance.vanished_workers(staff["central"], MAY).exists()
    # Employers with no declaration for the month are on the other list, not this one.
    assert all(s.employer_id == fund["steady"].pk
               for s in compliance.vanished_workers_all(MAY))
    assert not compliance.vanished_workers(staff["district_sikhottabong"], APRIL).exists()
    EmployerUser.objects.create(user=staff["employer"], employer=fund["steady"])
    assert compliance.vanished_workers(staff["employer"], APRIL).count() == 1


def test_sharp_wage_drops_compare_the_same_member_at_the_same_employer(fund, staff):
    drops = list(compliance.wage_drops(staff["central"], APRIL))
    # 3,000,000 → 2,000,000 is a third off (over 30%); → 2,200,000 is 26.7% off (not).
    assert [(line.member_id, line.previous_wage, line.monthly_wage) for line in drops] == [
        (fund["cut"].pk, 3_000_000, 2_000_000)]
    lower = compliance.wage_drops(staff["central"], APRIL, share=0.2)
    assert {line.member_id for line in lower} == {fund["cut"].pk, fund["trimmed"].pk}
    # Exactly 30% off is not "more than" 30%.
    member = make_worker(fund["steady"], 1_000_000)
    declare(fund["quiet"], MARCH, {member: 1_000_000})
    declare(fund["quiet"], APRIL, {member: 700_000})
    assert member.pk not in {line.member_id for line in compliance.wage_drops_all(APRIL)}
    assert not compliance.wage_drops(staff["province_luangprabang"], APRIL).exists()
    assert not compliance.wage_drops(staff["public"], APRIL).exists()


# The enterprise register -----------------------------------------------------------------------

def write_csv(tmp_path, text: str, name: str = "register.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


REGISTER_HEADER = "enterprise_number,name_lo,name_en,sector,number_of_workers,village_code," \
                  "registered_on\n"


def test_register_import_and_enterprises_with_no_registration(fund, staff, tmp_path):
    path = write_csv(tmp_path, REGISTER_HEADER
                     + f"{fund['stopping'].enterprise_number},ບໍລິສັດ ໜຶ່ງ,One,F,12,0101001,"
                       "2019-05-01\n"
                     + "MOIC-000001,ຮ້ານ ສອງ,Two,i,8,0101001,2021-01-10\n"
                     + "MOIC-000002,ໂຮງງານ ສາມ,,C,150,0601001,\n")
    result = import_enterprise_register(staff["central"], path, "register.csv", today=TODAY)
    assert (result.rows, result.created, result.updated) == (3, 3, 0)
    entry = EnterpriseRegisterEntry.objects.get(enterprise_number="MOIC-000001")
    assert (entry.sector, entry.number_of_workers, entry.registered_on) == ("I", 8,
                                                                           D(2021, 1, 10))
    missing = [e.enterprise_number for e in compliance.unregistered_enterprises(staff["central"])]
    assert missing == ["MOIC-000002", "MOIC-000001"]  # most workers first
    district = compliance.unregistered_enterprises(staff["district_chanthabuly"])
    assert [e.enterprise_number for e in district] == ["MOIC-000001"]
    assert not compliance.unregistered_enterprises(staff["employer"]).exists()
    # A newer file updates what it repeats.
    again = write_csv(tmp_path, REGISTER_HEADER + "MOIC-000001,ຮ້ານ ສອງ,Two,I,20,0101001,\n",
                      "newer.csv")
    result = import_enterprise_register(staff["central"], again, "newer.csv", today=TODAY)
    assert (result.created, result.updated) == (0, 1)
    assert EnterpriseRegisterEntry.objects.get(enterprise_number="MOIC-000001") \
        .number_of_workers == 20
    assert AuditEvent.objects.filter(action="import",
                                     object_type="socialsecurity.enterpriseregisterentry"
                                     ).count() == 2


def test_register_xlsx_is_read_too(geography, staff, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(REGISTER_HEADER.strip().split(","))
    sheet.append(["MOIC-000010", "ຮ້ານ", "Shop", "G", 4, "0101002", D(2020, 2, 2)])
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    result = import_enterprise_register(staff["central"], path, "register.xlsx", today=TODAY)
    assert result.created == 1
    assert EnterpriseRegisterEntry.objects.get().registered_on == D(2020, 2, 2)


def test_a_register_file_with_errors_is_refused_whole_with_every_bad_cell(geography, staff,
                                                                        tmp_path):
    path = write_csv(tmp_path, REGISTER_HEADER
                     + "MOIC-000001,ຮ້ານ ໜຶ່ງ,One,F,12,0101001,2019-05-01\n"
                     + "moic 1,ຮ້ານ ສອງ,Two,Z,-3,9999999,2019-13-01\n"
                     + "MOIC-000003,,Three,C,many,0101001,2099-01-01\n"
                     + "MOIC-000001,ຮ້ານ ສີ່,Four,C,1,0101001,\n")
    with pytest.raises(EnterpriseRegisterRefused) as raised:
        import_enterprise_register(staff["central"], path, "register.csv", today=TODAY)
    found = {(error.line, error.column, error.code) for error in raised.value.errors}
    assert found == {
        (3, "enterprise_number", "enterprise_register_bad_number"),
        (3, "sector", "enterprise_register_bad_sector"),
        (3, "number_of_workers", "enterprise_register_bad_workers"),
        (3, "village_code", "enterprise_register_unknown_village"),
        (3, "registered_on", "enterprise_register_bad_date"),
        (4, "name_lo", "enterprise_register_required"),
        (4, "number_of_workers", "enterprise_register_bad_workers"),
        (4, "registered_on", "enterprise_register_future_date"),
        (2, "enterprise_number", "enterprise_register_duplicate"),
        (5, "enterprise_number", "enterprise_register_duplicate"),
    }
    unknown = next(e for e in raised.value.errors if e.code.endswith("unknown_village"))
    assert "Line 3" in unknown.reason_en and "9999999" in unknown.reason_en
    assert "ແຖວ 3" in unknown.reason_lo
    assert not EnterpriseRegisterEntry.objects.exists()


def test_register_file_header_scope_and_permission_refusals(geography, staff, tmp_path):
    no_village = write_csv(tmp_path, "enterprise_number,name_lo,sector\nMOIC-000001,ຮ້ານ,F\n")
    with pytest.raises(TableRefused) as raised:
        import_enterprise_register(staff["central"], no_village, "register.csv", today=TODAY)
    assert [(e.column, e.code) for e in raised.value.errors] == [
        ("village_code", "missing_column")]
    far = write_csv(tmp_path, REGISTER_HEADER + "MOIC-000001,ຮ້ານ,,F,1,0601001,\n", "far.csv")
    with pytest.raises(EnterpriseRegisterRefused) as raised:
        import_enterprise_register(staff["district_chanthabuly"], far, "far.csv", today=TODAY)
    assert [e.code for e in raised.value.errors] == ["enterprise_register_outside_scope"]
    with pytest.raises(PermissionDenied):
        import_enterprise_register(staff["auditor"], far, "far.csv", today=TODAY)
    empty = write_csv(tmp_path, REGISTER_HEADER, "empty.csv")
    with pytest.raises(TableRefused) as raised:
        import_enterprise_register(staff["central"], empty, "empty.csv", today=TODAY)
    assert raised.value.errors[0].code == "no_rows"
    assert not EnterpriseRegisterEntry.objects.exists()


# Risk scores and plans -------------------------------------------------------------------------

def test_risk_scores_add_the_signals_sector_and_size_and_rank_per_province(fund, staff):
    assert inspections.compute_risk_scores(D(2024, 5, 20)) == 5
    scores = {score.employer_id: score for score in RiskScore.objects.all()}
    # April: steady has one vanished worker and one sharp wage drop; finance (0), large (6).
    steady = scores[fund["steady"].pk]
    assert steady.score == 5 + 5 + 0 + 6
    assert steady.signals["vanished_workers"] == 1 and steady.signals["wage_drops"] == 1
    # stopping: declared to March, nothing in April; window March-April has March: not yet.
    assert scores[fund["stopping"].pk].score == 10 + 10
    inspections.compute_risk_scores(D(2024, 6, 3))
    june = {s.employer_id: s for s in RiskScore.objects.filter(computed_on=D(2024, 6, 3))}
    # May: stopped (40) + construction (10) + small (10).
    assert june[fund["stopping"].pk].score == 60
    assert june[fund["stopping"].pk].signals["last_declared_month"] == "2024-03"
    assert june[fund["elsewhere"].pk].score == 40 + 10 + 8
    assert june[fund["quiet"].pk].score == 6 + 4  # never declared: sector and size only
    assert june[fund["steady"].pk].score == 0 + 6  # nothing vanished or dropped in May
    # Recomputing a day replaces its scores.
    inspections.compute_risk_scores(D(2024, 6, 3))
    assert RiskScore.objects.filter(computed_on=D(2024, 6, 3)).count() == 5
    ranking = list(compliance.risk_ranking(staff["central"]))
    assert [(r.province_code, r.province_rank, r.employer_id) for r in ranking] == [
        ("01", 1, fund["stopping"].pk), ("01", 2, fund["elsewhere"].pk),
        ("01", 3, fund["quiet"].pk), ("01", 4, fund["steady"].pk),
        ("06", 1, fund["far"].pk)]
    assert [r.employer_id for r in compliance.risk_ranking(
        staff["central"], province_code="06")] == [fund["far"].pk]
    assert [r.employer_id for r in compliance.risk_ranking(staff["district_sikhottabong"])] \
        == [fund["elsewhere"].pk]
    assert not compliance.risk_ranking(staff["employer"]).exists()


def test_a_plan_takes_the_riskiest_employers_not_inspected_recently(fund, staff, villages,
                                                                  geography):
    inspections.compute_risk_scores(D(2024, 6, 3))
    officer = staff["province_vientiane"]
    plan = inspections.create_inspection_plan(officer, geography["01"],
                                              (D(2024, 7, 1), D(2024, 9, 30)), 2)
    planned = list(plan.inspections.order_by("-risk_score"))
    assert [(i.employer_id, i.risk_score, i.status) for i in planned] == [
        (fund["stopping"].pk, 60, "planned"), (fund["elsewhere"].pk, 58, "planned")]
    assert all(i.planned_on == D(2024, 7, 1) for i in planned)
    assert InspectionStatusChange.objects.filter(inspection__plan=plan,
                                                 status="planned").count() == 2
    assert AuditEvent.objects.filter(object_type="socialsecurity.inspection",
                                     note="planned").count() == 2
    # The next plan leaves out the two open cases.
    following = inspections.create_inspection_plan(officer, geography["01"],
                                                   (D(2024, 10, 1), D(2024, 12, 31)), 5)
    assert {i.employer_id for i in following.inspections.all()} == {fund["steady"].pk,
                                                                   fund["quiet"].pk}
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.create_inspection_plan(officer, geography["01"],
                                           (D(2025, 1, 1), D(2025, 3, 31)), 5)
    assert codes(raised) == [("place", "inspection_no_candidates")]
    assert InspectionPlan.objects.count() == 2


@pytest.mark.parametrize(("top_n", "period", "expected"), [
    (0, (D(2024, 7, 1), D(2024, 9, 30)), ("top_n", "inspection_bad_top_n")),
    (5000, (D(2024, 7, 1), D(2024, 9, 30)), ("top_n", "inspection_bad_top_n")),
    ("3", (D(2024, 7, 1), D(2024, 9, 30)), ("top_n", "inspection_bad_top_n")),
    (3, (D(2024, 9, 30), D(2024, 7, 1)), ("period_end", "inspection_bad_period")),
])
def test_bad_plan_input_is_refused(fund, staff, geography, top_n, period, expected):
    inspections.compute_risk_scores(D(2024, 6, 3))
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.create_inspection_plan(staff["central"], geography["01"], period, top_n)
    assert codes(raised) == [expected]
    assert not InspectionPlan.objects.exists() and not Inspection.objects.exists()


def test_plans_are_made_only_inside_the_officers_scope(fund, staff, geography):
    inspections.compute_risk_scores(D(2024, 6, 3))
    period = (D(2024, 7, 1), D(2024, 9, 30))
    with pytest.raises(OutOfScope):
        inspections.create_inspection_plan(staff["district_chanthabuly"], geography["01"],
                                           period, 3)
    with pytest.raises(PermissionDenied):
        inspections.create_inspection_plan(staff["auditor"], geography["01"], period, 3)
    plan = inspections.create_inspection_plan(staff["district_chanthabuly"], geography["0101"],
                                              period, 10)
    assert {i.employer.village.parent_id for i in plan.inspections.all()} == {
        geography["0101"].pk}


# The case ----------------------------------------------------------------------------------------

@pytest.fixture
def case(fund, staff, geography):
    inspections.compute_risk_scores(D(2024, 6, 3))
    plan = inspections.create_inspection_plan(staff["district_chanthabuly"], geography["0101"],
                                              (D(2024, 7, 1), D(2024, 9, 30)), 1)
    return plan.inspections.get()


def test_a_case_from_visit_to_assessment_and_closure(case, fund, staff, villages):
    officer = staff["district_chanthabuly"]
    employer = case.employer
    inspections.record_visit(officer, case, visited_on=D(2024, 7, 15), notes="12 on site",
                             today=TODAY)
    # An undeclared worker across the 2017 ceiling change: each month at its own ceiling.
    undeclared = make_member(villages["anou"])
    inspections.add_finding(officer, case, kind="undeclared_worker", member=undeclared,
                            first_month=D(2016, 12, 1), last_month=D(2017, 1, 1),
                            actual_wage=5_000_000)
    # A wage declared at 2,000,000 that was 3,000,000, for March and April 2024.
    worker = make_worker(employer, 2_000_000)
    existing = ContributionRecord.objects.create(
        member=worker, month=MARCH, employer=employer, insurable_wage=2_000_000,
        insured_amount=110_000, employer_amount=120_000, source="declaration")
    inspections.add_finding(officer, case, kind="under_declared_wage", member=worker,
                            first_month=MARCH, last_month=APRIL, declared_wage=2_000_000,
                            actual_wage=3_000_000)
    invoice = inspections.assess_inspection(officer, case, assessed_on=D(2024, 8, 1),
                                            today=TODAY)
    # Dec 2016 (ceiling 2,000,000): 110,000 + 120,000; Jan 2017 (4,500,000): 247,500 +
    # 270,000; March and April 2024: (165,000 - 110,000) + (180,000 - 120,000) each.
    assert (invoice.insured_amount, invoice.employer_amount) == (
        110_000 + 247_500 + 2 * 55_000, 120_000 + 270_000 + 2 * 60_000)
    assert invoice.total == 977_500 and invoice.state_subsidy == 0
    assert (invoice.kind, invoice.employer, invoice.inspection, invoice.month,
            invoice.number_of_workers) == ("assessment", employer, case, APRIL, 2)
    assert invoice.village_id == employer.village_id
    records = {(r.member_id, r.month): r for r in ContributionRecord.objects.filter(
        source="assessment")}
    assert set(records) == {(undeclared.pk, D(2016, 12, 1)), (undeclared.pk, D(2017, 1, 1)),
                            (worker.pk, MARCH), (worker.pk, APRIL)}
    assert records[(undeclared.pk, D(2017, 1, 1))].insurable_wage == 4_500_000
    existing.refresh_from_db()
    assert (existing.insurable_wage, existing.insured_amount, existing.employer_amount) == (
        3_000_000, 165_000, 180_000)
    balance = sum(Entry.objects.filter(
        account__code=accounting.employer_account_code(employer.pk)
    ).values_list("amount", flat=True))
    assert balance == 977_500
    assert sum(Entry.objects.values_list("amount", flat=True)) == 0
    # Assessing again changes nothing.
    entries = Entry.objects.count()
    assert inspections.assess_inspection(officer, case, today=TODAY) == invoice
    assert Invoice.objects.filter(kind="assessment").count() == 1
    assert Entry.objects.count() == entries
    inspections.close_inspection(officer, case, closed_on=D(2024, 8, 20),
                                 outcome="assessed and billed", today=TODAY)
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.outcome) == ("closed", D(2024, 8, 20),
                                                          "assessed and billed")
    history = list(inspection_selectors.case_history(officer, case.pk).values_list(
        "status", "effective_on"))
    assert history == [("planned", D(2024, 7, 1)), ("visited", D(2024, 7, 15)),
                       ("assessed", D(2024, 8, 1)), ("closed", D(2024, 8, 20))]
    assert AuditEvent.objects.filter(object_type="socialsecurity.inspection",
                                     object_id=case.pk, action="update").count() == 3
    assert inspection_selectors.cases_by_status(officer)["closed"] == 1


def test_paying_an_assessment_marks_its_records_paid(case, fund, staff, villages):
    officer = staff["district_chanthabuly"]
    inspections.record_visit(officer, case, visited_on=D(2024, 7, 15), today=TODAY)
    worker = make_member(villages["anou"])
    inspections.add_finding(officer, case, kind="undeclared_worker", member=worker,
                            first_month=MARCH, last_month=MARCH, actual_wage=3_000_000)
    invoice = inspections.assess_inspection(officer, case, assessed_on=D(2024, 8, 1),
                                            today=TODAY)
    assert invoice.total == 345_000
    from pakan.socialsecurity.services.payments import record_payment

    record_payment(officer, amount=345_000, received_on=D(2024, 8, 5), method="cash",
                   employer=case.employer)
    # The payment's allocation marked the record; marking again finds nothing left to do.
    record = ContributionRecord.objects.get(member=worker, source="assessment")
    assert record.paid and record.paid_on == D(2024, 8, 5)
    assert inspections.mark_assessment_contributions_paid() == 0


def test_a_person_not_yet_a_member_must_be_enrolled_before_assessing(case, staff, villages):
    officer = staff["district_chanthabuly"]
    inspections.record_visit(officer, case, visited_on=D(2024, 7, 15), today=TODAY)
    person = make_person(villages["anou"], date_of_birth="1995-01-01")
    finding = inspections.add_finding(officer, case, kind="undeclared_worker", person=person,
                                      first_month=MARCH, last_month=APRIL,
                                      actual_wage=2_500_000)
    assert finding.member is None
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.assess_inspection(officer, case, assessed_on=D(2024, 8, 1), today=TODAY)
    assert codes(raised) == [("findings", "inspection_worker_not_member")]
    assert str(person.pk) in raised.value.errors[0].reason_en
    assert not Invoice.objects.filter(kind="assessment").exists()
    case.refresh_from_db()
    assert case.status == "visited"
    from pakan.socialsecurity.services.register import enrol_member

    member = enrol_member(system_admin(), person, social_security_number="SS77770001",
                          category="enterprise_employee", start_on=D(2024, 3, 1))
    invoice = inspections.assess_inspection(officer, case, assessed_on=D(2024, 8, 1),
                                            today=TODAY)
    assert invoice.total > 0
    finding.refresh_from_db()
    assert finding.member == member


def test_invalid_moves_and_bad_findings_are_refused_and_change_nothing(case, staff, villages):
    officer = staff["district_chanthabuly"]
    member = make_member(villages["anou"])
    finding_arguments = {"kind": "undeclared_worker", "member": member, "first_month": MARCH,
                         "last_month": APRIL, "actual_wage": 3_000_000}
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.assess_inspection(officer, case, today=TODAY)
    assert codes(raised) == [("status", "inspection_bad_transition")]
    assert "planned" in raised.value.errors[0].reason_en
    assert "ວາງແຜນແລ້ວ" in raised.value.errors[0].reason_lo
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.add_finding(officer, case, **finding_arguments)
    assert codes(raised) == [("inspection", "inspection_findings_closed")]
    for arguments, expected in (
            ({"visited_on": D(2030, 1, 1)}, ("visited_on", "future_date")),
            ({"visited_on": D(2024, 6, 1)}, ("visited_on", "inspection_before_planned"))):
        with pytest.raises(SocialSecurityValidationError) as raised:
            inspections.record_visit(officer, case, today=TODAY, **arguments)
        assert codes(raised) == [expected]
    inspections.record_visit(officer, case, visited_on=D(2024, 7, 15), today=TODAY)
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.record_visit(officer, case, visited_on=D(2024, 7, 16), today=TODAY)
    assert codes(raised) == [("status", "inspection_bad_transition")]
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.assess_inspection(officer, case, today=TODAY)
    assert codes(raised) == [("inspection", "inspection_no_findings")]
    other = make_member(villages["anou"])
    bad_findings = (
        ({"kind": "overtime"}, ("kind", "inspection_bad_kind")),
        ({"member": None}, ("person", "inspection_worker_required")),
        ({"person": make_person(villages["anou"])}, ("person", "inspection_person_mismatch")),
        ({"kind": "under_declared_wage", "member": None,
          "person": make_person(villages["anou"])}, ("member", "inspection_member_required")),
        ({"first_month": D(2024, 3, 5)}, ("first_month", "inspection_not_month_start")),
        ({"first_month": MAY}, ("last_month", "end_before_start")),
        ({"last_month": D(2024, 8, 1)}, ("last_month", "inspection_month_after_visit")),
        ({"first_month": D(2018, 1, 1)}, ("first_month", "inspection_too_many_months")),
        ({"first_month": D(1999, 1, 1), "last_month": D(1999, 2, 1)},
         ("first_month", "inspection_no_rules")),
        ({"actual_wage": -5}, ("actual_wage", "negative_wage")),
        ({"actual_wage": 2_500_000.5}, ("actual_wage", "wage_not_integer")),
        ({"actual_wage": 10**12}, ("actual_wage", "absurd_wage")),
        ({"kind": "under_declared_wage", "member": other, "declared_wage": 3_000_000},
         ("actual_wage", "inspection_wage_not_above")),
    )
    for changes, expected in bad_findings:
        with pytest.raises(SocialSecurityValidationError) as raised:
            inspections.add_finding(officer, case, **{**finding_arguments, **changes})
        assert codes(raised) == [expected], changes
    assert not InspectionFinding.objects.exists()
    inspections.add_finding(officer, case, **finding_arguments)
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.add_finding(officer, case, **{**finding_arguments, "first_month": APRIL,
                                                  "last_month": APRIL})
    assert codes(raised) == [("first_month", "inspection_finding_overlap")]
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.close_inspection(officer, case, closed_on=D(2024, 7, 20), outcome="done",
                                     today=TODAY)
    assert codes(raised) == [("status", "inspection_findings_open")]
    for arguments, expected in (({"outcome": " "}, ("outcome", "required")),
                                ({"closed_on": D(2024, 7, 1)},
                                 ("closed_on", "inspection_before_last_change"))):
        with pytest.raises(SocialSecurityValidationError) as raised:
            inspections.close_inspection(officer, case, today=TODAY,
                                         **{"closed_on": D(2024, 7, 20), "outcome": "done",
                                            **arguments})
        assert codes(raised) == [expected]
    inspections.assess_inspection(officer, case, assessed_on=D(2024, 8, 1), today=TODAY)
    inspections.close_inspection(officer, case, closed_on=D(2024, 8, 2), outcome="billed",
                                 today=TODAY)
    with pytest.raises(SocialSecurityValidationError) as raised:
        inspections.close_inspection(officer, case, closed_on=D(2024, 8, 3), outcome="again",
                                     today=TODAY)
    assert codes(raised) == [("status", "inspection_bad_transition")]
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "billed"


def test_a_planned_case_may_be_closed_without_a_visit(case, staff):
    inspections.close_inspection(staff["district_chanthabuly"], case, closed_on=D(2024, 7, 2),
                                 outcome="enterprise moved away", today=TODAY)
    case.refresh_from_db()
    assert case.status == "closed" and case.visited_on is None


def test_only_the_district_and_the_employer_itself_see_a_case(case, fund, staff, villages):
    other_district = staff["district_sikhottabong"]
    with pytest.raises(OutOfScope):
        inspections.record_visit(other_district, case, visited_on=D(2024, 7, 15), today=TODAY)
    with pytest.raises(PermissionDenied):
        inspections.record_visit(staff["auditor"], case, visited_on=D(2024, 7, 15), today=TODAY)
    with pytest.raises(PermissionDenied):
        inspections.record_visit(staff["employer"], case, visited_on=D(2024, 7, 15),
                                 today=TODAY)
    case.refresh_from_db()
    assert case.status == "planned"
    with pytest.raises(OutOfScope):
        inspection_selectors.inspection_for(other_district, case.pk)
    assert inspection_selectors.inspection_for(staff["province_vientiane"], case.pk) == case
    assert inspection_selectors.inspection_for(staff["auditor"], case.pk) == case
    # The employer account of the inspected employer sees its own case; another does not.
    EmployerUser.objects.create(user=staff["employer"], employer=fund["quiet"])
    assert not inspection_selectors.inspections_in_scope(staff["employer"]).exists()
    with pytest.raises(OutOfScope):
        inspection_selectors.inspection_for(staff["employer"], case.pk)
    with pytest.raises(OutOfScope):
        inspection_selectors.findings_of(staff["employer"], case.pk)
    EmployerUser.objects.filter(user=staff["employer"]).update(employer=case.employer)
    assert inspection_selectors.inspection_for(staff["employer"], case.pk) == case
    assert not inspection_selectors.plans_in_scope(staff["employer"]).exists()
    assert not inspection_selectors.inspections_in_scope(staff["member"]).exists()
    assert not inspection_selectors.assessments_in_scope(staff["public"]).exists()
