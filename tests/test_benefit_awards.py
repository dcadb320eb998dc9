"""Awards: suspension, resumption and end by an officer (history, audit, notices, refusals),
and what a death recorded in the registry does to benefits: awards end with the month of death,
months paid after the month of death are recovered (with the ledger posting), the survivors'
and funeral claims are opened once, whether the death is recorded or brought by a merge."""

from __future__ import annotations

import datetime

import pytest

from pakan.accounts.scope import OutOfScope
from pakan.audit.models import AuditEvent
from pakan.benefits import accounting
from pakan.benefits.models import (
    Award,
    AwardStatusChange,
    Claim,
    Notification,
    PayrollLine,
    PayrollRun,
    Recovery,
)
from pakan.benefits.services import awards as award_services
from pakan.benefits.services import claims as claim_services
from pakan.benefits.services import deaths
from pakan.benefits.validation import BenefitsValidationError
from pakan.ledger.models import Entry, Transaction
from pakan.registry import services as registry_services
from pakan.registry.models import DuplicateCandidate
from tests.benefit_factories import make_pensioner, month_range
from tests.factories import make_person, system_admin
from tests.test_benefit_claims_support import codes, family_member, insured

pytestmark = pytest.mark.django_db

DIED = datetime.date(2025, 3, 10)
END_OF_MONTH_OF_DEATH = datetime.date(2025, 3, 31)  # the month of death is due in full
PENSION = 1_500_000


def pay(award: Award, months: list[datetime.date], status: str = "paid") -> list[PayrollLine]:
    """Payroll lines as a run leaves them (the payroll's own tests cover how they are made)."""
    lines = []
    for month in months:
        run, _ = PayrollRun.objects.get_or_create(month=month)
        lines.append(PayrollLine.objects.create(
            run=run, award=award, beneficiary=award.beneficiary,
            village=award.beneficiary.village, branch=award.branch, kind=award.kind,
            monthly_amount=PENSION, days_paid=30, amount=PENSION, bank=award.bank,
            bank_account=award.bank_account, reference=f"T{award.pk}-{month:%Y%m}",
            status=status))
    return lines


def refused(call) -> list[tuple[str, str]]:
    with pytest.raises(BenefitsValidationError) as caught:
        call()
    return codes(caught.value)


# --- suspend, resume, end ---------------------------------------------------------------------

def test_suspend_resume_and_end_are_recorded_and_notified(staff, geography):
    award = make_pensioner(geography["0101001"], start_on=datetime.date(2025, 1, 1))
    officer = staff["district_chanthabuly"]
    today = datetime.date(2025, 6, 30)
    award_services.suspend_award(officer, award, reason="life certificate not returned",
                                 effective_on=datetime.date(2025, 6, 1), today=today)
    award.refresh_from_db()
    assert award.status == "suspended" and award.status_since == datetime.date(2025, 6, 1)
    assert refused(lambda: award_services.suspend_award(
        officer, award, reason="again", today=today)) == [("status", "award_bad_status_change")]
    assert refused(lambda: award_services.resume_award(
        officer, award, effective_on=datetime.date(2025, 5, 1), today=today)) == [
        ("effective_on", "award_date_before_status")]
    award_services.resume_award(officer, award, effective_on=datetime.date(2025, 6, 20),
                                today=today)
    assert refused(lambda: award_services.end_award(officer, award, reason="", today=today)) == [
        ("reason", "claim_reason_required")]
    assert refused(lambda: award_services.end_award(
        officer, award, reason="remarried", end_on=datetime.date(2025, 7, 1), today=today)) == [
        ("effective_on", "award_future_date")]
    award_services.end_award(officer, award, reason="moved abroad", today=today)
    award.refresh_from_db()
    assert award.status == "ended" and award.end_on == today
    history = list(award.status_changes.order_by("id").values_list("status", "actor"))
    assert history == [("suspended", officer.pk), ("in_payment", officer.pk),
                       ("ended", officer.pk)]
    notices = Notification.objects.filter(award=award).order_by("id")
    assert ["suspended from 2025-06-01" in notices[0].text_en,
            "resumes from 2025-06-20" in notices[1].text_en,
            "ends on 2025-06-30: moved abroad" in notices[2].text_en] == [True, True, True]
    assert all("2025-06" in notice.text_lo for notice in notices)
    assert AuditEvent.objects.filter(object_type="benefits.award", object_id=award.pk,
                                     action="update").count() == 3


def test_an_officer_outside_the_area_cannot_change_an_award(staff, geography):
    award = make_pensioner(geography["0102001"])
    with pytest.raises(OutOfScope):
        award_services.suspend_award(staff["district_chanthabuly"], award, reason="x",
                                     today=datetime.date(2025, 6, 30))
    award.refresh_from_db()
    assert award.status == "in_payment" and not award.status_changes.exists()


# --- a death in the registry ------------------------------------------------------------------

def test_a_death_ends_the_awards_with_its_month_and_recovers_months_paid_after_it(staff,
                                                                                 geography):
    award = make_pensioner(geography["0101001"], monthly_amount=PENSION,
                           start_on=datetime.date(2025, 1, 1))
    pay(award, month_range(datetime.date(2025, 1, 1), 4))        # January to April
    pay(award, [datetime.date(2025, 5, 1)], status="returned")   # came back: nothing to recover
    pay(award, [datetime.date(2025, 6, 1)], status="repaid")     # paid again: recovered
    registry_services.record_death(staff["district_chanthabuly"], award.beneficiary,
                                   occurred_on=DIED)
    award.refresh_from_db()
    assert (award.status, award.end_on, award.status_since) == (
        "ended", END_OF_MONTH_OF_DEATH, END_OF_MONTH_OF_DEATH)
    change = award.status_changes.get()
    assert change.actor is None and "death" in change.reason
    # March, the month of death, is due in full; April and June were paid after it.
    recovery = Recovery.objects.get(award=award)
    assert recovery.amount == 2 * PENSION
    assert (recovery.first_month, recovery.last_month) == (datetime.date(2025, 4, 1),
                                                           datetime.date(2025, 6, 1))
    assert recovery.ledger_key == deaths.death_ledger_key(award.pk, DIED)
    posting = Transaction.objects.get(key=recovery.ledger_key)
    lines = dict(Entry.objects.filter(transaction=posting).values_list("account__code",
                                                                       "amount"))
    assert lines == {accounting.OVERPAYMENTS_RECEIVABLE: 2 * PENSION,
                     accounting.expense_account("old_age"): -2 * PENSION}
    # Announced again (a receiver run twice): nothing twice.
    deaths.react_to_death(award.beneficiary, DIED)
    assert Recovery.objects.count() == 1 and Transaction.objects.filter(
        key=recovery.ledger_key).count() == 1
    assert AwardStatusChange.objects.count() == 1


def test_a_death_with_nothing_paid_after_it_recovers_nothing(staff, geography):
    award = make_pensioner(geography["0101001"], start_on=datetime.date(2025, 1, 1))
    pay(award, month_range(datetime.date(2025, 1, 1), 3))  # up to March, the month of death
    registry_services.record_death(staff["district_chanthabuly"], award.beneficiary,
                                   occurred_on=DIED)
    assert not Recovery.objects.exists()


def test_a_member_s_death_opens_the_funeral_and_survivors_claims_once(staff, geography):
    member = insured(geography["0101001"], born="1970-01-01")
    spouse = family_member(member, "spouse", born="1968-02-02", sex="F")
    child = family_member(member, "child", born="2012-05-05", sex="M")
    former = family_member(member, "child", born="1990-05-05", sex="F")
    former_link = former.dependant_of.get()
    former_link.end_on = datetime.date(2015, 1, 1)
    former_link.save()
    registry_services.record_death(staff["district_chanthabuly"], member.person,
                                   occurred_on=DIED)
    claims = Claim.objects.filter(member=member).order_by("id")
    assert [(claim.branch, claim.claimant) for claim in claims] == [
        ("funeral", spouse), ("survivors", spouse), ("survivors", child)]
    system = deaths.system_user()
    assert not system.is_active and not system.has_usable_password()
    for claim in claims:
        assert claim.status == "filed" and claim.channel == "office"
        assert claim.filed_by == system and claim.event_date == DIED
        assert claim.steps.filter(action="opened_by_death", actor=system).exists()
        assert Notification.objects.filter(claim=claim, person=claim.claimant).exists()
        assert claim.checks and claim.assessment
    survivor_claim = claims.get(branch="survivors", claimant=child)
    assert survivor_claim.event_details["relationship"] == "child"
    assert survivor_claim.event_details["beneficiary_birth_date"] == "2012-05-05"
    # Any officer in the area may decide them: the system filed them.
    funeral = claims.get(branch="funeral")
    claim_services.add_document(staff["district_chanthabuly"], funeral,
                                claim_services.DocumentUpload(
                                    "death_certificate", "death.pdf", b"%PDF-1.4 x"))
    [grant] = claim_services.approve_claim(staff["district_chanthabuly"], funeral)
    assert grant.kind == "lump_sum" and grant.beneficiary == spouse
    # The child's survivors' benefit is paid monthly until the age the rules say.
    [allowance] = claim_services.approve_claim(
        staff["district_chanthabuly"], survivor_claim,
        note="family book seen at the office")
    assert allowance.kind == "periodic" and allowance.beneficiary == child
    assert allowance.end_on is not None and allowance.end_on > DIED
    assert allowance.explanation["qualifies"] and allowance.amounts.get().monthly_amount > 0
    # The same death again (receiver run twice) opens nothing more.
    outcome = deaths.react_to_death(member.person, DIED)
    assert outcome.claims == [] and Claim.objects.filter(member=member).count() == 3


def test_a_death_brought_by_a_merge_opens_the_claims_once(staff, geography):
    member = insured(geography["0101001"], born="1970-01-01")
    spouse = family_member(member, "spouse", born="1968-02-02", sex="F")
    kept = member.person
    duplicate = make_person(geography["0101001"], date_of_birth="1970-01-01",
                            date_of_death=DIED.isoformat(), sex=kept.sex)
    # The registration's own duplicate check may have queued this pair already.
    pair, _ = DuplicateCandidate.objects.get_or_create(person=duplicate, existing=kept,
                                                       defaults={"reason": "similar_name"})
    registry_services.merge_duplicate(staff["district_chanthabuly"], pair, keep=kept)
    kept.refresh_from_db()
    assert kept.date_of_death == DIED
    assert set(Claim.objects.filter(member=member).values_list("branch", "claimant")) == {
        ("funeral", spouse.pk), ("survivors", spouse.pk)}
    # Recording the same death is refused by the registry; announcing it again opens nothing.
    deaths.react_to_death(kept, DIED)
    assert Claim.objects.filter(member=member).count() == 2


def test_a_death_with_no_family_registered_opens_no_claim_but_records_the_death(staff,
                                                                                geography):
    member = insured(geography["0101001"], born="1970-01-01")
    registry_services.record_death(staff["district_chanthabuly"], member.person,
                                   occurred_on=DIED)
    member.person.refresh_from_db()
    assert member.person.date_of_death == DIED
    assert not Claim.objects.exists()


def test_an_unpaid_lump_sum_due_before_the_death_stays_owed(staff, geography):
    member = insured(geography["0101001"], member_since=datetime.date(2015, 1, 1), months=120)
    claim = claim_services.file_claim(
        system_admin(), member=member, branch="old_age", event_date=datetime.date(2025, 3, 1),
        channel="office", today=datetime.date(2025, 3, 1),
        documents=[claim_services.DocumentUpload("identity", "id.pdf", b"%PDF-1.4 y")])
    [lump_sum] = claim_services.approve_claim(staff["central"], claim,
                                              today=datetime.date(2025, 3, 5))
    registry_services.record_death(staff["district_chanthabuly"], member.person,
                                   occurred_on=DIED)
    lump_sum.refresh_from_db()
    assert lump_sum.kind == "lump_sum" and lump_sum.status == "in_payment"


def test_a_date_of_death_set_by_a_correction_also_ends_the_awards(staff, geography):
    award = make_pensioner(geography["0101001"], start_on=datetime.date(2025, 1, 1))
    registry_services.update_person(staff["district_chanthabuly"], award.beneficiary,
                                    {"date_of_death": DIED.isoformat()})
    award.refresh_from_db()
    assert award.status == "ended" and award.end_on == END_OF_MONTH_OF_DEATH
