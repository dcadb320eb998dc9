"""Claims from filing to decision: the issue's bad inputs (each refused or held with a clear
reason in both languages, nothing written), maker-checker, the whole path to an award and its
notices, rejection, appeal and decision again, withdrawal, documents, survivors' family links,
self-service, and scope."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from pakan.accounts.scope import OutOfScope
from pakan.audit.models import AuditEvent
from pakan.benefits.models import (
    Award,
    AwardAmount,
    Claim,
    ClaimDocument,
    ClaimStep,
    Notification,
)
from pakan.benefits.selectors import claims as claim_selectors
from pakan.benefits.services import claims as claim_services
from pakan.benefits.services.claims import DocumentUpload
from pakan.benefits.validation import BenefitsValidationError
from pakan.registry import services as registry_services
from pakan.registry.names import contains_lao
from pakan.socialsecurity.models import ContributionRecord
from tests.factories import make_person
from tests.test_benefit_claims_support import (
    DECIDED,
    FILED,
    PDF,
    PNG,
    RETIRED,
    codes,
    family_member,
    household_with_insured,
    insured,
    member_account,
    pdf,
)

pytestmark = pytest.mark.django_db


def file_old_age(officer, member, **options) -> Claim:
    options.setdefault("today", FILED)
    return claim_services.file_claim(officer, member=member, branch="old_age",
                                     event_date=options.pop("event_date", RETIRED),
                                     channel=options.pop("channel", "office"), **options)


def refused(call) -> list[tuple[str, str]]:
    with pytest.raises(BenefitsValidationError) as caught:
        call()
    return codes(caught.value)


def check_of(claim: Claim, code: str) -> dict:
    return next(entry for entry in claim.checks if entry["code"] == code)


# --- the bad inputs -------------------------------------------------------------------

def test_a_claim_for_someone_dead_before_the_event_is_refused(staff, geography):
    member = insured(geography["0101001"])
    registry_services.record_death(staff["admin"], member.person,
                                   occurred_on=datetime.date(2024, 12, 1))
    claims_before = Claim.objects.count()  # the death opened the survivors' claims, if any
    problems = refused(lambda: file_old_age(staff["district_chanthabuly"], member))
    assert ("member", "claim_member_alive") in problems
    assert Claim.objects.count() == claims_before


def test_a_claim_for_someone_not_insured_is_refused(staff, geography):
    never_insured = make_person(geography["0101001"], date_of_birth="1960-03-01")
    problems = refused(lambda: file_old_age(staff["district_chanthabuly"], never_insured))
    assert problems == [("member", "claim_not_insured")]
    # An insured member whose membership began after the event: not insured on that date.
    late = insured(geography["0101001"], member_since=datetime.date(2025, 6, 1), months=0)
    problems = refused(lambda: file_old_age(staff["district_chanthabuly"], late,
                                            today=datetime.date(2025, 7, 1)))
    assert ("member", "claim_insured") in problems
    assert not Claim.objects.exists()


def test_a_claim_for_someone_too_young_is_refused_with_the_rules_reason(staff, geography):
    young = insured(geography["0101001"], born="1985-01-01", member_since=datetime.date(2010, 1, 1),
                    months=180)
    with pytest.raises(BenefitsValidationError) as caught:
        file_old_age(staff["district_chanthabuly"], young)
    problem = next(item for item in caught.value.errors if item.code == "claim_age")
    assert problem.field == "event_date" and "40" in problem.reason_en
    assert "Below the age" in problem.reason_en and contains_lao(problem.reason_lo)
    assert not Claim.objects.exists()


def test_a_second_claim_for_the_same_event_is_refused_and_the_database_backs_it(staff,
                                                                                geography):
    member = insured(geography["0101001"])
    first = file_old_age(staff["district_chanthabuly"], member)
    problems = refused(lambda: file_old_age(staff["province_vientiane"], member))
    assert problems == [("event_date", "claim_no_other_claim")]
    assert Claim.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(member=member, claimant=member.person, branch="old_age",
                             event_date=RETIRED, filed_on=FILED, filed_by=staff["central"])
    # Once the first is withdrawn, the event may be claimed again.
    claim_services.withdraw_claim(staff["district_chanthabuly"], first, today=FILED)
    assert file_old_age(staff["province_vientiane"], member).status == "filed"


def test_a_claim_dated_in_the_future_is_refused(staff, geography):
    member = insured(geography["0101001"])
    problems = refused(lambda: file_old_age(staff["district_chanthabuly"], member,
                                            event_date=datetime.date(2025, 4, 1)))
    assert problems == [("event_date", "claim_event_not_future")]
    assert not Claim.objects.exists()


def test_a_maternity_claim_for_a_man_is_refused(staff, geography):
    man = insured(geography["0101001"], born="1990-01-01", sex="M",
                  member_since=datetime.date(2020, 1, 1), months=60)
    problems = refused(lambda: claim_services.file_claim(
        staff["district_chanthabuly"], member=man, branch="maternity",
        event_date=datetime.date(2025, 3, 1), channel="office", today=FILED))
    assert ("claimant", "claim_maternity_sex") in problems
    assert not Claim.objects.exists()


def test_the_wife_of_an_insured_man_may_claim_maternity_on_his_record(staff, geography):
    man = insured(geography["0101001"], born="1990-01-01", sex="M",
                  member_since=datetime.date(2020, 1, 1), months=60)
    wife = family_member(man, "spouse", born="1992-05-05", sex="F")
    claim = claim_services.file_claim(
        staff["district_chanthabuly"], member=man, claimant=wife, branch="maternity",
        event_date=datetime.date(2025, 3, 1), channel="office", today=FILED,
        facts={"claimant_is_spouse": True, "children": 1})
    assert check_of(claim, "maternity_sex")["passed"]
    # ...but not a woman who is not his wife.
    stranger = make_person(geography["0101001"], date_of_birth="1991-01-01", sex="F")
    problems = refused(lambda: claim_services.file_claim(
        staff["district_chanthabuly"], member=man, claimant=stranger, branch="maternity",
        event_date=datetime.date(2025, 2, 1), channel="office", today=FILED,
        facts={"claimant_is_spouse": True}))
    assert ("claimant", "claim_maternity_sex") in problems


def test_an_award_approved_by_the_officer_who_filed_the_claim_is_refused(staff, geography):
    member = insured(geography["0101001"])
    claim = file_old_age(staff["district_chanthabuly"], member)
    problems = refused(lambda: claim_services.approve_claim(
        staff["district_chanthabuly"], claim, note="mine", today=DECIDED))
    assert problems == [("decided_by", "claim_maker_cannot_decide")]
    claim.refresh_from_db()
    assert claim.status == "filed" and not Award.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(decided_by=claim.filed_by)


# --- held for the officer ---------------------------------------------------------------------

def test_missing_documents_and_months_are_held_as_failed_checks_not_refused(staff, geography):
    member = insured(geography["0101001"])
    claim = file_old_age(staff["district_chanthabuly"], member)
    documents = check_of(claim, "documents")
    assert not documents["passed"] and "identity card" in documents["en"]
    assert contains_lao(documents["lo"]) and "ບັດປະຈໍາຕົວ" in documents["lo"]
    claim_services.add_document(staff["district_chanthabuly"], claim, pdf(), today=FILED)
    claim.refresh_from_db()
    assert check_of(claim, "documents")["passed"]
    assert claim.steps.filter(action="document_added").count() == 1


def test_approving_over_a_failed_check_needs_a_note(staff, geography):
    member = insured(geography["0101001"])
    claim = file_old_age(staff["district_chanthabuly"], member)
    problems = refused(lambda: claim_services.approve_claim(staff["central"], claim,
                                                            today=DECIDED))
    assert problems == [("decision_note", "claim_note_needed")]
    assert claim_services.approve_claim(staff["central"], claim, note="card seen at the desk",
                                        today=DECIDED)


# --- the whole path ---------------------------------------------------------------------------

def test_filing_approval_award_and_notices(staff, geography):
    member = insured(geography["0101001"], wage=3_000_000)
    claim = file_old_age(staff["district_chanthabuly"], member, documents=[pdf()],
                         bank="BCEL", bank_account="0100123456789")
    assert claim.status == "filed" and claim.channel == "office"
    assert all(entry["passed"] for entry in claim.checks), claim.checks
    explanation = claim.assessment
    assert explanation["qualifies"] and explanation["kind"] == "periodic"
    assert explanation["months_counted"] == 360 and explanation["rules_version"]
    assert explanation["parameters"] and explanation["steps"]
    assert [step.action for step in claim.steps.order_by("id")] == [
        "filed", "document_added", "checked", "notified"]
    filed_notice = Notification.objects.get(claim=claim)
    assert claim.number in filed_notice.text_en and contains_lao(filed_notice.text_lo)
    assert filed_notice.person == member.person

    awards = claim_services.approve_claim(staff["central"], claim, today=DECIDED)
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.decided_by == staff["central"]
    assert claim.decided_on == DECIDED
    [award] = awards
    assert award.kind == "periodic" and award.beneficiary == member.person
    assert award.start_on == RETIRED and award.end_on is None and award.status == "in_payment"
    assert award.bank == "BCEL" and award.bank_account == "0100123456789"
    assert award.rules_version == claim.assessment["rules_version"]
    assert award.explanation["monthly_amount"] == explanation["monthly_amount"]
    [amount] = award.amounts.all()
    assert amount.reason == "decision" and amount.effective_from == RETIRED
    assert amount.monthly_amount == explanation["monthly_amount"] > 0
    notices = Notification.objects.filter(claim=claim).order_by("id")
    assert notices.count() == 2
    approved = notices.last()
    assert f"{amount.monthly_amount:,}" in approved.text_en and approved.award == award
    assert f"{amount.monthly_amount:,}" in approved.text_lo
    audited = set(AuditEvent.objects.values_list("object_type", flat=True))
    assert {"benefits.claim", "benefits.award", "benefits.awardamount",
            "benefits.claimdocument"} <= audited


def test_a_member_short_of_years_gets_a_lump_sum_award(staff, geography):
    member = insured(geography["0101001"], member_since=datetime.date(2015, 1, 1), months=120)
    claim = file_old_age(staff["district_chanthabuly"], member, documents=[pdf()])
    [award] = claim_services.approve_claim(staff["central"], claim, today=DECIDED)
    assert award.kind == "lump_sum" and award.lump_sum_amount > 0
    assert not award.amounts.exists()
    notice = Notification.objects.filter(claim=claim).order_by("id").last()
    assert f"{award.lump_sum_amount:,}" in notice.text_en


def test_rejection_needs_a_reason_from_the_list(staff, geography):
    member = insured(geography["0101001"])
    claim = file_old_age(staff["district_chanthabuly"], member)
    assert refused(lambda: claim_services.reject_claim(
        staff["central"], claim, reason="i_do_not_like_it", today=DECIDED)) == [
        ("rejection_reason", "claim_bad_rejection_reason")]
    assert refused(lambda: claim_services.reject_claim(
        staff["central"], claim, reason="other", today=DECIDED)) == [
        ("decision_note", "claim_other_reason_needs_note")]
    claim_services.reject_claim(staff["central"], claim, reason="documents_missing",
                                note="no identity card", today=DECIDED)
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.rejection_reason == "documents_missing"
    notice = Notification.objects.filter(claim=claim).order_by("id").last()
    assert "Required documents are missing" in notice.text_en
    assert "2025-05-19" in notice.text_en  # 60 days to appeal (provisional parameter)
    assert contains_lao(notice.text_lo)
    assert claim.steps.filter(action="rejected").exists()
    # A decided claim is not decided again outside an appeal.
    assert refused(lambda: claim_services.approve_claim(
        staff["province_vientiane"], claim, note="x", today=DECIDED)) == [
        ("status", "claim_not_open")]


def test_appeal_within_the_time_limit_and_decision_by_a_third_officer(staff, geography):
    member = insured(geography["0101001"])
    claimant = member_account(member)
    claim = file_old_age(staff["district_chanthabuly"], member, documents=[pdf()])
    claim_services.reject_claim(staff["central"], claim, reason="not_enough_contributions",
                                today=DECIDED)
    # Too late: the limit is a dated parameter (60 days, provisional).
    assert refused(lambda: claim_services.appeal_claim(
        claimant, claim, grounds="my record is complete",
        today=DECIDED + datetime.timedelta(days=61))) == [("grounds", "claim_appeal_too_late")]
    assert refused(lambda: claim_services.appeal_claim(
        claimant, claim, grounds=" ", today=DECIDED)) == [("grounds", "claim_grounds_required")]
    claim_services.appeal_claim(claimant, claim, grounds="my record is complete",
                                today=DECIDED + datetime.timedelta(days=60))
    claim.refresh_from_db()
    assert claim.status == "appealed"
    # Neither the filer nor the first decider decides the appeal.
    assert refused(lambda: claim_services.redecide_claim(
        staff["central"], claim, approve=True, today=datetime.date(2025, 6, 1))) == [
        ("decided_by", "claim_redecider_must_differ")]
    assert refused(lambda: claim_services.redecide_claim(
        staff["district_chanthabuly"], claim, approve=True, today=datetime.date(2025, 6, 1))) == [
        ("decided_by", "claim_maker_cannot_decide")]
    claim_services.redecide_claim(staff["province_vientiane"], claim, approve=True,
                                  today=datetime.date(2025, 6, 1))
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.rejection_reason == ""
    assert claim.decided_by == staff["province_vientiane"]
    [award] = claim.awards.all()
    assert award.amounts.get().reason == "decision"
    assert [step.action for step in claim.steps.filter(
        action__in=["rejected", "appealed", "redecided"]).order_by("id")] == [
        "rejected", "appealed", "redecided"]
    # One appeal per claim.
    assert refused(lambda: claim_services.appeal_claim(
        claimant, claim, grounds="again", today=datetime.date(2025, 6, 2))) == [
        ("status", "claim_already_appealed")]


def test_a_decision_again_on_appeal_changes_the_amount_with_a_dated_redecision(staff,
                                                                               geography):
    # The last year's wages were higher, but their months were not paid yet at the decision.
    member = insured(geography["0101001"], months=348, wage=3_000_000)
    raised = ContributionRecord.objects.bulk_create([ContributionRecord(
        member=member, month=datetime.date(2024, month, 1), insurable_wage=6_000_000,
        insured_amount=330_000, employer_amount=360_000, source="voluntary", paid=False)
        for month in range(1, 13)])
    claim = file_old_age(staff["district_chanthabuly"], member, documents=[pdf()])
    [award] = claim_services.approve_claim(staff["central"], claim, today=DECIDED)
    first_amount = award.amounts.get().monthly_amount
    claim_services.appeal_claim(staff["district_chanthabuly"], claim,
                                grounds="the 2024 wages were paid late", today=DECIDED)
    ContributionRecord.objects.filter(pk__in=[row.pk for row in raised]).update(
        paid=True, paid_on=DECIDED)
    redecided_on = datetime.date(2025, 4, 15)
    claim_services.redecide_claim(staff["province_vientiane"], claim, approve=True,
                                  today=redecided_on)
    amounts = list(award.amounts.order_by("effective_from"))
    assert [amount.reason for amount in amounts] == ["decision", "redecision"]
    assert amounts[0].monthly_amount == first_amount
    assert amounts[1].monthly_amount > first_amount
    assert amounts[1].effective_from == redecided_on
    award.refresh_from_db()
    assert award.explanation["monthly_amount"] == amounts[1].monthly_amount


def test_rejection_on_appeal_ends_the_award(staff, geography):
    member = insured(geography["0101001"])
    claim = file_old_age(staff["district_chanthabuly"], member, documents=[pdf()])
    [award] = claim_services.approve_claim(staff["central"], claim, today=DECIDED)
    claim_services.appeal_claim(staff["district_chanthabuly"], claim, grounds="wrong person",
                                today=DECIDED)
    claim_services.redecide_claim(staff["province_vientiane"], claim, approve=False,
                                  reason="other", note="identity fraud",
                                  today=datetime.date(2025, 4, 1))
    award.refresh_from_db()
    assert award.status == "ended" and award.end_on == datetime.date(2025, 4, 1)
    assert award.status_changes.get().reason == "rejected on appeal"


def test_withdrawal_before_the_decision_only(staff, geography):
    member = insured(geography["0101001"])
    claimant = member_account(member)
    claim = file_old_age(staff["district_chanthabuly"], member)
    stranger = member_account(insured(geography["0101001"]), "someone_else")
    with pytest.raises(OutOfScope):
        claim_services.withdraw_claim(stranger, claim, today=FILED)
    claim_services.withdraw_claim(claimant, claim, reason="I keep working", today=FILED)
    claim.refresh_from_db()
    assert claim.status == "withdrawn"
    assert claim.steps.get(action="withdrawn").note == "I keep working"
    assert refused(lambda: claim_services.withdraw_claim(claimant, claim, today=FILED)) == [
        ("status", "claim_not_open")]


# --- documents --------------------------------------------------------------------------------

def test_documents_are_checked_by_content_size_and_hash(staff, geography):
    member = insured(geography["0101001"])
    officer = staff["district_chanthabuly"]
    claim = file_old_age(officer, member)
    document = claim_services.add_document(officer, claim, pdf(name="../../id.PDF"),
                                           today=FILED)
    assert document.original_name == "id.PDF" and document.size_bytes == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert claim_services.add_document(officer, claim, DocumentUpload(
        "family_book", "book.png", PNG), today=FILED).kind == "family_book"
    text_as_pdf = DocumentUpload("identity", "card.pdf", b"just some text")
    assert refused(lambda: claim_services.add_document(officer, claim, text_as_pdf)) == [
        ("documents", "claim_document_type")]
    png_named_pdf = DocumentUpload("identity", "card.pdf", PNG)
    assert refused(lambda: claim_services.add_document(officer, claim, png_named_pdf)) == [
        ("documents", "claim_document_type")]
    too_large = DocumentUpload("identity", "big.pdf",
                               PDF + b"0" * claim_services.MAX_DOCUMENT_BYTES)
    assert refused(lambda: claim_services.add_document(officer, claim, too_large)) == [
        ("documents", "claim_document_too_large")]
    assert refused(lambda: claim_services.add_document(officer, claim, pdf())) == [
        ("documents", "claim_document_twice")]
    assert refused(lambda: claim_services.add_document(
        officer, claim, DocumentUpload("selfie", "a.pdf", PDF + b"1"))) == [
        ("documents", "claim_bad_document_kind")]
    assert ClaimDocument.objects.filter(claim=claim).count() == 2
    # A wrong document at filing refuses the filing whole.
    other = insured(geography["0101001"])
    assert refused(lambda: file_old_age(officer, other, documents=[text_as_pdf])) == [
        ("documents", "claim_document_type")]
    assert not Claim.objects.filter(member=other).exists()


# --- survivors: who is family -----------------------------------------------------------------

def _dead(staff, member, on=datetime.date(2025, 2, 10)):
    registry_services.record_death(staff["admin"], member.person, occurred_on=on)
    member.person.refresh_from_db()
    return on


def test_a_survivor_must_be_registered_family_or_of_the_household(staff, geography):
    member, household = household_with_insured(geography["0101001"])
    spouse_in_household = make_person(geography["0101001"], household=household,
                                      relationship_to_head="spouse", date_of_birth="1962-01-01",
                                      sex="F")
    registered_child = family_member(member, "child", born="2012-04-01", sex="M")
    stranger = make_person(geography["0101001"], date_of_birth="1965-01-01", sex="F")
    died = _dead(staff, member)
    Claim.objects.filter(member=member).delete()  # the claims the death opened
    officer = staff["district_chanthabuly"]

    def survivors(claimant, relationship):
        return claim_services.file_claim(
            officer, member=member, claimant=claimant, branch="survivors", event_date=died,
            channel="office", today=FILED, facts={"relationship": relationship})

    assert ("claimant", "claim_dependant") in refused(lambda: survivors(stranger, "spouse"))
    assert ("claimant", "claim_dependant") in refused(
        lambda: survivors(registered_child, "spouse"))
    from_household = survivors(spouse_in_household, "spouse")
    assert check_of(from_household, "dependant")["passed"]
    assert not check_of(from_household, "dependant_registered")["passed"]
    registered = survivors(registered_child, "child")
    assert check_of(registered, "dependant_registered")["passed"]
    assert registered.event_details["beneficiary_birth_date"] == "2012-04-01"
    # The death must be the recorded one.
    assert ("event_date", "claim_death_recorded") in refused(lambda: claim_services.file_claim(
        officer, member=member, claimant=registered_child, branch="funeral",
        event_date=died - datetime.timedelta(days=1), channel="office", today=FILED))


# --- self-service -----------------------------------------------------------------------------

def test_a_member_files_their_own_claim_through_self_service(staff, geography):
    member = insured(geography["0101001"])
    account = member_account(member)
    claim = claim_services.file_claim(account, member=member, branch="old_age",
                                      event_date=RETIRED, channel="self_service", today=FILED,
                                      documents=[pdf()])
    assert claim.filed_by == account and claim.claimant == member.person
    other = insured(geography["0101001"])
    assert refused(lambda: claim_services.file_claim(
        account, member=other, branch="old_age", event_date=RETIRED, channel="self_service",
        today=FILED)) == [("member", "claim_own_claims_only")]
    assert refused(lambda: claim_services.file_claim(
        account, member=member, branch="survivors", event_date=RETIRED,
        channel="self_service", today=FILED)) == [("branch", "claim_at_office_only")]
    # The officer who decides it is anyone in scope: the member filed it.
    assert claim_services.approve_claim(staff["district_chanthabuly"], claim, today=DECIDED)


# --- scope ------------------------------------------------------------------------------------

def test_scope_matrix_for_claims(staff, geography):
    here = insured(geography["0101001"])  # Chanthabuly
    there = insured(geography["0102001"])  # Sikhottabong
    here_claim = file_old_age(staff["central"], here, documents=[pdf()])
    there_claim = file_old_age(staff["central"], there, documents=[pdf()])
    chanthabuly = staff["district_chanthabuly"]
    assert set(claim_selectors.claims_in_scope(chanthabuly)) == {here_claim}
    assert set(claim_selectors.claims_in_scope(staff["province_vientiane"])) == {
        here_claim, there_claim}
    assert not claim_selectors.claims_in_scope(staff["province_luangprabang"]).exists()
    with pytest.raises(OutOfScope):
        claim_selectors.claim_for(chanthabuly, there_claim.pk)
    with pytest.raises(OutOfScope):
        claim_services.approve_claim(chanthabuly, there_claim, today=DECIDED)
    with pytest.raises(OutOfScope):
        file_old_age(chanthabuly, insured(geography["0102001"]))
    with pytest.raises(PermissionDenied):  # an auditor reads but never decides
        claim_services.approve_claim(staff["auditor"], here_claim, today=DECIDED)
    assert set(claim_selectors.claims_in_scope(staff["auditor"])) == {here_claim, there_claim}
    account = member_account(here)
    assert set(claim_selectors.claims_in_scope(account)) == {here_claim}
    with pytest.raises(OutOfScope):
        claim_selectors.claim_for(account, there_claim.pk)
    assert not claim_selectors.claims_in_scope(staff["employer"]).exists()
    assert not ClaimStep.objects.filter(action="approved").exists()
    assert not AwardAmount.objects.exists()
