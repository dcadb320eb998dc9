"""Billing a month: one invoice per employer with the month's dated parameters, each worker in
the lifetime record once, a run keyed by its month that a second call or a crash half way
never bills twice, corrections billed as the difference, and a ledger that always balances."""

from __future__ import annotations

import datetime
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.db.models import Sum

from pakan.jobs.models import Job
from pakan.ledger import selectors as ledger_selectors
from pakan.ledger.models import Account, Entry, Transaction
from pakan.socialsecurity import accounting
from pakan.socialsecurity.models import (
    BillingRun,
    ContributionRecord,
    Declaration,
    Invoice,
    MembershipSpell,
)
from pakan.socialsecurity.selectors import billing as billing_selectors
from pakan.socialsecurity.services import billing, invoicing
from pakan.socialsecurity.services.declarations import submit_declaration
from tests.factories import make_employer, make_worker, system_admin

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2024, 5, 1)
TODAY = datetime.date(2024, 6, 10)
ISSUED = datetime.date(2024, 6, 1)


@pytest.fixture(autouse=True)
def _copy_even_small_batches(monkeypatch):
    """On PostgreSQL a month's invoices go in by COPY; use that path for these small months."""
    monkeypatch.setattr(invoicing, "COPY_MINIMUM", 1)


def declare(employer, wages: dict, month=MONTH, corrects=False, today=TODAY) -> Declaration:
    return submit_declaration(system_admin(), employer, month,
                              [{"social_security_number": member.social_security_number,
                                "monthly_wage": wage} for member, wage in wages.items()],
                              channel="api", today=today, corrects=corrects)


@pytest.fixture
def firms(geography):
    """Three employers with 1, 2 and 3 workers, each with May 2024 declared."""
    employers = []
    for count, village in zip((1, 2, 3), ("0101001", "0102001", "0601001"), strict=True):
        employer = make_employer(geography[village])
        workers = [make_worker(employer, 3_000_000 + 500_000 * number)
                   for number in range(count)]
        employers.append((employer, {worker: 3_000_000 + 500_000 * number
                                     for number, worker in enumerate(workers)}))
    for employer, wages in employers:
        declare(employer, wages)
    return employers


def receivable(employer) -> int:
    account = Account.objects.filter(code=accounting.employer_account_code(employer.pk)).first()
    return ledger_selectors.balance(account) if account else 0


def assert_ledger_balances(employers) -> None:
    assert (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
    for employer in employers:
        billed = Invoice.objects.filter(employer=employer).aggregate(total=Sum("total"))
        assert receivable(employer) == (billed["total"] or 0)


def snapshot() -> tuple:
    return (
        sorted(Invoice.objects.values_list("ledger_key", "kind", "total", "insured_amount",
                                           "employer_amount", "declaration_id")),
        sorted(ContributionRecord.objects.values_list("member_id", "month", "employer_id",
                                                      "insurable_wage", "insured_amount",
                                                      "employer_amount", "paid")),
        Transaction.objects.count(), Entry.objects.count(),
        list(BillingRun.objects.values_list("pk", "status", "finished_at",
                                            "number_of_invoices", "number_of_workers",
                                            "total_amount")),
    )


def test_a_month_is_billed_one_invoice_per_employer_and_one_record_per_worker(firms):
    run = billing.run_billing(MONTH, issued_on=ISSUED)
    assert run.status == BillingRun.Status.FINISHED
    assert run.number_of_invoices == 3 and run.number_of_workers == 6
    # 2024: 5.5 % and 6 % of the wage up to the 4,500,000 ceiling.
    expected = {3_000_000: (165_000, 180_000), 3_500_000: (192_500, 210_000),
                4_000_000: (220_000, 240_000)}
    for employer, wages in firms:
        invoice = Invoice.objects.get(employer=employer, month=MONTH)
        assert invoice.kind == Invoice.Kind.CONTRIBUTION
        assert invoice.declaration == Declaration.objects.get(employer=employer, month=MONTH)
        assert invoice.village_id == employer.village_id
        assert invoice.due_on == datetime.date(2024, 6, 15)
        assert invoice.issued_on == ISSUED
        assert invoice.number_of_workers == len(wages)
        assert invoice.insured_amount == sum(expected[wage][0] for wage in wages.values())
        assert invoice.employer_amount == sum(expected[wage][1] for wage in wages.values())
        for member, wage in wages.items():
            record = ContributionRecord.objects.get(member=member, month=MONTH)
            assert (record.employer_id, record.insurable_wage, record.insured_amount,
                    record.employer_amount, record.source, record.paid) == (
                employer.pk, wage, *expected[wage], "declaration", False)
    assert run.total_amount == sum(Invoice.objects.values_list("total", flat=True))
    assert_ledger_balances([employer for employer, _ in firms])
    used = run.parameters_used
    rate = "social_security.contribution_rates.enterprise_employee.insured"
    assert used[rate]["value"] == 0.055 and used[rate]["start"] == "2017-01-01"
    assert used["social_security.due_day"]["provisional"] is True
    assert "social_security.due_day" in billing.provisional_parameters(run)


def test_each_posting_is_the_one_accounting_gives_its_invoice(firms):
    """The month's invoices are posted as columns; each posting is line for line what
    accounting.invoice_posting makes of the invoice."""
    billing.run_billing(MONTH, issued_on=ISSUED)
    for invoice in Invoice.objects.all():
        expected = accounting.invoice_posting(
            ledger_key=invoice.ledger_key,
            debtor_account=accounting.employer_account_code(invoice.employer_id),
            insured_amount=invoice.insured_amount, employer_amount=invoice.employer_amount,
            kind=invoice.kind, issued_on=invoice.issued_on)
        posted = Transaction.objects.get(key=invoice.ledger_key)
        assert (posted.kind, posted.effective_date, posted.description) == (
            expected.kind, ISSUED, "Monthly contributions 2024-05")
        assert sorted(posted.entries.values_list("account__code", "amount", "effective_date")) \
            == sorted((line.account, line.amount, ISSUED) for line in expected.lines)


def test_each_worker_is_billed_in_the_category_of_the_latest_spell_touching_the_month(
        geography):
    employer = make_employer(geography["0101001"])
    moved, lost = make_worker(employer, 4_000_000), make_worker(employer, 4_000_000)
    # From 15 May a civil servant (8 % + 8.5 % in 2024): the May spell that starts last counts.
    moved.membership_spells.update(end_on=datetime.date(2024, 5, 14))
    MembershipSpell.objects.create(member=moved, category="civil_servant",
                                   start_on=datetime.date(2024, 5, 15))
    declare(employer, {moved: 4_000_000, lost: 4_000_000})
    lost.membership_spells.all().delete()  # removed after the declaration was accepted
    run = billing.run_billing(MONTH)
    record = ContributionRecord.objects.get(member=moved, month=MONTH)
    assert (record.insured_amount, record.employer_amount) == (320_000, 340_000)
    record = ContributionRecord.objects.get(member=lost, month=MONTH)
    assert (record.insured_amount, record.employer_amount) == (220_000, 240_000)
    assert "1 lines had no membership category" in run.message


def test_a_record_already_there_is_kept_and_the_other_workers_are_recorded(firms):
    """An assessment recorded a worker's month before the billing: the billing keeps it (on
    PostgreSQL its COPY meets the unique key and the rows go in again skipping it)."""
    employer, wages = firms[2]
    assessed = next(iter(wages))
    ContributionRecord.objects.create(
        member=assessed, month=MONTH, employer=employer, insurable_wage=1_000_000,
        insured_amount=55_000, employer_amount=60_000,
        source=ContributionRecord.Source.ASSESSMENT)
    run = billing.run_billing(MONTH)
    assert run.number_of_invoices == 3 and run.number_of_workers == 6
    assert ContributionRecord.objects.count() == 6
    kept = ContributionRecord.objects.get(member=assessed, month=MONTH)
    assert (kept.source, kept.insurable_wage) == (ContributionRecord.Source.ASSESSMENT,
                                                  1_000_000)
    assert ContributionRecord.objects.filter(
        source=ContributionRecord.Source.DECLARATION).count() == 5


def test_chunks_are_cut_by_workers_as_well_as_employers(firms, monkeypatch):
    """Employers of 1, 2 and 3 workers: at most 3 workers a chunk makes two chunks (1 + 2,
    then 3); an employer with more workers than that is a chunk of its own."""
    monkeypatch.setattr(billing, "WORKER_CHUNK", 3)
    seen = []
    run = billing.run_billing(MONTH, progress=lambda done, total: seen.append(done))
    assert seen == [0, 2, 3]
    assert run.number_of_invoices == 3 and ContributionRecord.objects.count() == 6
    monkeypatch.setattr(billing, "WORKER_CHUNK", 2)
    assert billing._chunks(billing.np.array([1, 2, 3, 1, 1]), 10) == [
        (0, 1), (1, 2), (2, 3), (3, 5)]


def test_billing_twice_changes_nothing(firms):
    billing.run_billing(MONTH, issued_on=ISSUED)
    before = snapshot()
    again = billing.run_billing(MONTH, issued_on=datetime.date(2024, 7, 1))
    assert snapshot() == before
    assert again.status == BillingRun.Status.FINISHED
    assert BillingRun.objects.count() == 1


def test_each_month_is_billed_with_the_parameters_valid_for_it(geography):
    """Law 34/NA (from 1 Jan 2014): rates 4.5 % + 5 % became 5.5 % + 6 %, the ceiling
    1,500,000 became 2,000,000. Billing January first and December later still gives
    December 2013 its own values."""
    employer = make_employer(geography["0101001"], registered_on=datetime.date(2013, 1, 10))
    low = make_worker(employer, 1_000_000, start_on=datetime.date(2013, 6, 1))
    high = make_worker(employer, 3_000_000, start_on=datetime.date(2013, 6, 1))
    december, january = datetime.date(2013, 12, 1), datetime.date(2014, 1, 1)
    for month in (december, january):
        declare(employer, {low: 1_000_000, high: 3_000_000}, month=month)
    billing.run_billing(january)
    billing.run_billing(december)

    def shares(member, month):
        record = ContributionRecord.objects.get(member=member, month=month)
        return record.insurable_wage, record.insured_amount, record.employer_amount

    assert shares(low, december) == (1_000_000, 45_000, 50_000)
    assert shares(high, december) == (1_500_000, 67_500, 75_000)
    assert shares(low, january) == (1_000_000, 55_000, 60_000)
    assert shares(high, january) == (2_000_000, 110_000, 120_000)
    assert Invoice.objects.get(month=december).total == 45_000 + 50_000 + 67_500 + 75_000
    assert Invoice.objects.get(month=january).total == 55_000 + 60_000 + 110_000 + 120_000
    december_run = BillingRun.objects.get(month=december)
    rate = december_run.parameters_used[
        "social_security.contribution_rates.enterprise_employee.insured"]
    assert (rate["value"], rate["start"], rate["provisional"]) == (0.045, "2001-07-01", True)
    ceiling = december_run.parameters_used["social_security.insurable_wage.ceiling"]
    assert (ceiling["value"], ceiling["start"]) == (1_500_000, "2006-01-01")


def test_a_run_that_crashed_half_way_bills_the_rest_and_each_worker_once(firms, monkeypatch):
    real_chunk = billing.bill_chunk
    calls = []

    def crash_after_first_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real_chunk(*args, **kwargs)

    monkeypatch.setattr(billing, "bill_chunk", crash_after_first_chunk)
    with pytest.raises(RuntimeError):
        billing.run_billing(MONTH, chunk_size=1)
    run = BillingRun.objects.get()
    assert run.status == BillingRun.Status.FAILED and "killed" in run.message
    assert run.number_of_invoices == 1 and Invoice.objects.count() == 1
    assert ContributionRecord.objects.count() == 1  # the first employer's one worker
    assert run.total_amount == Invoice.objects.get().total
    monkeypatch.setattr(billing, "bill_chunk", real_chunk)

    run = billing.run_billing(MONTH, chunk_size=1)
    assert run.status == BillingRun.Status.FINISHED
    assert run.number_of_invoices == 3 and run.number_of_workers == 6
    assert Invoice.objects.count() == 3
    assert ContributionRecord.objects.count() == 6
    assert set(ContributionRecord.objects.values_list("member_id", flat=True)) == {
        member.pk for _, wages in firms for member in wages}
    assert run.total_amount == sum(Invoice.objects.values_list("total", flat=True))
    assert_ledger_balances([employer for employer, _ in firms])


def test_progress_is_reported_chunk_by_chunk(firms):
    seen = []
    billing.run_billing(MONTH, chunk_size=2, progress=lambda done, total: seen.append(
        (done, total)))
    assert seen == [(0, 3), (2, 3), (3, 3)]


def test_a_correction_after_billing_is_billed_as_the_difference(firms):
    billing.run_billing(MONTH, issued_on=ISSUED)
    employer, wages = firms[2]
    first, second, _third = wages
    original = Invoice.objects.get(employer=employer, month=MONTH)
    # Raise one wage, drop one worker, keep one: the net is lower (a credit note).
    correction = declare(employer, {first: 3_400_000, second: 3_500_000}, corrects=True)
    assert correction.supersedes.invoice == original
    run = billing.run_billing(MONTH, issued_on=datetime.date(2024, 6, 20))
    credit = Invoice.objects.get(employer=employer, month=MONTH, kind=Invoice.Kind.CORRECTION)
    assert credit.declaration == correction
    assert credit.insured_amount == 187_000 + 192_500 - original.insured_amount
    assert credit.employer_amount == 204_000 + 210_000 - original.employer_amount
    assert credit.total < 0
    records = {record.member_id: record for record in
               ContributionRecord.objects.filter(employer=employer, month=MONTH)}
    assert set(records) == {first.pk, second.pk}
    assert (records[first.pk].insurable_wage, records[first.pk].insured_amount) == (
        3_400_000, 187_000)
    assert run.number_of_invoices == 4 and run.number_of_workers == 6
    assert run.total_amount == sum(Invoice.objects.values_list("total", flat=True))
    assert_ledger_balances([employer for employer, _ in firms])
    # Billed once: another call changes nothing.
    before = snapshot()
    billing.run_billing(MONTH)
    assert snapshot() == before
    # A correction of the correction is billed against everything billed so far.
    declare(employer, wages, corrects=True)
    billing.run_billing(MONTH)
    assert Invoice.objects.filter(employer=employer, month=MONTH).aggregate(
        total=Sum("total"))["total"] == original.total
    assert ContributionRecord.objects.filter(employer=employer, month=MONTH).count() == 3
    assert_ledger_balances([employer])


def test_a_correction_that_changes_no_amount_issues_no_invoice_but_fixes_records(firms):
    billing.run_billing(MONTH)
    employer, wages = firms[1]
    first, second = wages
    # Swap the two workers' wages: the same total, other records.
    declare(employer, {first: wages[second], second: wages[first]}, corrects=True)
    billing.run_billing(MONTH)
    assert not Invoice.objects.filter(kind=Invoice.Kind.CORRECTION).exists()
    assert ContributionRecord.objects.get(member=first, month=MONTH).insurable_wage == wages[
        second]
    before = snapshot()
    billing.run_billing(MONTH)
    assert snapshot() == before


def test_a_declaration_accepted_after_the_run_is_billed_by_the_next_call(firms, geography):
    billing.run_billing(MONTH)
    late = make_employer(geography["0101002"])
    worker = make_worker(late, 2_600_000)
    declare(late, {worker: 2_600_000})
    assert billing_selectors.declarations_waiting_for_billing(MONTH) == 1
    run = billing.run_billing(MONTH)
    invoice = Invoice.objects.get(employer=late)
    assert invoice.kind == Invoice.Kind.CONTRIBUTION and invoice.billing_run == run
    assert run.number_of_invoices == 4 and run.number_of_workers == 7
    assert billing_selectors.declarations_waiting_for_billing(MONTH) == 0


def test_a_month_with_no_declarations_finishes_with_nothing_billed(geography):
    run = billing.run_billing(datetime.date(2023, 1, 1))
    assert run.status == BillingRun.Status.FINISHED and run.number_of_invoices == 0
    assert run.parameters_used["social_security.due_day"]["value"] == 15
    with pytest.raises(ValueError):
        billing.run_billing(datetime.date(2023, 1, 15))


def test_the_billing_job_is_keyed_by_month_and_started_by_central_staff(
        firms, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = billing.start_billing_job(staff["central"], MONTH)
    job.refresh_from_db()
    assert job.key == "billing:2024-05" and job.status == Job.Status.SUCCEEDED
    assert job.result["invoices"] == 3
    run = BillingRun.objects.get()
    assert run.job == job and run.status == BillingRun.Status.FINISHED
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        again = billing.start_billing_job(staff["central"], MONTH)
    assert again.pk == job.pk and Job.objects.count() == 1
    assert snapshot() == before
    for user in ("district_chanthabuly", "auditor", "employer"):
        with pytest.raises(PermissionDenied):
            billing.start_billing_job(staff[user], MONTH)


def test_the_celery_task_bills_the_month(firms):
    from pakan.socialsecurity.tasks import bill_contributions

    run_id = bill_contributions.delay("2024-05").get()
    assert BillingRun.objects.get(pk=run_id).number_of_invoices == 3


def test_invoices_are_read_within_scope(firms, staff):
    run = billing.run_billing(MONTH)
    luang_prabang = firms[2][0]
    assert set(billing_selectors.invoices_of_run(staff["province_luangprabang"], run)
               .values_list("employer_id", flat=True)) == {luang_prabang.pk}
    assert billing_selectors.invoices_of_run(staff["central"], run).count() == 3
    assert not billing_selectors.invoices_in_scope(staff["public"]).exists()
    assert billing_selectors.billing_run_for(staff["district_chanthabuly"], run.pk) == run
    totals = billing_selectors.run_totals_by_province(staff["central"], run)
    assert sum(row["invoices"] for row in totals) == 3 and len(totals) == 2


# A real second process on PostgreSQL ---------------------------------------------------------

# Runs in a child interpreter of its own, on the test database: a real second session.
CHILD_BILLING = """
import datetime, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "pakan.settings"
import django
from django.conf import settings
django.setup()
from django.db import connections
settings.DATABASES["default"]["NAME"] = sys.argv[1]
connections["default"].settings_dict["NAME"] = sys.argv[1]
from pakan.socialsecurity.services.billing import run_billing
die = sys.argv[2] == "die"

def progress(done, total):
    if die and done >= 1:
        os._exit(9)  # killed: no clean-up, nothing rolled back that was committed

run_billing(datetime.date(2024, 5, 1), chunk_size=1, progress=progress)
"""


def _billing_process(database_name: str, mode: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD_BILLING, database_name, mode],
                            cwd=Path(__file__).resolve().parent.parent)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_in_another_process_is_finished_by_the_next(geography):
    employers = []
    for village in ("0101001", "0101002", "0102001", "0601001"):
        employer = make_employer(geography[village])
        workers = {make_worker(employer, 3_000_000): 3_000_000,
                   make_worker(employer, 3_200_000): 3_200_000}
        declare(employer, workers)
        employers.append(employer)
    database_name = connection.settings_dict["NAME"]
    connections.close_all()
    assert _billing_process(database_name, "die").wait(timeout=120) == 9
    assert Invoice.objects.count() == 1
    assert BillingRun.objects.get().status == BillingRun.Status.RUNNING
    # Two processes finish it at once: the month's lock lets one bill, the other finds
    # nothing left.
    finishers = [_billing_process(database_name, "finish") for _ in range(2)]
    assert [process.wait(timeout=120) for process in finishers] == [0, 0]
    run = BillingRun.objects.get()
    assert run.status == BillingRun.Status.FINISHED
    assert run.number_of_invoices == 4 and run.number_of_workers == 8
    assert Invoice.objects.count() == 4
    assert ContributionRecord.objects.count() == 8
    assert ContributionRecord.objects.values("member_id").distinct().count() == 8
    assert_ledger_balances(employers)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_records_written_beside_a_chunk_that_fails_are_rolled_back_with_it(firms, monkeypatch):
    """Big chunks write their records on a second connection, committed just before the
    chunk; a chunk that fails after its records were written leaves none of them."""
    monkeypatch.setattr(billing, "RECORDS_BESIDE_MINIMUM", 0)
    writers = []
    real_write = billing._RecordsBeside._write

    def write(self, month, columns):
        writers.append(threading.current_thread().name)
        return real_write(self, month, columns)

    monkeypatch.setattr(billing._RecordsBeside, "_write", write)
    real_issue = billing.issue_employer_invoices
    issues = []

    def issue_then_fail(batch, **kwargs):
        issues.append(1)
        if len(issues) == 2:
            raise RuntimeError("killed")
        return real_issue(batch, **kwargs)

    monkeypatch.setattr(billing, "issue_employer_invoices", issue_then_fail)
    with pytest.raises(RuntimeError):
        billing.run_billing(MONTH, chunk_size=1)
    assert all(name.startswith("billing-beside") for name in writers)
    assert Invoice.objects.count() == 1
    assert ContributionRecord.objects.count() == 1  # the first employer's one worker
    monkeypatch.setattr(billing, "issue_employer_invoices", real_issue)
    run = billing.run_billing(MONTH, chunk_size=1)
    assert run.status == BillingRun.Status.FINISHED
    assert run.number_of_invoices == 3 and run.number_of_workers == 6
    assert ContributionRecord.objects.count() == 6
    assert_ledger_balances([employer for employer, _ in firms])
    assert len(writers) == 4


def test_paying_a_month_in_full_marks_its_declared_records_paid(firms):
    from pakan.socialsecurity.services.payments import record_payment

    billing.run_billing(MONTH, issued_on=ISSUED)
    (paid_employer, paid_wages), (unpaid_employer, unpaid_wages) = firms[0], firms[1]
    invoice = Invoice.objects.get(employer=paid_employer, month=MONTH)
    record_payment(system_admin(), amount=invoice.total, received_on=datetime.date(2024, 6, 12),
                   method="cash", employer=paid_employer)
    for member in paid_wages:
        record = ContributionRecord.objects.get(member=member, month=MONTH)
        assert (record.paid, record.paid_on) == (True, datetime.date(2024, 6, 12))
    partial = Invoice.objects.get(employer=unpaid_employer, month=MONTH)
    record_payment(system_admin(), amount=partial.total - 1,
                   received_on=datetime.date(2024, 6, 12), method="cash",
                   employer=unpaid_employer)
    assert not ContributionRecord.objects.filter(member__in=list(unpaid_wages),
                                                 paid=True).exists()


def test_records_left_by_a_run_killed_between_commits_follow_the_declaration_billed_next(firms):
    """A run killed after the records beside a chunk committed, but before the chunk's own
    commit, leaves declared records without an invoice. If a correction is accepted meanwhile,
    the next call bills it, and the records are those of the correction, not the leftovers."""
    employer, wages = firms[2]
    first, second, third = wages
    for member, wage in wages.items():  # what the killed run left: the original's records
        ContributionRecord.objects.create(
            member=member, month=MONTH, employer=employer, insurable_wage=wage,
            insured_amount=wage * 55 // 1000, employer_amount=wage * 6 // 100,
            source=ContributionRecord.Source.DECLARATION)
    declare(employer, {first: 3_400_000, second: 3_500_000}, corrects=True)
    run = billing.run_billing(MONTH, issued_on=ISSUED)
    assert run.number_of_invoices == 3 and run.number_of_workers == 5
    records = dict(ContributionRecord.objects.filter(employer=employer, month=MONTH)
                   .values_list("member_id", "insurable_wage"))
    assert records == {first.pk: 3_400_000, second.pk: 3_500_000}
    assert third.pk not in records
    assert_ledger_balances([employer for employer, _ in firms])
