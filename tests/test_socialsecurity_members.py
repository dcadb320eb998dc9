"""The fund's register of employers and insured members: each service's effect, its audit
record and its refusals (which change nothing), the overlap rules for spells, and scope for
officers and employer accounts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from pakan.accounts.models import Role
from pakan.accounts.scope import OutOfScope
from pakan.audit.models import AuditEvent
from pakan.registry import services as registry_services
from pakan.socialsecurity import selectors, services
from pakan.socialsecurity.models import (
    ContributionRecord,
    Dependant,
    Employer,
    EmployerStatusChange,
    EmploymentSpell,
    InsuredMember,
    MembershipSpell,
    SizeClass,
)
from pakan.socialsecurity.validation import MESSAGES, SocialSecurityValidationError
from tests.conftest import make_user
from tests.factories import (
    employer_fields,
    make_employer,
    make_member,
    make_person,
    system_admin,
)

D = datetime.date
def codes(raised: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in raised.value.errors]


def audited(instance, action: str = AuditEvent.Action.CREATE) -> bool:
    return AuditEvent.objects.filter(object_type=instance._meta.label_lower,
                                     object_id=instance.pk, action=action).exists()


@pytest.fixture
def villages(geography):
    return {"anou": geography["0101001"], "mixay": geography["0101002"],
            "sithan": geography["0102001"], "xiengmouane": geography["0601001"]}


# Employers -----------------------------------------------------------------------------------

def test_register_employer_records_status_history_and_audit(staff, villages):
    officer = staff["district_chanthabuly"]
    employer = make_employer(villages["anou"], officer, enterprise_number=" ent-000777 ",
                             number_of_workers=120)
    assert employer.enterprise_number == "ENT-000777"
    assert employer.size_class == SizeClass.LARGE
    assert employer.status == Employer.Status.ACTIVE
    assert employer.status_since == D(2020, 1, 15)
    history = list(employer.status_changes.values_list("status", "effective_on"))
    assert history == [("active", D(2020, 1, 15))]
    event = AuditEvent.objects.get(object_type="socialsecurity.employer", object_id=employer.pk)
    assert event.actor == officer and event.after["name_en"] == employer.name_en


@pytest.mark.parametrize(("workers", "size_class"), [
    (0, SizeClass.MICRO), (5, SizeClass.MICRO), (6, SizeClass.SMALL), (50, SizeClass.SMALL),
    (51, SizeClass.MEDIUM), (99, SizeClass.MEDIUM), (100, SizeClass.LARGE)])
def test_size_class_by_number_of_workers(workers, size_class):
    assert services.size_class_for(workers) == size_class


def test_register_employer_reports_every_bad_field_in_both_languages(staff, villages):
    taken = make_employer(villages["anou"])
    fields = employer_fields(enterprise_number=taken.enterprise_number,
                             nssf_registration_number="bad number!", sector="Z",
                             number_of_workers=-3, phone="call me", email="not-an-email",
                             name_lo="", registered_on=D(2999, 1, 1))
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.register_employer(staff["central"], fields, village=villages["anou"])
    assert set(codes(raised)) == {
        ("enterprise_number", "enterprise_number_taken"),
        ("nssf_registration_number", "bad_identifier"), ("sector", "bad_sector"),
        ("number_of_workers", "bad_number_of_workers"), ("phone", "bad_phone"),
        ("email", "bad_email"), ("name_lo", "required"), ("registered_on", "future_date")}
    sector_error = next(e for e in raised.value.errors if e.code == "bad_sector")
    assert sector_error.reason_en == MESSAGES["bad_sector"][0]
    assert sector_error.reason_lo == MESSAGES["bad_sector"][1]
    assert Employer.objects.count() == 1


def test_register_employer_refuses_taken_registration_number_and_a_district(staff, villages):
    taken = make_employer(villages["anou"])
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.register_employer(
            staff["central"],
            employer_fields(nssf_registration_number=taken.nssf_registration_number),
            village=villages["anou"])
    assert codes(raised) == [("nssf_registration_number", "registration_number_taken")]
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.register_employer(staff["central"], employer_fields(),
                                   village=villages["anou"].parent)
    assert codes(raised) == [("village", "not_a_village")]


def test_register_employer_outside_scope_or_read_only_is_refused(staff, villages):
    with pytest.raises(OutOfScope):
        make_employer(villages["anou"], staff["district_sikhottabong"])
    with pytest.raises(PermissionDenied):
        make_employer(villages["anou"], staff["auditor"])
    with pytest.raises(PermissionDenied):
        make_employer(villages["anou"], staff["employer"])
    assert Employer.objects.count() == 0


def test_suspend_reinstate_close_are_dated_and_audited(staff, villages):
    officer = staff["district_chanthabuly"]
    employer = make_employer(villages["anou"], officer)
    services.suspend_employer(officer, employer, effective_on=D(2022, 3, 1),
                              reason="stopped declaring")
    services.reinstate_employer(officer, employer, effective_on=D(2022, 6, 1),
                                reason="arrears settled")
    services.close_employer(officer, employer, effective_on=D(2023, 1, 31),
                            reason="enterprise dissolved")
    employer.refresh_from_db()
    assert (employer.status, employer.status_since) == ("closed", D(2023, 1, 31))
    history = employer.status_changes.order_by("effective_on")
    assert list(history.values_list("status", "effective_on", "reason")) == [
        ("active", D(2020, 1, 15), "registration"),
        ("suspended", D(2022, 3, 1), "stopped declaring"),
        ("active", D(2022, 6, 1), "arrears settled"),
        ("closed", D(2023, 1, 31), "enterprise dissolved"),
    ]
    updates = AuditEvent.objects.filter(object_type="socialsecurity.employer",
                                        object_id=employer.pk, action="update")
    assert sorted(event.after["status"] for event in updates) == [
        "active", "closed", "suspended"]
    assert EmployerStatusChange.objects.filter(employer=employer, recorded_by=officer).count() \
        == 4


def test_status_change_refusals_change_nothing(staff, villages):
    officer = staff["central"]
    employer = make_employer(villages["anou"])
    attempts = [
        ({"status": "active", "effective_on": D(2021, 1, 1), "reason": "x"},
         ("status", "bad_status_change")),
        ({"status": "dormant", "effective_on": D(2021, 1, 1), "reason": "x"},
         ("status", "bad_status")),
        ({"status": "suspended", "effective_on": D(2021, 1, 1), "reason": "  "},
         ("reason", "required")),
        ({"status": "suspended", "effective_on": D(2019, 1, 1), "reason": "x"},
         ("effective_on", "before_last_status_change")),
        ({"status": "suspended", "effective_on": D(2999, 1, 1), "reason": "x"},
         ("effective_on", "future_date")),
    ]
    for arguments, expected in attempts:
        with pytest.raises(SocialSecurityValidationError) as raised:
            services.change_employer_status(officer, employer, **arguments)
        assert codes(raised) == [expected]
    services.close_employer(officer, employer, effective_on=D(2021, 1, 1), reason="closed")
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.reinstate_employer(officer, employer, effective_on=D(2021, 2, 1), reason="x")
    assert codes(raised) == [("status", "bad_status_change")]
    assert "ປິດ" in raised.value.errors[0].reason_lo
    assert employer.status_changes.count() == 2
    with pytest.raises(OutOfScope):
        services.suspend_employer(staff["district_sikhottabong"], employer,
                                  effective_on=D(2021, 1, 1), reason="x")


def test_closing_ends_open_employment_and_refuses_later_starts(staff, villages):
    admin = system_admin()
    employer = make_employer(villages["anou"])
    member, other = make_member(villages["anou"]), make_member(villages["mixay"])
    open_spell = services.start_employment(admin, member, employer, start_on=D(2021, 1, 1),
                                           monthly_wage=2_500_000)
    late_spell = services.start_employment(admin, other, employer, start_on=D(2022, 6, 1),
                                           monthly_wage=3_000_000)
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.close_employer(admin, employer, effective_on=D(2022, 1, 31), reason="closed")
    assert codes(raised) == [("effective_on", "employment_after_closure")]
    open_spell.refresh_from_db()
    assert open_spell.end_on is None
    services.end_employment(admin, late_spell, end_on=D(2022, 12, 31))
    services.close_employer(admin, employer, effective_on=D(2022, 12, 31), reason="closed")
    open_spell.refresh_from_db()
    assert open_spell.end_on == D(2022, 12, 31)
    assert audited(open_spell, AuditEvent.Action.UPDATE)


# Members -------------------------------------------------------------------------------------

def test_enrol_member_creates_member_and_first_membership(staff, villages):
    officer = staff["district_chanthabuly"]
    person = make_person(villages["anou"], date_of_birth="1995-07-10")
    member = services.enrol_member(officer, person, social_security_number="ss-2024-0001",
                                   category="civil_servant", start_on=D(2015, 1, 1))
    assert member.social_security_number == "SS-2024-0001"
    spell = member.membership_spells.get()
    assert (spell.category, spell.start_on, spell.end_on) == ("civil_servant", D(2015, 1, 1),
                                                              None)
    assert selectors.category_on(member, D(2024, 1, 1)) == "civil_servant"
    assert selectors.category_on(member, D(2014, 12, 31)) is None
    assert audited(member) and audited(spell)


def test_enrol_member_refusals(staff, villages):
    admin = staff["central"]
    young = make_person(villages["anou"], date_of_birth="2010-03-01")
    adult = make_person(villages["anou"], date_of_birth="1980-03-01")
    dead = make_person(villages["anou"], date_of_birth="1970-03-01")
    registry_services.record_death(admin, dead, occurred_on=D(2023, 5, 1))
    existing = make_member(villages["anou"])

    def enrol(person, **overrides):
        arguments = {"social_security_number": "SS00009999", "category": "voluntary",
                     "start_on": D(2024, 1, 1), **overrides}
        with pytest.raises(SocialSecurityValidationError) as raised:
            services.enrol_member(admin, person, **arguments)
        return codes(raised)

    assert enrol(young) == [("start_on", "too_young")]
    assert enrol(dead) == [("person", "person_dead")]
    assert enrol(adult, category="farmer") == [("category", "bad_category")]
    assert enrol(adult, social_security_number="x") == [
        ("social_security_number", "bad_identifier")]
    assert enrol(adult, social_security_number=existing.social_security_number) == [
        ("social_security_number", "social_security_number_taken")]
    assert enrol(adult, start_on=D(2999, 1, 1)) == [("start_on", "future_date")]
    assert enrol(existing.person) == [("person", "already_member")]
    assert InsuredMember.objects.count() == 1
    with pytest.raises(OutOfScope):
        services.enrol_member(staff["district_sikhottabong"], adult,
                              social_security_number="SS00009999", category="voluntary",
                              start_on=D(2024, 1, 1))


def test_fifteenth_birthday_is_old_enough(villages, geography):
    person = make_person(villages["anou"], date_of_birth="2000-02-29")
    with pytest.raises(SocialSecurityValidationError):
        services.enrol_member(system_admin(), person, social_security_number="SS00000015",
                              category="enterprise_employee", start_on=D(2015, 2, 28))
    member = services.enrol_member(system_admin(), person, social_security_number="SS00000015",
                                   category="enterprise_employee", start_on=D(2015, 3, 1))
    assert member.membership_spells.count() == 1


def test_membership_spells_may_not_overlap(villages):
    admin = system_admin()
    member = make_member(villages["anou"], start_on=D(2018, 1, 1))
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.add_membership(admin, member, category="voluntary", start_on=D(2010, 1, 1),
                                end_on=D(2018, 1, 1))
    assert codes(raised) == [("start_on", "membership_overlap")]
    assert "2018-01-01" in raised.value.errors[0].reason_en
    earlier = services.add_membership(admin, member, category="voluntary",
                                      start_on=D(2010, 1, 1), end_on=D(2017, 12, 31))
    assert earlier.end_on == D(2017, 12, 31)
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.add_membership(admin, member, category="voluntary", start_on=D(2012, 1, 1),
                                end_on=D(2011, 1, 1))
    assert codes(raised) == [("end_on", "end_before_start")]
    assert member.membership_spells.count() == 2


def test_change_category_ends_one_spell_and_starts_the_next(villages):
    admin = system_admin()
    member = make_member(villages["anou"], start_on=D(2018, 1, 1))
    services.change_category(admin, member, category="voluntary", on=D(2023, 7, 1))
    spells = list(member.membership_spells.order_by("start_on").values_list(
        "category", "start_on", "end_on"))
    assert spells == [("enterprise_employee", D(2018, 1, 1), D(2023, 6, 30)),
                      ("voluntary", D(2023, 7, 1), None)]
    assert selectors.category_on(member, D(2023, 6, 30)) == "enterprise_employee"
    assert selectors.category_on(member, D(2023, 7, 1)) == "voluntary"
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.change_category(admin, member, category="bogus", on=D(2024, 1, 1))
    assert codes(raised) == [("category", "bad_category")]
    spell = member.membership_spells.get(end_on=None)
    services.end_membership(admin, spell, end_on=D(2024, 1, 31))
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.end_membership(admin, spell, end_on=D(2024, 2, 28))
    assert codes(raised) == [("end_on", "already_ended")]


# Employment ----------------------------------------------------------------------------------

def test_employment_overlap_rules(villages):
    admin = system_admin()
    first, second = make_employer(villages["anou"]), make_employer(villages["mixay"])
    member = make_member(villages["anou"])
    spell = services.start_employment(admin, member, first, start_on=D(2021, 1, 1),
                                      monthly_wage=2_500_000)
    assert audited(spell)
    # A second job at the same time with another employer is allowed.
    services.start_employment(admin, member, second, start_on=D(2021, 6, 1),
                              monthly_wage=1_200_000)
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.start_employment(admin, member, first, start_on=D(2022, 1, 1),
                                  monthly_wage=2_600_000)
    assert codes(raised) == [("start_on", "employment_overlap")]
    services.end_employment(admin, spell, end_on=D(2022, 3, 31))
    with pytest.raises(SocialSecurityValidationError):
        services.start_employment(admin, member, first, start_on=D(2022, 3, 31),
                                  monthly_wage=2_600_000)
    rehired = services.start_employment(admin, member, first, start_on=D(2022, 4, 1),
                                        monthly_wage=2_600_000)
    assert rehired.end_on is None
    assert EmploymentSpell.objects.filter(member=member).count() == 3


@pytest.mark.parametrize(("wage", "code"), [
    (-1, "negative_wage"), (1_000_000_001, "absurd_wage"), (2.5e6, "wage_not_integer"),
    ("2500000", "wage_not_integer"), (True, "wage_not_integer")])
def test_bad_wages_are_refused(villages, wage, code):
    employer, member = make_employer(villages["anou"]), make_member(villages["anou"])
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.start_employment(system_admin(), member, employer, start_on=D(2021, 1, 1),
                                  monthly_wage=wage)
    assert codes(raised) == [("monthly_wage", code)]
    assert not EmploymentSpell.objects.exists()


def test_largest_believable_wage_is_accepted(villages):
    employer, member = make_employer(villages["anou"]), make_member(villages["anou"])
    spell = services.start_employment(system_admin(), member, employer, start_on=D(2021, 1, 1),
                                      monthly_wage=1_000_000_000)
    assert spell.monthly_wage == 1_000_000_000


def test_employment_refused_with_suspended_or_closed_employer_or_without_membership(
        staff, villages):
    admin = system_admin()
    suspended, closed = make_employer(villages["anou"]), make_employer(villages["anou"])
    services.suspend_employer(admin, suspended, effective_on=D(2021, 1, 1), reason="audit")
    services.close_employer(admin, closed, effective_on=D(2021, 1, 1), reason="gone")
    member = make_member(villages["anou"], start_on=D(2020, 2, 1))
    for employer, status in ((suspended, "suspended"), (closed, "closed")):
        with pytest.raises(SocialSecurityValidationError) as raised:
            services.start_employment(admin, member, employer, start_on=D(2021, 6, 1),
                                      monthly_wage=2_500_000)
        assert codes(raised) == [("employer", "employer_not_active")]
        assert status in raised.value.errors[0].reason_en
    active = make_employer(villages["anou"])
    refusals = [(D(2020, 1, 20), ("start_on", "no_membership")),
                (D(2019, 1, 1), ("start_on", "before_registration"))]
    for start_on, expected in refusals:
        with pytest.raises(SocialSecurityValidationError) as raised:
            services.start_employment(admin, member, active, start_on=start_on,
                                      monthly_wage=2_500_000)
        assert codes(raised) == [expected]
    with pytest.raises(OutOfScope):
        services.start_employment(staff["district_sikhottabong"], member, active,
                                  start_on=D(2021, 1, 1), monthly_wage=2_500_000)
    assert not EmploymentSpell.objects.exists()


def test_end_employment_refusals(villages):
    admin = system_admin()
    employer, member = make_employer(villages["anou"]), make_member(villages["anou"])
    spell = services.start_employment(admin, member, employer, start_on=D(2021, 1, 1),
                                      monthly_wage=2_500_000)
    for end_on, code in ((D(2020, 12, 31), "end_before_start"), (D(2999, 1, 1), "future_date")):
        with pytest.raises(SocialSecurityValidationError) as raised:
            services.end_employment(admin, spell, end_on=end_on)
        assert codes(raised) == [("end_on", code)]
    spell.refresh_from_db()
    assert spell.end_on is None


def test_members_of_employer_on_a_date(villages):
    admin = system_admin()
    employer = make_employer(villages["anou"])
    stays, leaves = make_member(villages["anou"]), make_member(villages["mixay"])
    services.start_employment(admin, stays, employer, start_on=D(2021, 1, 1),
                              monthly_wage=2_500_000)
    spell = services.start_employment(admin, leaves, employer, start_on=D(2021, 3, 1),
                                      monthly_wage=2_500_000)
    services.end_employment(admin, spell, end_on=D(2022, 6, 30))
    assert list(selectors.members_of_employer(employer, D(2021, 2, 1))) == [stays]
    assert set(selectors.members_of_employer(employer, D(2022, 6, 30))) == {stays, leaves}
    assert list(selectors.members_of_employer(employer, D(2022, 7, 1))) == [stays]


# Dependants ----------------------------------------------------------------------------------

def test_dependants_added_ended_and_refused(staff, villages):
    officer = staff["district_chanthabuly"]
    member = make_member(villages["anou"])
    child = make_person(villages["sithan"], date_of_birth="2018-04-04")
    dependant = services.add_dependant(officer, member, child, relationship="child",
                                       start_on=D(2020, 1, 1))
    assert audited(dependant)
    refusals = [
        ((child, "child", D(2021, 1, 1)), ("person", "dependant_overlap")),
        ((member.person, "spouse", D(2021, 1, 1)), ("person", "dependant_is_member")),
        ((child, "cousin", D(2021, 1, 1)), ("relationship", "bad_relationship")),
        ((child, "child", D(2017, 1, 1)), ("start_on", "before_birth")),
    ]
    for (person, relationship, start_on), expected in refusals:
        with pytest.raises(SocialSecurityValidationError) as raised:
            services.add_dependant(officer, member, person, relationship=relationship,
                                   start_on=start_on)
        assert codes(raised) == [expected]
    services.end_dependant(officer, dependant, end_on=D(2022, 12, 31))
    again = services.add_dependant(officer, member, child, relationship="child",
                                   start_on=D(2023, 1, 1))
    assert Dependant.objects.filter(member=member).count() == 2
    assert again.end_on is None
    with pytest.raises(OutOfScope):
        services.end_dependant(staff["district_sikhottabong"], again, end_on=D(2023, 6, 1))


# Employer users and scope --------------------------------------------------------------------

def test_link_employer_user_refusals(staff, villages):
    employer = make_employer(villages["anou"])
    link = services.link_employer_user(staff["district_chanthabuly"], staff["employer"],
                                       employer)
    assert audited(link)
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.link_employer_user(staff["central"], staff["employer"], employer)
    assert codes(raised) == [("user", "already_linked")]
    with pytest.raises(SocialSecurityValidationError) as raised:
        services.link_employer_user(staff["central"], staff["public"], employer)
    assert codes(raised) == [("user", "not_employer_user")]
    with pytest.raises(OutOfScope):
        services.link_employer_user(staff["district_sikhottabong"],
                                    make_user("other_employer", Role.EMPLOYER_USER, None),
                                    employer)


def test_employer_scope_by_place_and_by_link(staff, villages):
    in_chanthabuly = make_employer(villages["anou"])
    in_sikhottabong = make_employer(villages["sithan"])
    in_luangprabang = make_employer(villages["xiengmouane"])
    services.link_employer_user(system_admin(), staff["employer"], in_sikhottabong)

    def seen(user):
        return set(selectors.employers_in_scope(user))

    assert seen(staff["district_chanthabuly"]) == {in_chanthabuly}
    assert seen(staff["province_vientiane"]) == {in_chanthabuly, in_sikhottabong}
    assert seen(staff["auditor"]) == {in_chanthabuly, in_sikhottabong, in_luangprabang}
    assert seen(staff["employer"]) == {in_sikhottabong}
    assert seen(staff["public"]) == seen(staff["member"]) == set()
    unlinked = make_user("unlinked_employer", Role.EMPLOYER_USER, None)
    assert seen(unlinked) == set()
    assert selectors.employer_for(staff["employer"], in_sikhottabong.pk) == in_sikhottabong
    missing_id = Employer.objects.order_by("-pk").first().pk + 1000
    for employer_id in (in_chanthabuly.pk, missing_id):
        with pytest.raises(OutOfScope) as raised:
            selectors.employer_for(staff["employer"], employer_id)
        assert str(raised.value) == ""
    with pytest.raises(OutOfScope):
        selectors.employer_for(staff["district_chanthabuly"], in_sikhottabong.pk)


def test_member_scope_for_officers_and_employer_users(staff, villages):
    employer = make_employer(villages["anou"])
    worker = make_member(villages["sithan"])
    stranger = make_member(villages["anou"])
    services.start_employment(system_admin(), worker, employer, start_on=D(2021, 1, 1),
                              monthly_wage=2_500_000)
    services.link_employer_user(system_admin(), staff["employer"], employer)
    assert selectors.member_for(staff["district_sikhottabong"], worker.pk) == worker
    assert selectors.member_for(staff["employer"], worker.pk) == worker
    for user, member in ((staff["district_sikhottabong"], stranger),
                         (staff["employer"], stranger), (staff["public"], worker)):
        with pytest.raises(OutOfScope):
            selectors.member_for(user, member.pk)


# Contribution record -------------------------------------------------------------------------

def test_contribution_history_and_months_contributed(villages):
    first, second = make_employer(villages["anou"]), make_employer(villages["anou"])
    member = make_member(villages["anou"])

    def record(month, employer, paid=True, source="declaration"):
        return ContributionRecord.objects.create(
            member=member, month=month, employer=employer, insurable_wage=2_500_000,
            insured_amount=137_500, employer_amount=150_000 if employer else 0, source=source,
            paid=paid, paid_on=month + datetime.timedelta(days=40) if paid else None)

    record(D(2023, 1, 1), first)
    record(D(2023, 1, 1), second)
    record(D(2023, 2, 1), first, paid=False)
    record(D(2023, 3, 1), None, source="voluntary")
    record(D(2023, 4, 1), first)
    history = list(selectors.contribution_history(member).values_list("month", "employer"))
    assert [month for month, _ in history] == [D(2023, 1, 1), D(2023, 1, 1), D(2023, 2, 1),
                                               D(2023, 3, 1), D(2023, 4, 1)]
    assert selectors.months_contributed(member, D(2023, 12, 1)) == 3
    assert selectors.months_contributed(member, D(2023, 3, 1)) == 2
    for employer in (first, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            record(D(2023, 1, 1) if employer else D(2023, 3, 1), employer)


def test_membership_spell_dates_are_also_checked_by_the_database(villages):
    member = make_member(villages["anou"])
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipSpell.objects.create(member=member, category="voluntary",
                                       start_on=D(2024, 1, 1), end_on=D(2023, 1, 1))
