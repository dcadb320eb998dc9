"""The synthetic fund (pakan synth --fund): a plausible register grown from the registry's people,
and 24 months of declarations, bills and payments that went through the fund's services.

One small fund is grown once for the module (through the command, as `make run` does) inside a
transaction that is rolled back at the end; each test looks at it in its own savepoint.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.test import override_settings
from django.utils import timezone

from pakan.ledger.models import Entry, Transaction
from pakan.registry.models import Person
from pakan.rules.legal_parameters import entry_at
from pakan.socialsecurity.models import (
    BillingRun,
    Declaration,
    DeclarationLine,
    Dependant,
    Employer,
    EmploymentSpell,
    EnterpriseRegisterEntry,
    Inspection,
    InsuredMember,
    Invoice,
    MembershipSpell,
    Payment,
    VoluntaryEnrolment,
)
from pakan.synth.fund import grow_fund
from pakan.synth.fund_register import add_months, grow_register, window_for
from tests.factories import make_employer, make_worker

PEOPLE = 2_000
SEED = 7
MONTHS = 24


# One worker runs the whole module: the fund is grown once, not once per worker.
pytestmark = pytest.mark.xdist_group(name="synth_fund")


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def fund(django_db_setup, django_db_blocker, tmp_path_factory):
    """People, then the fund, through `synth --fund`; everything is rolled back afterwards."""
    folder = tmp_path_factory.mktemp("synth_fund")
    with django_db_blocker.unblock():
        try:
            with transaction.atomic(), override_settings(VAR_DIR=folder):
                out = io.StringIO()
                call_command("synth", people=PEOPLE, seed=SEED, fund=True, months=MONTHS,
                             stdout=out)
                yield {"output": out.getvalue(),
                       "window": window_for(timezone.localdate(), MONTHS)}
                raise _Rollback
        except _Rollback:
            pass


@pytest.mark.django_db
def test_grow_fund_leaves_an_empty_registry_alone(geography):
    # First in the file: it runs before the module's fund is grown.
    summary = grow_fund(SEED, today=datetime.date(2026, 5, 10))
    assert summary.register.employers == 0
    assert not Employer.objects.exists() and not Invoice.objects.exists()


@pytest.mark.django_db
def test_employers_registered_by_hand_get_no_synthetic_history(geography):
    employer = make_employer(geography["0101001"])
    make_worker(employer)
    summary = grow_fund(SEED, today=datetime.date(2026, 5, 10))
    assert summary.register_skipped and summary.history == {}
    assert not Declaration.objects.exists() and not Invoice.objects.exists()


def counts() -> dict[str, int]:
    models = (Employer, EnterpriseRegisterEntry, InsuredMember, MembershipSpell,
              EmploymentSpell, Dependant, Declaration, DeclarationLine, Invoice, Payment,
              Transaction, Entry, VoluntaryEnrolment, Inspection, BillingRun)
    return {model.__name__: model.objects.count() for model in models}


def minimum_wage(window) -> int:
    return int(entry_at("labour.minimum_wage", window.last_month).value)


def scalar(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_employers_scale_with_the_population_and_most_are_small(fund):
    employers = Employer.objects.count()
    assert round(PEOPLE / 150) * 0.7 <= employers <= round(PEOPLE / 150) * 1.3
    sizes = Counter(Employer.objects.values_list("size_class", flat=True))
    assert (sizes["micro"] + sizes["small"]) / employers >= 0.75
    workers = sorted(Employer.objects.values_list("number_of_workers", flat=True))
    assert workers[-1] >= 4 * max(workers[len(workers) // 2], 1)  # a long tail
    employer = Employer.objects.order_by("pk").first()
    assert employer.name_lo and employer.name_en and employer.enterprise_number
    assert employer.nssf_registration_number.startswith("NSSF-")
    assert any("\u0e80" <= character <= "\u0eff" for character in employer.name_lo)
    assert Employer.objects.filter(status="closed").count() < employers / 5


@pytest.mark.django_db
def test_enterprise_register_holds_every_employer_and_some_unregistered(fund):
    numbers = set(EnterpriseRegisterEntry.objects.values_list("enterprise_number", flat=True))
    employer_numbers = set(Employer.objects.values_list("enterprise_number", flat=True))
    assert employer_numbers <= numbers
    unregistered = numbers - employer_numbers
    assert 1 <= len(unregistered) <= 0.2 * len(employer_numbers) + 1


@pytest.mark.django_db
def test_members_are_people_of_working_age_in_the_expected_categories(fund):
    members = InsuredMember.objects.count()
    assert PEOPLE / 7.5 * 0.7 <= members <= PEOPLE / 7.5 * 1.3
    categories = Counter(MembershipSpell.objects.values_list("category", flat=True))
    assert categories["enterprise_employee"] > members / 2
    assert categories["civil_servant"] > 0
    assert categories["police_military"] > 0
    assert categories["voluntary"] == VoluntaryEnrolment.objects.count() > 0
    first_day = fund["window"].first_month
    for birth, start in EmploymentSpell.objects.values_list("member__person__date_of_birth",
                                                            "start_on"):
        assert (start - birth).days >= 18 * 365
    assert EmploymentSpell.objects.filter(
        member__person__date_of_birth__lt=first_day - datetime.timedelta(days=61 * 366)
    ).count() == 0
    assert Dependant.objects.exists()
    assert not Dependant.objects.filter(
        person__insured_member__employment_spells__isnull=False).exists()


@pytest.mark.django_db
def test_wages_are_around_the_minimum_wage_with_a_long_upper_tail(fund):
    minimum = minimum_wage(fund["window"])
    wages = np.array(EmploymentSpell.objects.values_list("monthly_wage", flat=True))
    assert wages.min() >= minimum
    assert minimum <= np.median(wages) <= 2 * minimum
    assert wages.mean() > np.median(wages)  # skewed to the right
    assert np.percentile(wages, 95) >= 1.8 * minimum
    assert wages.max() >= 2.5 * minimum
    assert (wages % 10_000 == 0).all()


@pytest.mark.django_db
def test_every_employment_starts_while_its_employer_is_active_and_a_member(fund):
    bad_start = EmploymentSpell.objects.filter(start_on__lt=F("employer__registered_on"))
    assert not bad_start.exists()
    for start, end, since in EmploymentSpell.objects.filter(
            employer__status="closed").values_list("start_on", "end_on",
                                                   "employer__status_since"):
        assert start < since and end is not None and end <= since
    uncovered = scalar(
        "SELECT COUNT(*) FROM socialsecurity_employmentspell s WHERE NOT EXISTS ("
        "SELECT 1 FROM socialsecurity_membershipspell m WHERE m.member_id = s.member_id "
        "AND m.start_on <= s.start_on AND (m.end_on IS NULL OR m.end_on >= s.start_on))")
    assert uncovered == 0


@pytest.mark.django_db
def test_declarations_name_only_workers_employed_there_that_month(fund):
    spells: dict[tuple[int, int], list[tuple]] = {}
    for member, employer, start, end in EmploymentSpell.objects.values_list(
            "member", "employer", "start_on", "end_on"):
        spells.setdefault((member, employer), []).append((start, end))
    lines = list(DeclarationLine.objects.values_list("member", "declaration__employer",
                                                     "declaration__month"))
    assert lines
    for member, employer, month in lines:
        month_end = add_months(month, 1) - datetime.timedelta(days=1)
        assert any(start <= month_end and (end is None or end >= month)
                   for start, end in spells.get((member, employer), [])), (member, month)
    wrong_totals = [declaration for declaration in Declaration.objects.annotate(
        lines_total=Sum("lines__monthly_wage"), lines_count=Count("lines"))
        if (declaration.total_wages, declaration.number_of_lines) != (
            declaration.lines_total, declaration.lines_count)]
    assert wrong_totals == []
    minimum = minimum_wage(fund["window"])
    assert not DeclarationLine.objects.filter(monthly_wage__lt=minimum).exists()
    assert not Declaration.objects.filter(submitted_at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_twenty_four_months_are_billed_and_every_declaration_invoiced(fund):
    window = fund["window"]
    runs = BillingRun.objects.filter(kind="contributions", status="finished")
    assert sorted(runs.values_list("month", flat=True)) == window.months
    assert not Declaration.objects.filter(status="accepted", invoice__isnull=True).exists()
    assert BillingRun.objects.filter(kind="voluntary").count() == MONTHS
    issued = set(Invoice.objects.filter(kind="contribution").values_list("issued_on",
                                                                         flat=True))
    assert max(issued) <= window.today and len(issued) == MONTHS


@pytest.mark.django_db
def test_the_ledger_balances_and_each_employer_owes_billed_minus_paid(fund):
    assert scalar("SELECT COALESCE(SUM(amount), 0) FROM ledger_entry") == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.owner_id, SUM(e.amount) FROM ledger_account a "
            "JOIN ledger_entry e ON e.account_id = a.id "
            "WHERE a.code LIKE 'nssf:receivable:employer:%%' GROUP BY a.owner_id")
        ledger = dict(cursor.fetchall())
    billed = dict(Invoice.objects.filter(employer__isnull=False).values_list("employer")
                  .annotate(total=Sum("total")).values_list("employer", "total"))
    paid = dict(Payment.objects.filter(employer__isnull=False, status="identified")
                .values_list("employer").annotate(total=Sum("amount"))
                .values_list("employer", "total"))
    assert ledger
    for employer_id in set(billed) | set(paid):
        assert ledger.get(employer_id, 0) == billed.get(employer_id, 0) - paid.get(
            employer_id, 0)


@pytest.mark.django_db
def test_behaviour_leaves_arrears_late_payments_and_gaps(fund):
    window = fund["window"]
    open_overdue = Invoice.objects.filter(kind="contribution", settled_on__isnull=True,
                                          due_on__lt=window.today)
    assert open_overdue.exists()  # arrears
    settled = Invoice.objects.filter(kind="contribution", settled_on__isnull=False)
    assert settled.count() > open_overdue.count()  # most pay
    on_time = settled.filter(settled_on__lte=F("due_on")).count()
    assert on_time > settled.count() / 2
    assert settled.filter(settled_on__gt=F("due_on")).exists()  # some late
    assert Payment.objects.filter(status="unidentified").count() < Payment.objects.count() / 10
    assert not Payment.objects.filter(received_on__gte=window.today).exists()
    declared_months = Counter(Declaration.objects.values_list("month", flat=True))
    assert declared_months[window.last_month] <= declared_months[window.months[-6]]
    assert VoluntaryEnrolment.objects.filter(status="active").exists()
    assert Inspection.objects.exists()


@pytest.mark.django_db
def test_a_second_run_adds_nothing(fund):
    before = counts()
    out = io.StringIO()
    call_command("synth", people=PEOPLE, seed=SEED, fund=True, months=MONTHS, stdout=out)
    assert counts() == before
    assert "already there" in out.getvalue()
    assert Person.objects.count() >= PEOPLE * 0.98


@pytest.mark.django_db
def test_the_register_is_the_same_for_the_same_seed(fund):
    window = fund["window"]

    def register_of(seed: int) -> list[tuple]:
        try:
            with transaction.atomic():
                grow_register(seed, window)
                rows = list(Employer.objects.order_by("pk").values_list(
                    "enterprise_number", "name_lo", "name_en", "sector", "village_id",
                    "number_of_workers", "registered_on"))
                rows += list(EmploymentSpell.objects.order_by("pk").values_list(
                    "member__person_id", "employer__enterprise_number", "start_on", "end_on",
                    "monthly_wage"))
                raise _Rollback
        except _Rollback:
            return rows

    first = register_of(11)
    assert first and first == register_of(11)
    assert first != register_of(12)


def test_months_out_of_range_are_refused():
    with pytest.raises(CommandError):
        call_command("synth", people=10, fund=True, months=0, stdout=io.StringIO())
