"""Voluntary and self-employed members: enrolment at an income class, class changes, the
monthly billing run (idempotent, set-based, with the State's share), lapse after unpaid months,
reinstatement once the arrears are paid, and the member's own view in self-service."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied

from pakan.accounts.scope import OutOfScope
from pakan.audit.models import AuditEvent
from pakan.ledger.models import Entry
from pakan.rules import social_security as rules
from pakan.socialsecurity import accounting
from pakan.socialsecurity.models import (
    BillingRun,
    ContributionRecord,
    InsuredMember,
    Invoice,
    MembershipSpell,
    MemberUser,
    VoluntaryEnrolment,
    VoluntaryStatusChange,
)
from pakan.socialsecurity.selectors import voluntary as voluntary_selectors
from pakan.socialsecurity.services import voluntary
from pakan.socialsecurity.services.register import end_membership
from pakan.socialsecurity.validation import SocialSecurityValidationError
from tests.conftest import make_user
from tests.factories import make_member, make_person, system_admin

D = datetime.date
TODAY = D(2025, 6, 30)
SELF_EMPLOYED = VoluntaryEnrolment.Occupation.SELF_EMPLOYED


def codes(raised: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in raised.value.errors]


@pytest.fixture
def villages(geography):
    return {"anou": geography["0101001"], "sithan": geography["0102001"]}


@pytest.fixture
def officer(staff):
    return staff["district_chanthabuly"]


MARCH_2024 = D(2024, 3, 1)


def enrol(officer, village, income=1_500_000, start_on=MARCH_2024, **person_fields):
    person = make_person(village, **{"date_of_birth": "1985-04-01", **person_fields})
    return voluntary.enrol_voluntary(officer, person, occupation=SELF_EMPLOYED,
                                     declared_income=income, start_on=start_on,
                                     social_security_number=f"VS{person.pk:08d}", today=TODAY)


def bill(*months):
    """Each month billed on the first day of the next, as the fund would."""
    return [voluntary.run_voluntary_billing(month, today=rules.due_date(month).replace(day=1))
            for month in months]


def months(first: datetime.date, count: int) -> list[datetime.date]:
    index = first.year * 12 + first.month - 1
    return [D((index + step) // 12, (index + step) % 12 + 1, 1) for step in range(count)]


def ledger_balanced() -> bool:
    return sum(Entry.objects.values_list("amount", flat=True)) == 0


# Enrolment -----------------------------------------------------------------------------------

def test_enrolment_makes_the_member_a_voluntary_spell_and_history(officer, villages):
    enrolment = enrol(officer, villages["anou"])
    member = enrolment.member
    spell = enrolment.membership_spell
    assert spell.category == "voluntary" and spell.start_on == D(2024, 3, 1) and not spell.end_on
    assert enrolment.status == "active" and enrolment.declared_income == 1_500_000
    history = list(enrolment.status_changes.values_list("event", "declared_income"))
    assert history == [("enrolled", 1_500_000)]
    for instance in (member, spell, enrolment):
        assert AuditEvent.objects.filter(object_type=instance._meta.label_lower,
                                         object_id=instance.pk).exists()


def test_an_existing_member_whose_employment_membership_ended_may_enrol(officer, villages):
    member = make_member(villages["anou"], start_on=D(2020, 2, 1))
    end_membership(system_admin(), member.membership_spells.get(), end_on=D(2024, 1, 31))
    enrolment = voluntary.enrol_voluntary(
        officer, member, occupation=VoluntaryEnrolment.Occupation.FORMER_EMPLOYEE,
        declared_income=2_000_000, start_on=D(2024, 2, 1), today=TODAY)
    assert enrolment.member == member
    assert list(member.membership_spells.values_list("category", flat=True)) == [
        "enterprise_employee", "voluntary"]


def test_income_outside_the_classes_is_refused_with_the_list_in_both_languages(
        officer, villages):
    before = (InsuredMember.objects.count(), VoluntaryEnrolment.objects.count())
    with pytest.raises(SocialSecurityValidationError) as raised:
        enrol(officer, villages["anou"], income=1_150_000)
    (problem,) = raised.value.errors
    assert (problem.field, problem.code) == ("declared_income", "voluntary_bad_income_class")
    assert "1,200,000, 1,300,000" in problem.reason_en and "2,700,000" in problem.reason_en
    assert "1,200,000" in problem.reason_lo and "ຂັ້ນລາຍຮັບ" in problem.reason_lo
    # 2024's lowest class is 1,200,000: 1,100,000 (valid in 2018) is refused too.
    with pytest.raises(SocialSecurityValidationError):
        enrol(officer, villages["anou"], income=1_100_000)
    assert (InsuredMember.objects.count(), VoluntaryEnrolment.objects.count()) == before


@pytest.mark.parametrize(("changes", "expected"), [
    ({"occupation": "farmer"}, ("occupation", "voluntary_bad_occupation")),
    ({"declared_income": "1500000"}, ("declared_income", "voluntary_income_not_integer")),
    ({"declared_income": True}, ("declared_income", "voluntary_income_not_integer")),
    ({"social_security_number": ""}, ("social_security_number", "required")),
    ({"start_on": D(2031, 1, 1)}, ("start_on", "future_date")),
])
def test_bad_enrolment_input_changes_nothing(officer, villages, changes, expected):
    person = make_person(villages["anou"], date_of_birth="1985-04-01")
    arguments = {"occupation": SELF_EMPLOYED, "declared_income": 1_500_000,
                 "start_on": D(2024, 3, 1), "social_security_number": "VS12345678",
                 "today": TODAY, **changes}
    if changes.get("start_on"):
        arguments["declared_income"] = 1_500_000
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.enrol_voluntary(officer, person, **arguments)
    assert expected in codes(raised)
    assert not InsuredMember.objects.filter(person=person).exists()
    assert not VoluntaryEnrolment.objects.exists()


def test_too_old_twice_enrolled_and_open_employment_membership_are_refused(officer, villages):
    with pytest.raises(SocialSecurityValidationError) as raised:
        enrol(officer, villages["anou"], date_of_birth="1950-01-01")
    assert codes(raised) == [("start_on", "voluntary_too_old")]
    enrolment = enrol(officer, villages["anou"])
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.enrol_voluntary(officer, enrolment.member, occupation=SELF_EMPLOYED,
                                  declared_income=1_500_000, start_on=D(2024, 6, 1),
                                  today=TODAY)
    assert codes(raised) == [("person", "voluntary_already_enrolled")]
    employee = make_member(villages["anou"])
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.enrol_voluntary(officer, employee, occupation=SELF_EMPLOYED,
                                  declared_income=1_500_000, start_on=D(2024, 6, 1),
                                  today=TODAY)
    assert codes(raised) == [("start_on", "voluntary_membership_open")]
    assert VoluntaryEnrolment.objects.count() == 1


def test_enrolment_respects_scope_and_read_only_roles(staff, villages):
    person = make_person(villages["anou"], date_of_birth="1985-04-01")
    arguments = {"occupation": SELF_EMPLOYED, "declared_income": 1_500_000,
                 "start_on": D(2024, 3, 1), "social_security_number": "VS12345678",
                 "today": TODAY}
    with pytest.raises(OutOfScope):
        voluntary.enrol_voluntary(staff["district_sikhottabong"], person, **arguments)
    with pytest.raises(PermissionDenied):
        voluntary.enrol_voluntary(staff["auditor"], person, **arguments)
    with pytest.raises(PermissionDenied):
        voluntary.enrol_voluntary(staff["member"], person, **arguments)
    assert not VoluntaryEnrolment.objects.exists()


# Income class changes ------------------------------------------------------------------------

def test_income_class_change_is_dated_and_billing_uses_each_months_class(officer, villages):
    enrolment = enrol(officer, villages["anou"], income=1_500_000, start_on=D(2024, 3, 1))
    change = voluntary.change_income_class(officer, enrolment, declared_income=2_000_000,
                                           from_month=D(2024, 5, 1), reason="more customers")
    assert change.event == "income_changed" and change.effective_on == D(2024, 5, 1)
    enrolment.refresh_from_db()
    assert enrolment.declared_income == 2_000_000
    bill(D(2024, 4, 1), D(2024, 5, 1))
    bases = dict(ContributionRecord.objects.filter(member=enrolment.member)
                 .values_list("month", "insurable_wage"))
    assert bases == {D(2024, 4, 1): 1_500_000, D(2024, 5, 1): 2_000_000}
    amounts = dict(Invoice.objects.filter(member=enrolment.member).values_list("month", "total"))
    assert amounts == {D(2024, 4, 1): 135_000, D(2024, 5, 1): 180_000}


def test_bad_income_class_changes_are_refused(officer, villages):
    enrolment = enrol(officer, villages["anou"], income=1_500_000, start_on=D(2024, 3, 1))
    bill(D(2024, 3, 1), D(2024, 4, 1))
    for changes, expected in (
            ({"from_month": D(2024, 6, 15)}, ("from_month", "voluntary_not_month_start")),
            ({"from_month": D(2024, 3, 1)}, ("from_month", "voluntary_change_before_start")),
            ({"from_month": D(2024, 4, 1)}, ("from_month", "voluntary_month_billed")),
            ({"declared_income": 1_500_000}, ("declared_income", "voluntary_same_income")),
            ({"declared_income": 1_234_567}, ("declared_income",
                                              "voluntary_bad_income_class"))):
        arguments = {"declared_income": 2_000_000, "from_month": D(2024, 6, 1), **changes}
        with pytest.raises(SocialSecurityValidationError) as raised:
            voluntary.change_income_class(officer, enrolment, **arguments)
        assert codes(raised) == [expected]
    enrolment.refresh_from_db()
    assert enrolment.declared_income == 1_500_000
    assert enrolment.status_changes.count() == 1


def test_ending_an_enrolment_ends_its_membership_and_billing(officer, villages):
    enrolment = enrol(officer, villages["anou"], start_on=MARCH_2024)
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.end_voluntary(officer, enrolment, end_on=D(2024, 5, 31), reason=" ")
    assert codes(raised) == [("reason", "required")]
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.end_voluntary(officer, enrolment, end_on=D(2024, 1, 31), reason="job")
    assert codes(raised) == [("end_on", "end_before_start")]
    ended = voluntary.end_voluntary(officer, enrolment, end_on=D(2024, 5, 31),
                                    reason="took a job")
    assert (ended.status, ended.end_on) == ("ended", D(2024, 5, 31))
    assert MembershipSpell.objects.get(pk=ended.membership_spell_id).end_on == D(2024, 5, 31)
    assert ended.status_changes.filter(event="ended").exists()
    bill(D(2024, 5, 1), D(2024, 6, 1))
    assert list(Invoice.objects.filter(member=ended.member).values_list("month", flat=True)) \
        == [D(2024, 5, 1)]
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.end_voluntary(officer, ended, end_on=D(2024, 6, 30), reason="again")
    assert codes(raised) == [("enrolment", "already_ended")]
    # An ended enrolment does not stop a new one later.
    again = voluntary.enrol_voluntary(officer, ended.member, occupation=SELF_EMPLOYED,
                                      declared_income=1_500_000, start_on=D(2024, 9, 1),
                                      today=TODAY)
    assert again.status == "active"


# Billing --------------------------------------------------------------------------------------

def test_billing_run_issues_one_invoice_per_covered_member_and_is_idempotent(officer, villages):
    first = enrol(officer, villages["anou"], income=1_500_000, start_on=D(2024, 3, 10))
    second = voluntary.enrol_voluntary(
        system_admin(), make_person(villages["sithan"], date_of_birth="1980-01-01"),
        occupation=SELF_EMPLOYED, declared_income=2_700_000, start_on=D(2024, 2, 1),
        social_security_number="VS99990001", today=TODAY)
    later = enrol(officer, villages["anou"], start_on=D(2024, 4, 1))
    run = voluntary.run_voluntary_billing(D(2024, 3, 1), today=TODAY)
    assert run.kind == "voluntary" and run.status == "finished"
    assert run.number_of_invoices == 2 and run.total_amount == 135_000 + 243_000
    invoices = {invoice.member_id: invoice for invoice in Invoice.objects.filter(
        kind="voluntary", month=D(2024, 3, 1))}
    assert set(invoices) == {first.member_id, second.member_id}
    assert later.member_id not in invoices
    invoice = invoices[first.member_id]
    assert (invoice.insured_amount, invoice.employer_amount, invoice.state_subsidy,
            invoice.total) == (135_000, 0, 0, 135_000)
    assert invoice.village_id == villages["anou"].pk and invoice.billing_run == run
    assert invoice.due_on == rules.due_date(D(2024, 3, 1))
    assert "social_security.voluntary.state_subsidy" in run.parameters_used
    assert run.parameters_used["social_security.voluntary.state_subsidy"]["provisional"]
    record = ContributionRecord.objects.get(member=first.member, month=D(2024, 3, 1))
    assert (record.source, record.employer_id, record.insurable_wage, record.insured_amount,
            record.paid) == ("voluntary", None, 1_500_000, 135_000, False)
    assert voluntary_selectors.member_balance(first.member) == 135_000
    assert ledger_balanced()
    entries = Entry.objects.count()
    again = voluntary.run_voluntary_billing(D(2024, 3, 1), today=TODAY)
    assert again.pk == run.pk and BillingRun.objects.count() == 1
    assert Invoice.objects.count() == 2 and Entry.objects.count() == entries
    assert ContributionRecord.objects.count() == 2


def test_the_state_share_from_the_rules_is_billed_to_the_state(officer, villages,
                                                               monkeypatch):
    enrolment = enrol(officer, villages["anou"], income=2_000_000)
    real = rules.voluntary_contribution

    def with_subsidy(incomes, month):
        result = real(incomes, month)
        total = result.insured + result.employer
        state = total // 3
        return rules.Contributions(month, result.insurable_wage, total - state, state,
                                   result.parameter_names)

    monkeypatch.setattr(rules, "voluntary_contribution", with_subsidy)
    bill(D(2024, 3, 1))
    invoice = Invoice.objects.get(member=enrolment.member)
    assert (invoice.insured_amount, invoice.state_subsidy, invoice.total) == (
        120_000, 60_000, 120_000)
    assert voluntary_selectors.member_balance(enrolment.member) == 120_000
    subsidy = Entry.objects.filter(account__code=accounting.STATE_SUBSIDY_RECEIVABLE)
    assert sum(subsidy.values_list("amount", flat=True)) == 60_000
    record = ContributionRecord.objects.get(member=enrolment.member)
    assert (record.insured_amount, record.employer_amount) == (120_000, 60_000)


def test_a_class_no_longer_valid_is_billed_at_the_nearest_class(officer, villages):
    enrolment = enrol(officer, villages["anou"], income=1_100_000, start_on=D(2022, 5, 1))
    bill(D(2022, 7, 1), D(2022, 8, 1))
    bases = dict(ContributionRecord.objects.filter(member=enrolment.member)
                 .values_list("month", "insurable_wage"))
    # The lowest class rose to 1,200,000 in August 2022.
    assert bases == {D(2022, 7, 1): 1_100_000, D(2022, 8, 1): 1_200_000}
    assert list(voluntary.nearest_income_class(
        np.array([900_000, 1_250_000, 3_000_000]), D(2024, 1, 1))) == [
        1_200_000, 1_200_000, 2_700_000]


# Lapse and reinstatement ----------------------------------------------------------------------

def test_unpaid_months_lapse_the_membership_set_based_and_once(officer, villages):
    lapsing = enrol(officer, villages["anou"], start_on=D(2023, 1, 1))
    bill(*months(D(2023, 1, 1), 7))
    # By the end of June five invoices (January to May) are past due: not yet lapsed.
    assert voluntary.run_lapses(D(2023, 6, 1), today=TODAY) == []
    # By the end of July six are (January to June): the rules' limit.
    assert rules.is_lapsed([6], D(2023, 7, 1))[0]
    assert voluntary.run_lapses(D(2023, 7, 1), today=TODAY) == [lapsing.pk]
    lapsing.refresh_from_db()
    assert lapsing.status == "lapsed" and lapsing.status_since == D(2023, 8, 1)
    assert MembershipSpell.objects.get(pk=lapsing.membership_spell_id).end_on == D(2023, 7, 31)
    event = lapsing.status_changes.get(event="lapsed")
    assert event.effective_on == D(2023, 8, 1) and "6 unpaid" in event.reason
    assert AuditEvent.objects.filter(object_type="socialsecurity.voluntaryenrolment",
                                     object_id=lapsing.pk, note__startswith="lapsed").exists()
    assert voluntary.run_lapses(D(2023, 7, 1), today=TODAY) == []
    assert voluntary.run_lapses(D(2023, 8, 1), today=TODAY) == []
    # A lapsed member is not billed for the months after the lapse.
    bill(D(2023, 8, 1))
    assert not Invoice.objects.filter(member=lapsing.member, month=D(2023, 8, 1)).exists()
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.run_lapses(D(2025, 7, 1), today=TODAY)
    assert codes(raised) == [("month", "future_date")]


def test_paying_breaks_the_run_marks_the_record_and_allows_reinstatement(officer, villages):
    enrolment = enrol(officer, villages["anou"], start_on=D(2023, 1, 1))
    bill(*months(D(2023, 1, 1), 7))
    voluntary.record_voluntary_payment(officer, enrolment.member, amount=135_000,
                                       received_on=D(2023, 2, 10), method="cash")
    record = ContributionRecord.objects.get(member=enrolment.member, month=D(2023, 1, 1))
    assert record.paid and record.paid_on == D(2023, 2, 10)
    # January paid: February to June is five unpaid months, not six.
    assert voluntary.run_lapses(D(2023, 7, 1), today=TODAY) == []
    bill(D(2023, 8, 1))
    assert voluntary.run_lapses(D(2023, 8, 1), today=TODAY) == [enrolment.pk]
    enrolment.refresh_from_db()
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.reinstate(officer, enrolment, D(2024, 1, 1), today=TODAY)
    assert codes(raised) == [("member", "voluntary_arrears_unpaid")]
    assert "945,000" in raised.value.errors[0].reason_en
    voluntary.record_voluntary_payment(officer, enrolment.member, amount=945_000,
                                       received_on=D(2023, 12, 20), method="cash")
    assert not ContributionRecord.objects.filter(member=enrolment.member, paid=False).exists()
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.reinstate(officer, enrolment, D(2023, 8, 15), today=TODAY)
    assert codes(raised) == [("on", "voluntary_before_lapse")]
    reinstated = voluntary.reinstate(officer, enrolment, D(2024, 1, 1), today=TODAY)
    assert reinstated.status == "active" and reinstated.membership_spell.start_on == D(2024, 1, 1)
    assert reinstated.status_changes.filter(event="reinstated").exists()
    assert list(enrolment.member.membership_spells.values_list("start_on", "end_on")) == [
        (D(2023, 1, 1), D(2023, 8, 31)), (D(2024, 1, 1), None)]
    bill(D(2023, 12, 1), D(2024, 1, 1))
    billed = set(Invoice.objects.filter(member=enrolment.member).values_list("month", flat=True))
    assert D(2024, 1, 1) in billed and D(2023, 12, 1) not in billed
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.reinstate(officer, reinstated, D(2024, 2, 1), today=TODAY)
    assert codes(raised) == [("enrolment", "voluntary_not_lapsed")]


# Self-service ----------------------------------------------------------------------------------

def test_a_member_account_sees_only_its_own_enrolment_and_invoices(officer, villages, staff):
    own = enrol(officer, villages["anou"])
    other = enrol(officer, villages["anou"])
    bill(D(2024, 3, 1))
    user = make_user("self_service", "insured_member", None)
    MemberUser.objects.create(user=user, member=own.member)
    assert voluntary_selectors.member_of_user(user) == own.member
    assert voluntary_selectors.own_enrolment(user) == own
    assert list(voluntary_selectors.enrolments_in_scope(user)) == [own]
    assert [i.member_id for i in voluntary_selectors.own_invoices(user)] == [own.member_id]
    assert [i.member_id for i in voluntary_selectors.voluntary_invoices_in_scope(user)] == [
        own.member_id]
    assert voluntary_selectors.own_balance(user) == 135_000
    assert [r.month for r in voluntary_selectors.own_contributions(user)] == [D(2024, 3, 1)]
    assert [c.event for c in voluntary_selectors.enrolment_history(user, own.pk)] == [
        "enrolled"]
    with pytest.raises(OutOfScope):
        voluntary_selectors.enrolment_for(user, other.pk)
    with pytest.raises(SocialSecurityValidationError) as raised:
        voluntary.record_voluntary_payment(user, other.member, amount=135_000,
                                           received_on=D(2024, 4, 1), method="mobile_money")
    assert codes(raised) == [("member", "voluntary_not_own_member")]
    # Unlinked member accounts, employer and public accounts see nothing.
    for account in (staff["member"], staff["employer"], staff["public"]):
        assert not voluntary_selectors.enrolments_in_scope(account).exists()
        assert not voluntary_selectors.voluntary_invoices_in_scope(account).exists()
        with pytest.raises(OutOfScope):
            voluntary_selectors.own_invoices(account)
    # Staff by place.
    assert voluntary_selectors.enrolments_in_scope(staff["district_sikhottabong"]).count() == 0
    assert voluntary_selectors.enrolments_in_scope(staff["province_vientiane"]).count() == 2
    assert VoluntaryStatusChange.objects.count() == 2


def test_leaving_and_returning_within_a_month_bills_the_month_once(officer, villages):
    enrolment = enrol(officer, villages["anou"], income=1_500_000, start_on=MARCH_2024)
    voluntary.end_voluntary(officer, enrolment, end_on=D(2024, 5, 10), reason="short job")
    voluntary.enrol_voluntary(officer, enrolment.member, occupation=SELF_EMPLOYED,
                              declared_income=2_000_000, start_on=D(2024, 5, 20), today=TODAY)
    bill(D(2024, 5, 1))
    invoice = Invoice.objects.get(member=enrolment.member, month=D(2024, 5, 1))
    assert invoice.total == 180_000
